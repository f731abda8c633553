"""Seed 003 section 7: ``/api/v1/analytics``, computed from stored posts and metric samples only."""

from drf_spectacular.utils import extend_schema

from config.api.input import parse
from personas import analytics
from personas.api import serializers_social as s
from personas.api.base import PersonasAPIView, ok

TAGS = ["personas: analytics"]


class OverviewView(PersonasAPIView):
    @extend_schema(parameters=[s.AnalyticsFilterSerializer], responses={200: dict}, tags=TAGS)
    def get(self, request):
        """Totals, engagement rate, follower growth, top posts, per-platform figures and daily trends.
        Figures without stored samples are null (or empty trends), never estimated."""
        filters = parse(s.AnalyticsFilterSerializer, request.query_params)
        return ok(analytics.overview(request.user, character_id=filters.get("character_id"),
                                     platform=filters.get("platform"), start=filters["from_date"],
                                     end=filters["to_date"]))


class CharacterAnalyticsView(PersonasAPIView):
    @extend_schema(responses={200: dict}, tags=TAGS)
    def get(self, request, character_id):
        """The overview for one character, with each account's latest stored follower count."""
        return ok(analytics.character_analytics(request.user, character_id=character_id))


class PostAnalyticsView(PersonasAPIView):
    @extend_schema(responses={200: dict}, tags=TAGS)
    def get(self, request, post_id):
        """One post's counts, engagement rate against its account's followers, and sample history."""
        return ok(analytics.post_analytics(request.user, post_id=post_id))
