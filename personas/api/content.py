"""Seed 003 section 2: ``/api/v1/content`` (generation, library, review)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status

from config.api.input import parse
from config.api.ratelimit import enforce
from config.api.schema import limit_page
from personas.api import serializers_content as s
from personas.api.base import PersonasAPIView, ok, page
from personas.selectors import content_for, generation_for
from personas.services import composing, review
from personas.services import content as services

TAGS = ["personas: content"]


class GenerateView(PersonasAPIView):
    @extend_schema(request=s.GenerateInputSerializer, tags=TAGS, responses={
        201: s.GenerationStartedSerializer,
        503: OpenApiResponse(description="CONTENT_GENERATION_FAILED: no engine here makes this content type "
                                         "(video, or an engine not configured)")})
    def post(self, request):
        """Queue a generation (10 a minute per user); video, or no engine for the type, is a 503 at once."""
        enforce(request, "personas_generate", key="user", message="Rate limit exceeded: 10 generations per minute.")
        data = parse(s.GenerateInputSerializer, request.data)
        generation = services.start_generation(request.user, **data)
        return ok(s.GenerationStartedSerializer(generation).data, message="Content generation started",
                  status=status.HTTP_201_CREATED)


class GenerationDetailView(PersonasAPIView):
    @extend_schema(responses={200: s.GenerationSerializer}, tags=TAGS)
    def get(self, request, generation_id):
        """Status (pending, processing, completed, failed), the items made, counts and timing."""
        return ok(s.GenerationSerializer(generation_for(request.user, generation_id)).data)


class ContentListView(PersonasAPIView):
    @extend_schema(operation_id="personas_content_list", parameters=[s.ContentFilterSerializer],
                   responses={200: limit_page("ContentPage", "content", s.ContentItemSerializer)}, tags=TAGS)
    def get(self, request):
        """The content library, newest first; filter by character, type, approval and NSFW flag."""
        filters = parse(s.ContentFilterSerializer, request.query_params)
        items = services.library(request.user, **filters)
        return ok(page(request, items, "content", s.ContentItemSerializer))

    @extend_schema(operation_id="personas_content_create", request=s.ComposeInputSerializer,
                   responses={201: s.ComposedContentSerializer}, tags=TAGS)
    def post(self, request):
        """Compose content by hand: a caption and up to 10 images, stored approved with ``ai_generated``
        false. ``platforms`` asks for a preview of how the caption will be cut on each."""
        data = parse(s.ComposeInputSerializer, request.data)
        platforms = composing.check_platforms(data.pop("platforms"))
        item = composing.compose_content(request.user, **data)
        shown = s.ComposedContentSerializer(item, context={"previews": composing.previews(item.character, item,
                                                                                          platforms)})
        return ok(shown.data, message="Content created", status=status.HTTP_201_CREATED)


class ContentDetailView(PersonasAPIView):
    @extend_schema(responses={200: s.ContentDetailSerializer}, tags=TAGS)
    def get(self, request, content_id):
        """One item with its size, file and the settings it was generated with."""
        return ok(s.ContentDetailSerializer(content_for(request.user, content_id)).data)

    @extend_schema(responses={200: None}, tags=TAGS)
    def delete(self, request, content_id):
        """Delete the item and its files."""
        services.delete_content(request.user, content_id=content_id)
        return ok(None, message="Content deleted successfully")


class ContentApproveView(PersonasAPIView):
    @extend_schema(request=None, responses={200: s.ContentDetailSerializer}, tags=TAGS)
    def post(self, request, content_id):
        """Approve the item for posting; who and when are recorded."""
        item = review.approve_content(request.user, content_id=content_id)
        return ok(s.ContentDetailSerializer(item).data, message="Content approved")


class ContentRejectView(PersonasAPIView):
    @extend_schema(request=s.RejectInputSerializer, responses={200: s.ContentDetailSerializer}, tags=TAGS)
    def post(self, request, content_id):
        """Reject the item with a reason (required)."""
        data = parse(s.RejectInputSerializer, request.data)
        item = review.reject_content(request.user, content_id=content_id, reason=data["reason"])
        return ok(s.ContentDetailSerializer(item).data, message="Content rejected")
