"""Characters, what is generated for them, where they publish, and what comes back.

Every row hangs off a ``Character``; ``for_user`` querysets scope reads to the
character's owner, so another user's object is simply not found.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from config.jobs.choices import JobStatus
from config.jobs.models import Job
from config.timestamps import iso8601
from personas.choices import (
    ActionStatus,
    AuthType,
    CharacterStatus,
    ConnectionStatus,
    ContentType,
    Direction,
    EngagementType,
    GenerationStatus,
    Metric,
    Platform,
    PostStatus,
    Review,
    RuleAction,
    RunStatus,
    ScheduleStatus,
    TriggerType,
)

DEFAULT_DISCLOSURE = "AI-generated content: this account is a virtual character."


def new_seed_family() -> int:
    # A fixed base seed per character: its images vary by offset, so its look stays recognisable.
    return secrets.randbelow(2**31)


class CharacterQuerySet(models.QuerySet):
    def for_user(self, user) -> "CharacterQuerySet":
        return self.filter(owner=user, deleted_at__isnull=True)


class Character(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="characters")
    name = models.CharField(max_length=100)
    bio = models.TextField(blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    interests = models.JSONField(default=list, blank=True)
    profile_image = models.ImageField(upload_to="personas/profiles/", blank=True)
    # {"extroversion", "creativity", "communication_style", "preferred_topics"}
    personality = models.JSONField(default=dict, blank=True)
    # {"hair_color", "eye_color", "style_preferences"}; the face reference is a file.
    appearance = models.JSONField(default=dict, blank=True)
    face_reference = models.ImageField(upload_to="personas/faces/", blank=True)
    platforms = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=CharacterStatus.choices, default=CharacterStatus.ACTIVE)
    status_reason = models.TextField(blank=True)
    seed_family = models.BigIntegerField(default=new_seed_family)
    banned_topics = models.JSONField(default=list, blank=True)
    disclosure_line = models.CharField(max_length=300, default=DEFAULT_DISCLOSURE)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CharacterQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.name


class OwnedQuerySet(models.QuerySet):
    """Rows reached through a character: visible to the character's owner while it exists."""

    def for_user(self, user):
        return self.filter(character__owner=user, character__deleted_at__isnull=True)


class GenerationQuerySet(OwnedQuerySet):
    def unfinished(self) -> "GenerationQuerySet":
        return self.filter(job__status__in=[JobStatus.QUEUED, JobStatus.PROCESSING])

    def failed(self) -> "GenerationQuerySet":
        return self.filter(job__status__in=[JobStatus.FAILED, JobStatus.CANCELLED])


class Generation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="generations")
    content_type = models.CharField(max_length=8, choices=ContentType.choices)
    prompt = models.TextField()
    negative_prompt = models.TextField(blank=True)
    # {"steps", "cfg_scale", "width", "height", "seed", "count"}
    settings = models.JSONField(default=dict, blank=True)
    category = models.CharField(max_length=32, default="post")
    is_nsfw = models.BooleanField(default=False)
    # The status is the job's (see ``status``), so a job the sweep, recovery or a cancel ended is a
    # failed generation; the job's ``on_finish`` (``services.content.settle_generation``) does the rest.
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    success_count = models.PositiveSmallIntegerField(default=0)
    failure_count = models.PositiveSmallIntegerField(default=0)
    error_message = models.TextField(blank=True)
    estimated_completion = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The end of the job this row was last settled for (its ``finished_at``).
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    objects = GenerationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.content_type} for {self.character}"

    @property
    def status(self) -> str:
        """Seed 003's status, read from the job: pending, processing, completed or failed (cancelled too)."""
        if self.job is None:  # never queued
            return GenerationStatus.PENDING
        return {JobStatus.QUEUED: GenerationStatus.PENDING, JobStatus.PROCESSING: GenerationStatus.PROCESSING,
                JobStatus.COMPLETED: GenerationStatus.COMPLETED}.get(self.job.status, GenerationStatus.FAILED)

    def get_status_display(self) -> str:
        return GenerationStatus(self.status).label


class ContentItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="content")
    generation = models.ForeignKey(Generation, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="content")
    content_type = models.CharField(max_length=8, choices=ContentType.choices)
    category = models.CharField(max_length=32, default="post")
    file = models.FileField(upload_to="personas/content/", blank=True)
    thumbnail = models.FileField(upload_to="personas/thumbnails/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    # An uploaded video's length and codec, as ffprobe read them (personas/video.py).
    duration_seconds = models.FloatField(null=True, blank=True)
    video_codec = models.CharField(max_length=16, blank=True)
    prompt = models.TextField(blank=True)
    caption = models.TextField(blank=True)
    hashtags = models.JSONField(default=list, blank=True)
    alt_text = models.TextField(blank=True)
    generation_settings = models.JSONField(default=dict, blank=True)
    quality_score = models.FloatField(null=True, blank=True)
    # What quality_score is made of (personas/quality.py): each part's 0-1 score and measurements.
    quality_parts = models.JSONField(default=dict, blank=True)
    is_nsfw = models.BooleanField(default=False)
    # What the checks before review found: {"nudity": [personas.safety.NudityCheck.as_dict() per image]}.
    safety = models.JSONField(default=dict, blank=True)
    # False for content a person composed by hand: no AI disclosure marks, approved as it is made.
    ai_generated = models.BooleanField(default=True)
    # Composed content may carry more images than the one in ``file``, in order:
    # ``{"file": stored name, "width", "height", "size"}`` each.
    extra_media = models.JSONField(default=list, blank=True)
    review = models.CharField(max_length=16, choices=Review.choices, default=Review.PENDING, db_index=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    times_used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=now, db_index=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["character", "review", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.content_type} {self.pk}"

    @property
    def is_approved(self) -> bool:
        return self.review == Review.APPROVED

    @property
    def media_names(self) -> list[str]:
        """Every stored media file of the item, in posting order."""
        return ([self.file.name] if self.file else []) + [media["file"] for media in self.extra_media]


class PlatformAccount(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="accounts")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    auth_type = models.CharField(max_length=16, choices=AuthType.choices)
    # The Mastodon instance or the Bluesky PDS this account lives on.
    server_url = models.URLField(blank=True)
    account_username = models.CharField(max_length=200, blank=True)
    account_url = models.URLField(blank=True)
    platform_user_id = models.CharField(max_length=200, blank=True)
    # Fernet tokens (config.crypto); never the plain credential.
    credentials_encrypted = models.TextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    connection_status = models.CharField(max_length=16, choices=ConnectionStatus.choices,
                                         default=ConnectionStatus.CONNECTED)
    status_detail = models.TextField(blank=True)
    follower_count = models.PositiveIntegerField(default=0)
    # Mastodon notifications are read from here on the next sync.
    notifications_cursor = models.CharField(max_length=200, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["platform", "account_username"]

    def __str__(self) -> str:
        return f"{self.platform}:{self.account_username}"

    @property
    def is_connected(self) -> bool:
        return self.connection_status == ConnectionStatus.CONNECTED


class OAuthAttempt(models.Model):
    """One person's trip to a platform's consent page, from ``start_oauth`` until the callback.

    ``state`` is the value the platform hands back; the PKCE verifier never left
    the server. Used once, and only within ``services.oauth.ATTEMPT_MINUTES``.
    """

    state = models.CharField(max_length=64, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=16, choices=Platform.choices)
    server_url = models.URLField(blank=True)  # the Mastodon instance
    code_verifier_encrypted = models.TextField()
    # Bluesky (AT Protocol OAuth) only: the issuer, token endpoint, PDS, DPoP private key and latest
    # nonce the callback needs, as encrypted JSON (``config.crypto.encrypt_json``).
    atproto_encrypted = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.platform} consent for {self.character_id}"


class OAuthRegistration(models.Model):
    """This deployment's app on one Mastodon instance (``POST /api/v1/apps``), registered once and reused."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    server_url = models.URLField()
    redirect_uri = models.URLField()
    client_id = models.CharField(max_length=200)
    client_secret_encrypted = models.TextField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "server_url", "redirect_uri"],
                                               name="personas_oauth_registration_once")]

    def __str__(self) -> str:
        return f"{self.platform} app on {self.server_url}"


class Post(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="posts")
    account = models.ForeignKey(PlatformAccount, on_delete=models.PROTECT, related_name="posts")
    content = models.ForeignKey(ContentItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    additional_content_ids = models.JSONField(default=list, blank=True)
    caption = models.TextField(blank=True)
    hashtags = models.JSONField(default=list, blank=True)
    mentions = models.JSONField(default=list, blank=True)
    post_type = models.CharField(max_length=16, default="post")
    status = models.CharField(max_length=16, choices=PostStatus.choices, default=PostStatus.DRAFT, db_index=True)
    # Sent to the platform (Mastodon Idempotency-Key, Bluesky rkey): a retry cannot post twice.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    platform_post_id = models.CharField(max_length=300, blank=True)
    platform_post_url = models.URLField(max_length=500, blank=True)
    likes_count = models.PositiveIntegerField(default=0)
    comments_count = models.PositiveIntegerField(default=0)
    shares_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error_message = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.account} {self.status}"


class ScheduledPost(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="scheduled_posts")
    account = models.ForeignKey(PlatformAccount, on_delete=models.PROTECT, related_name="scheduled_posts")
    content = models.ForeignKey(ContentItem, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="scheduled_posts")
    caption = models.TextField(blank=True)
    hashtags = models.JSONField(default=list, blank=True)
    post_type = models.CharField(max_length=16, default="post")
    # Stored in UTC; ``timezone`` is the zone the user chose it in (and recurrence keeps wall-clock time in).
    scheduled_at = models.DateTimeField(db_index=True)
    timezone = models.CharField(max_length=64, default="UTC")
    # An RFC 5545 RRULE ("FREQ=DAILY") or a cron line ("0 9 * * *"); blank: once.
    recurrence = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=ScheduleStatus.choices, default=ScheduleStatus.SCHEDULED,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a worker claimed the row (scheduled -> publishing); a claim this old belongs to a dead worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The occurrence being published: its post carries a key derived from it, so a restart reuses it.
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_error = models.TextField(blank=True)
    created_by_rule = models.ForeignKey("AutomationRule", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="scheduled_posts")
    created_at = models.DateTimeField(default=now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at"]
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return f"{self.account} at {self.scheduled_at:%Y-%m-%d %H:%M}"


class AutomationRule(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    trigger_type = models.CharField(max_length=32, choices=TriggerType.choices)
    # schedule: {"cron" or "rrule", "timezone"}; engagement_threshold: {"metric", "threshold"}
    trigger_config = models.JSONField(default=dict, blank=True)
    action = models.CharField(max_length=16, choices=RuleAction.choices, default=RuleAction.GENERATE)
    platforms = models.JSONField(default=list, blank=True)
    content_type = models.CharField(max_length=8, choices=ContentType.choices, default=ContentType.IMAGE)
    content_category = models.CharField(max_length=32, default="post")
    prompt_template = models.TextField(blank=True)
    caption_template = models.TextField(blank=True)
    hashtag_strategy = models.CharField(max_length=16, default="auto")
    max_posts_per_day = models.PositiveSmallIntegerField(default=1)
    cooldown_minutes = models.PositiveIntegerField(default=60)
    is_enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """One evaluation of a rule: what triggered it, what it did (or would have done), and why."""

    rule = models.ForeignKey(AutomationRule, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=RunStatus.choices)
    dry_run = models.BooleanField(default=False)
    # Loop guard: how many rule runs led to this one.
    depth = models.PositiveSmallIntegerField(default=0)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.rule} {self.status}"


class EngagementAction(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    character = models.ForeignKey(Character, on_delete=models.CASCADE, related_name="engagement")
    account = models.ForeignKey(PlatformAccount, on_delete=models.CASCADE, related_name="engagement")
    action_type = models.CharField(max_length=16, choices=EngagementType.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.OUTBOUND)
    target_type = models.CharField(max_length=16, default="post")
    target_id = models.CharField(max_length=300, blank=True)
    target_url = models.URLField(max_length=500, blank=True)
    comment_text = models.TextField(blank=True)
    # The platform's id of the notification (inbound) or the created object (outbound); unique per account.
    platform_action_id = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.PENDING)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["account", "direction", "platform_action_id"],
                                               condition=~models.Q(platform_action_id=""),
                                               name="engagement_platform_action_unique")]

    def __str__(self) -> str:
        return f"{self.action_type} {self.target_id}"


class MetricSample(models.Model):
    """A figure read from a platform at one moment; analytics aggregate these and nothing else."""

    account = models.ForeignKey(PlatformAccount, on_delete=models.CASCADE, related_name="metrics")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="metrics")
    metric = models.CharField(max_length=16, choices=Metric.choices)
    value = models.PositiveBigIntegerField()
    sampled_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["sampled_at"]
        indexes = [models.Index(fields=["account", "metric", "sampled_at"])]

    def __str__(self) -> str:
        return f"{self.metric}={self.value}"


class PersonaSettings(models.Model):
    """``/api/v1/settings``: the last document staff PUT, one row.

    Only ``storage`` is read from it. The engine sections are saved as AI engine
    settings (``config.ai.services``) and read from there, so the Engines page
    and this API never disagree; the copy here is a record of what was sent.
    """

    data = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "persona settings"

    def __str__(self) -> str:
        return "Persona settings"


class PersonaEvent(models.Model):
    """One message of ``/api/v1/ws/updates``, stored first so a socket in any process can replay it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["owner", "id"])]

    def __str__(self) -> str:
        return self.type

    def as_message(self) -> dict:
        return {"type": self.type, "data": self.data, "timestamp": iso8601(self.created_at)}
