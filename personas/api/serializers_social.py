"""Seed 003 sections 3, 4, 6 and 7: accounts, posts, engagement and analytics input and shapes.

No shape here carries credentials: accounts show who and how connected, never a token.
"""

from rest_framework import serializers

from config.api.fields import CheckedChoiceField, CheckedURLField, RequiresOneOf
from config.files.signing import media_url
from config.timestamps import iso8601
from personas import recurrence
from personas.api.serializers_scheduling import DateBoundField
from personas.choices import ActionStatus, Direction, EngagementType, Platform, PostStatus
from personas.connectors import all_post_types


class ConnectInputSerializer(serializers.Serializer):
    """``POST /platforms/{platform}/connect``.

    ``auth_data``: Mastodon ``{"auth_type": "oauth", "server_url", "access_token"}``; Bluesky
    ``{"auth_type": "api_key", "identifier", "app_password", "server_url"?}`` where the app password is
    one created under Bluesky's Settings > App passwords, never the account password.

    Without ``auth_data`` the answer is ``{"authorization_url"}``: the platform's consent page
    (OAuth authorization code; state, and PKCE's S256 challenge where the platform takes one, in
    its query). Mastodon then needs ``server_url``, the instance.
    """

    character_id = serializers.CharField()
    auth_data = serializers.DictField(required=False)
    server_url = CheckedURLField(required=False, allow_blank=True, max_length=500)
    login_hint = serializers.CharField(required=False, allow_blank=True, max_length=253, default="",
                                       help_text="Bluesky: the handle to sign in as (e.g. maya.bsky.social), "
                                                 "passed to the consent page.")


class AuthorizationSerializer(serializers.Serializer):
    authorization_url = serializers.URLField()


class AccountFilterSerializer(serializers.Serializer):
    character_id = serializers.UUIDField(required=False)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True)
    is_connected = serializers.BooleanField(required=False, allow_null=True, default=None)


class AccountSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    character_id = serializers.UUIDField()
    character_name = serializers.CharField(source="character.name")
    platform = serializers.CharField()
    account_username = serializers.CharField()
    account_url = serializers.CharField()
    is_connected = serializers.BooleanField()
    connection_status = serializers.CharField()
    follower_count = serializers.IntegerField()
    last_synced_at = serializers.DateTimeField(allow_null=True)


class AccountConnectedSerializer(serializers.Serializer):
    account_id = serializers.UUIDField(source="id")
    platform = serializers.CharField()
    connection_status = serializers.CharField()
    account_username = serializers.CharField()


class AccountStatusSerializer(serializers.Serializer):
    account_id = serializers.UUIDField(source="id")
    character_id = serializers.UUIDField()
    platform = serializers.CharField()
    account_username = serializers.CharField()
    account_url = serializers.CharField()
    is_connected = serializers.BooleanField()
    connection_status = serializers.CharField()
    detail = serializers.CharField(source="status_detail")
    follower_count = serializers.IntegerField()
    token_expires_at = serializers.DateTimeField(allow_null=True)
    last_synced_at = serializers.DateTimeField(allow_null=True)


class PostInputSerializer(serializers.Serializer):
    """``POST /posts``: published now with ``publish_immediately: true``, else scheduled.

    ``scheduled_at`` and ``timezone`` (ours, as in ``POST /scheduled-posts``) say
    when; without them the post is due at once and the scheduler publishes it on
    its next run.
    """

    character_id = serializers.CharField()
    platform_account_id = serializers.CharField()
    content_id = serializers.CharField()
    additional_content_ids = serializers.ListField(child=serializers.CharField(), max_length=3, default=list)
    caption = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    hashtags = serializers.ListField(child=serializers.CharField(max_length=100), max_length=30, default=list)
    mentions = serializers.ListField(child=serializers.CharField(max_length=200), max_length=20, default=list)
    post_type = CheckedChoiceField(choices=all_post_types, default="post")
    publish_immediately = serializers.BooleanField(default=False)
    scheduled_at = serializers.DateTimeField(required=False, default_timezone=None)
    timezone = CheckedChoiceField(choices=recurrence.canonical_zone_names, required=False, allow_blank=True,
                                  default="")

    def validate(self, attrs):
        if attrs["publish_immediately"] and "scheduled_at" in attrs:
            raise serializers.ValidationError("scheduled_at is for a post that is not published immediately.")
        # A scheduled post carries one content item and its caption and hashtags (as POST /scheduled-posts).
        if not attrs["publish_immediately"] and (attrs["additional_content_ids"] or attrs["mentions"]):
            raise serializers.ValidationError("additional_content_ids and mentions need publish_immediately: true.")
        return attrs


class PostFilterSerializer(serializers.Serializer):
    character_id = serializers.UUIDField(required=False)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=PostStatus.choices, required=False, allow_blank=True)


class PostSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    character_id = serializers.UUIDField()
    character_name = serializers.CharField(source="character.name")
    platform = serializers.CharField(source="account.platform")
    platform_account_id = serializers.UUIDField(source="account_id")
    post_type = serializers.CharField()
    platform_post_id = serializers.CharField()
    platform_post_url = serializers.CharField()
    content_id = serializers.UUIDField(allow_null=True)
    content_url = serializers.SerializerMethodField()
    additional_content_ids = serializers.ListField()
    caption = serializers.CharField()
    hashtags = serializers.ListField()
    mentions = serializers.ListField()
    likes_count = serializers.IntegerField()
    comments_count = serializers.IntegerField()
    shares_count = serializers.IntegerField()
    status = serializers.CharField()
    error_message = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    last_synced_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_content_url(self, post) -> str | None:
        content = post.content
        return media_url(content.file.name) if content is not None and content.file else None


def scheduled_data(scheduled) -> dict:
    """The answer to ``POST /posts`` with ``publish_immediately: false``: the post is scheduled, not yet made."""
    return {"post_id": None, "status": "scheduled", "platform_post_id": None, "platform_post_url": None,
            "published_at": None, "scheduled_post_id": str(scheduled.pk),
            "scheduled_at": iso8601(scheduled.scheduled_at)}


def published_data(post) -> dict:
    """The seed's answer to ``POST /posts``; a failed publish adds its ``error_message``."""
    data = {"post_id": str(post.pk), "status": post.status, "platform_post_id": post.platform_post_id or None,
            "platform_post_url": post.platform_post_url or None, "published_at": iso8601(post.published_at)}
    if post.status == PostStatus.FAILED:
        data["error_message"] = post.error_message
    return data


class EngagementFilterSerializer(serializers.Serializer):
    character_id = serializers.UUIDField(required=False)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True)
    action_type = serializers.ChoiceField(choices=EngagementType.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False, allow_blank=True)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False, allow_blank=True)


class EngagementInputSerializer(RequiresOneOf, serializers.Serializer):
    """``POST /engagement/like`` (and the base of comment and follow)."""

    required_one_of = ("target_id", "target_url")

    character_id = serializers.CharField()
    platform_account_id = serializers.CharField()
    target_type = serializers.CharField(max_length=16, default="post")
    target_id = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    target_url = CheckedURLField(max_length=500, required=False, allow_blank=True, default="")


class CommentInputSerializer(EngagementInputSerializer):
    comment_text = serializers.CharField(max_length=3000)


class FollowInputSerializer(EngagementInputSerializer):
    target_type = serializers.CharField(max_length=16, default="user")
    target_id = serializers.CharField(max_length=300)


class EngagementActionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    character_id = serializers.UUIDField()
    platform_account_id = serializers.UUIDField(source="account_id")
    platform = serializers.CharField(source="account.platform")
    action_type = serializers.CharField()
    direction = serializers.CharField()
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    target_url = serializers.CharField()
    comment_text = serializers.CharField()
    platform_action_id = serializers.CharField()
    status = serializers.CharField()
    error_message = serializers.CharField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)


class AnalyticsFilterSerializer(serializers.Serializer):
    character_id = serializers.UUIDField(required=False)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True)
    from_date = DateBoundField(required=False, allow_null=True, default=None)
    to_date = DateBoundField(end=True, required=False, allow_null=True, default=None)
