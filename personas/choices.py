"""Enumerations of the personas app, spelled as seed 003 spells them."""

from django.db import models


class CharacterStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ERROR = "error", "Error"


class ContentType(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    TEXT = "text", "Text"


class GenerationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class Review(models.TextChoices):
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Platform(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    INSTAGRAM = "instagram", "Instagram"
    TWITTER = "twitter", "X (Twitter)"
    YOUTUBE = "youtube", "YouTube"
    LINKEDIN = "linkedin", "LinkedIn"
    THREADS = "threads", "Threads"


class AuthType(models.TextChoices):
    OAUTH = "oauth", "OAuth"
    # Bluesky's app passwords and API tokens: revocable credentials, never an account password.
    API_KEY = "api_key", "API key / app password"


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    DISCONNECTED = "disconnected", "Disconnected"
    ERROR = "error", "Error"


class PostStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"
    DELETED = "deleted", "Deleted"


class ScheduleStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class TriggerType(models.TextChoices):
    SCHEDULE = "schedule", "On a schedule"
    CONTENT_APPROVED = "content_approved", "When content is approved"
    ENGAGEMENT_THRESHOLD = "engagement_threshold", "When engagement passes a threshold"


class RuleAction(models.TextChoices):
    GENERATE = "generate", "Generate content"
    SCHEDULE = "schedule", "Schedule a post"
    REPLY_DRAFT = "reply_draft", "Draft a reply"


class RunStatus(models.TextChoices):
    DONE = "done", "Done"
    DRY_RUN = "dry_run", "Dry run"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class EngagementType(models.TextChoices):
    LIKE = "like", "Like"
    COMMENT = "comment", "Comment"
    FOLLOW = "follow", "Follow"
    # Read back from the platform (Mastodon notifications).
    FAVOURITE = "favourite", "Favourite received"
    REBLOG = "reblog", "Reblog received"
    MENTION = "mention", "Mention received"
    FOLLOWED = "followed", "Follower gained"


class Direction(models.TextChoices):
    OUTBOUND = "outbound", "By the character"
    INBOUND = "inbound", "To the character"


class ActionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class Metric(models.TextChoices):
    FOLLOWERS = "followers", "Followers"
    LIKES = "likes", "Likes"
    COMMENTS = "comments", "Comments"
    SHARES = "shares", "Shares"
