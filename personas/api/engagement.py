"""Seed 003 section 6: ``/api/v1/engagement``. Actions are limited to 20 a minute per character."""

from drf_spectacular.utils import extend_schema
from rest_framework import status

from config.api.input import parse
from config.api.ratelimit import enforce
from personas import selectors
from personas.api import serializers_social as s
from personas.api.base import PersonasAPIView, ok, page
from personas.api.posts import per_character
from personas.models import EngagementAction
from personas.services import engagement

TAGS = ["personas: engagement"]


class ActionListView(PersonasAPIView):
    @extend_schema(parameters=[s.EngagementFilterSerializer], responses={200: dict}, tags=TAGS)
    def get(self, request):
        """Actions made by the user's characters and engagement they received, newest first."""
        filters = parse(s.EngagementFilterSerializer, request.query_params)
        actions = EngagementAction.objects.for_user(request.user).select_related("account")
        for name, lookup in (("character_id", "character_id"), ("platform", "account__platform"),
                             ("action_type", "action_type"), ("status", "status"), ("direction", "direction")):
            if filters.get(name):
                actions = actions.filter(**{lookup: filters[name]})
        return ok(page(request, actions.order_by("-created_at", "id"), "actions",
                       s.EngagementActionSerializer))


class _ActionView(PersonasAPIView):
    action_type = ""
    input_serializer = s.EngagementInputSerializer

    def post(self, request):
        data = parse(self.input_serializer, request.data)
        character = selectors.character_for(request.user, data["character_id"])
        enforce(request, "personas_engage", key=per_character(character),
                message="Rate limit exceeded: 20 engagement actions per minute per character.")
        action = engagement.perform_action(request.user, action_type=self.action_type, **data)
        message = "Engagement action completed" if action.status == "completed" else "Engagement action failed"
        return ok(s.EngagementActionSerializer(action).data, message=message, status=status.HTTP_201_CREATED)


class LikeView(_ActionView):
    action_type = "like"

    @extend_schema(request=s.EngagementInputSerializer, responses={201: s.EngagementActionSerializer}, tags=TAGS)
    def post(self, request):
        """Like (favourite) a post as the character, live on the platform."""
        return super().post(request)


class CommentView(_ActionView):
    action_type = "comment"
    input_serializer = s.CommentInputSerializer

    @extend_schema(request=s.CommentInputSerializer, responses={201: s.EngagementActionSerializer}, tags=TAGS)
    def post(self, request):
        """Reply to a post as the character, live on the platform."""
        return super().post(request)


class FollowView(_ActionView):
    action_type = "follow"
    input_serializer = s.FollowInputSerializer

    @extend_schema(request=s.FollowInputSerializer, responses={201: s.EngagementActionSerializer}, tags=TAGS)
    def post(self, request):
        """Follow a user as the character, live on the platform."""
        return super().post(request)
