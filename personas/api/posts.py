"""Seed 003 section 4: ``/api/v1/posts``. Publishing is limited to 5 a minute per character."""

from collections.abc import Callable

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status

from config.api.input import parse
from config.api.ratelimit import enforce
from personas import selectors
from personas.api import serializers_social as s
from personas.api.base import PersonasAPIView, ok, page
from personas.choices import PostStatus
from personas.models import Post
from personas.services import publishing, scheduling

TAGS = ["personas: posts"]


def per_character(character) -> Callable:
    """A django-ratelimit key: count against the character, whoever sends the request."""
    return lambda group, request: f"character:{character.pk}"


class PostListView(PersonasAPIView):
    @extend_schema(operation_id="personas_posts_list", parameters=[s.PostFilterSerializer], responses={200: dict},
                   tags=TAGS)
    def get(self, request):
        """The user's posts, newest first; ``character_id``, ``platform``, ``status`` filter."""
        filters = parse(s.PostFilterSerializer, request.query_params)
        posts = Post.objects.for_user(request.user).select_related("character", "account", "content")
        if filters.get("character_id"):
            posts = posts.filter(character_id=filters["character_id"])
        if filters.get("platform"):
            posts = posts.filter(account__platform=filters["platform"])
        if filters.get("status"):
            posts = posts.filter(status=filters["status"])
        return ok(page(request, posts.order_by("-created_at", "id"), "posts", s.PostSerializer))

    @extend_schema(request=s.PostInputSerializer, responses={201: dict}, tags=TAGS)
    def post(self, request):
        """Create a post from approved content; with ``publish_immediately`` it is published now and the
        answer says published (or failed, with the platform's reason); otherwise it is scheduled, at
        ``scheduled_at`` or for the scheduler's next run (status ``scheduled``, ``scheduled_post_id``)."""
        data = parse(s.PostInputSerializer, request.data)
        character = selectors.character_for(request.user, data["character_id"])
        enforce(request, "personas_publish", key=per_character(character),
                message="Rate limit exceeded: 5 posts per minute per character.")
        if not data.pop("publish_immediately"):
            scheduled = scheduling.create_scheduled_post(
                request.user, character_id=data["character_id"], platform_account_id=data["platform_account_id"],
                content_id=data["content_id"], scheduled_at=data.get("scheduled_at"), tz=data["timezone"],
                caption=data["caption"] or None, hashtags=data["hashtags"] or None, post_type=data["post_type"])
            return ok(s.scheduled_data(scheduled), message="Post scheduled", status=status.HTTP_201_CREATED)
        data.pop("scheduled_at", None)
        data.pop("timezone")
        post = publishing.create_post(request.user, publish_immediately=True, **data)
        messages = {PostStatus.PUBLISHED: "Post published successfully",
                    PostStatus.FAILED: "Post could not be published"}
        return ok(s.published_data(post), message=messages.get(post.status, "Post created"),
                  status=status.HTTP_201_CREATED)


class PostDetailView(PersonasAPIView):
    @extend_schema(responses={200: s.PostSerializer}, tags=TAGS)
    def get(self, request, post_id):
        return ok(s.PostSerializer(selectors.post_for(request.user, post_id)).data)

    @extend_schema(responses={200: None}, tags=TAGS)
    def delete(self, request, post_id):
        """Delete the post on its platform first, then here (kept as ``deleted`` with its history)."""
        publishing.delete_post(request.user, post_id=post_id)
        return ok(None, message="Post deleted successfully")


class PostSyncView(PersonasAPIView):
    @extend_schema(request=None, tags=TAGS, responses={
        200: s.PostSerializer, 400: OpenApiResponse(description="VALIDATION_ERROR: only published posts sync")})
    def post(self, request, post_id):
        """Read the post's likes, comments and shares from the platform now."""
        post = publishing.sync_post(selectors.post_for(request.user, post_id))
        return ok(s.PostSerializer(post).data, message="Post metrics synced successfully")
