"""Styles, disclosure profiles, stagings and batches."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.jobs.choices import JobStatus
from config.jobs.models import Job
from staging.choices import (
    DisclosureMark,
    PriceRange,
    QualityMode,
    RoomType,
    RoomTypeSource,
    StagingMode,
    StagingStatus,
)

STATUS_OF_JOB = {
    JobStatus.QUEUED: StagingStatus.QUEUED,
    JobStatus.PROCESSING: StagingStatus.PROCESSING,
    JobStatus.COMPLETED: StagingStatus.COMPLETED,
}


class StyleQuerySet(models.QuerySet):
    def active(self) -> "StyleQuerySet":
        return self.filter(active=True)


class Style(models.Model):
    id = models.SlugField(primary_key=True, max_length=50)
    name = models.CharField(max_length=100)
    description = models.TextField()
    preview_image = models.ImageField(upload_to="staging/styles/", blank=True)
    best_for = models.JSONField(default=list, blank=True)
    price_range = models.CharField(max_length=16, choices=PriceRange.choices, default=PriceRange.LUXURY)
    # "{room}" and "{quality}" are filled in; see pipeline.build_prompt.
    prompt_template = models.TextField()
    negative_prompt = models.TextField(blank=True)
    # Hex colours shown in the style gallery until staff upload a preview photo.
    palette = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = StyleQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class DisclosureProfile(models.Model):
    """What one listing rule requires of a virtually staged photo."""

    slug = models.SlugField(unique=True, max_length=50)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    mark = models.CharField(max_length=16, choices=DisclosureMark.choices, default=DisclosureMark.CAPTION)
    statement = models.CharField(max_length=200, default="Virtually staged")
    link_to_original = models.BooleanField(default=False, help_text="Print the unaltered original's URL as text.")
    description_text = models.CharField(max_length=300, blank=True,
                                        help_text="Words the listing's photo description must carry.")
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class StagingPreferences(models.Model):
    """A user's staging defaults (kept here: accounts knows nothing of staging)."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    disclosure_profile = models.ForeignKey(DisclosureProfile, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name_plural = "staging preferences"

    def __str__(self) -> str:
        return f"Staging preferences of {self.owner_id}"


class BatchQuerySet(models.QuerySet):
    def for_user(self, user) -> "BatchQuerySet":
        return self.filter(owner=user)


class Batch(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staging_batches")
    property_name = models.CharField(max_length=200, blank=True)
    style = models.ForeignKey(Style, on_delete=models.PROTECT, related_name="+")
    total_images = models.PositiveIntegerField(default=0)
    estimated_completion_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "batches"

    def __str__(self) -> str:
        return self.property_name or str(self.id)


class RoomSetQuerySet(models.QuerySet):
    def for_user(self, user) -> "RoomSetQuerySet":
        return self.filter(owner=user).select_related("style")


class RoomSet(models.Model):
    """2-8 photos of one room staged with the same furniture: the first staged alone, the others
    with the same seed and the first result as their reference (``POST /api/stage/room-set``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staging_room_sets")
    style = models.ForeignKey(Style, on_delete=models.PROTECT, related_name="+")
    room_type = models.CharField(max_length=50, choices=RoomType.choices)
    property_name = models.CharField(max_length=200, blank=True)
    seed = models.BigIntegerField()
    reference = models.ForeignKey("Staging", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The weakest photo's similarity to the reference (0-1), once a photo after the first is staged.
    consistency = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RoomSetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.property_name or str(self.id)

    @property
    def status(self) -> str:
        """queued, processing, completed (every photo) or failed (any photo), read from the photos' jobs."""
        statuses = {staging.status for staging in self.stagings.select_related("job")}
        if StagingStatus.FAILED in statuses:
            return StagingStatus.FAILED
        if statuses == {StagingStatus.COMPLETED}:
            return StagingStatus.COMPLETED
        return StagingStatus.QUEUED if statuses <= {StagingStatus.QUEUED} else StagingStatus.PROCESSING


class StagingQuerySet(models.QuerySet):
    def for_user(self, user) -> "StagingQuerySet":
        return self.filter(owner=user).select_related("job", "style", "disclosure_profile")

    def with_status(self, status: str) -> "StagingQuerySet":
        if status == StagingStatus.FAILED:
            return self.filter(job__status__in=[JobStatus.FAILED, JobStatus.CANCELLED])
        return self.filter(job__status=status)


class Staging(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stagings")
    # Status, progress, error and completion time are the job's: one source of
    # truth, so a job failed by the sweep or a timeout is a failed staging too.
    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="staging")
    # Input
    original_image = models.FileField(max_length=300)
    original_width = models.PositiveIntegerField(default=0)
    original_height = models.PositiveIntegerField(default=0)
    style = models.ForeignKey(Style, on_delete=models.PROTECT, related_name="stagings")
    room_type = models.CharField(max_length=50, choices=RoomType.choices, blank=True)
    room_type_source = models.CharField(max_length=20, choices=RoomTypeSource.choices, blank=True)
    quality_mode = models.CharField(max_length=20, choices=QualityMode.choices, default=QualityMode.PREMIUM)
    disclosure_profile = models.ForeignKey(DisclosureProfile, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="stagings")
    mode = models.CharField(max_length=24, choices=StagingMode.choices, default=StagingMode.STAGE)
    # Output
    staged_image = models.FileField(max_length=300, blank=True)
    download_image = models.FileField(max_length=300, blank=True)
    web_image = models.FileField(max_length=300, blank=True)
    thumbnail = models.FileField(max_length=300, blank=True)
    # Decluttering's emptied room (lossless, signed, at full size) and its own figures: integrity,
    # emptiness, quality and the pixel lock of the stored file. In ``declutter`` mode the delivered
    # files above are this room's renditions; in ``declutter_and_stage`` they are the staged room's.
    emptied_image = models.FileField(max_length=300, blank=True)
    emptied_figures = models.JSONField(default=dict, blank=True)
    processing_time_ms = models.PositiveIntegerField(null=True, blank=True)
    quality_score = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    quality_parts = models.JSONField(default=dict, blank=True)
    architectural_integrity = models.BooleanField(null=True, blank=True)
    integrity_score = models.FloatField(null=True, blank=True)
    integrity_parts = models.JSONField(default=dict, blank=True)
    pixel_lock_share = models.FloatField(
        null=True, blank=True, help_text="Share of unmasked pixels of the stored files within ΔE 1 of the original.")
    pixel_lock_parts = models.JSONField(default=list, blank=True)
    provenance = models.JSONField(default=dict, blank=True)
    interior_labels = models.JSONField(default=list, blank=True)
    engine = models.CharField(max_length=50, blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    seed = models.BigIntegerField(null=True, blank=True)
    variant_count = models.PositiveSmallIntegerField(default=1)
    # Metadata
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    property_name = models.CharField(max_length=200, blank=True, db_index=True)
    batch = models.ForeignKey(Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="stagings")
    # A revision (POST /api/stage/{id}/revise): the first staging of its line, and what this one changed.
    revision_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="revisions")
    instruction = models.CharField(max_length=200, blank=True)
    # Variants (``variants`` of POST /api/stage): the first of the group, and the one the agent chose.
    variant_of = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="other_variants")
    chosen = models.BooleanField(default=False)
    # A room set's photo, and how alike its furnished area is to the set's first result.
    room_set = models.ForeignKey(RoomSet, on_delete=models.SET_NULL, null=True, blank=True, related_name="stagings")
    consistency_score = models.FloatField(null=True, blank=True)
    consistency_parts = models.JSONField(default=dict, blank=True)
    # Retention: files are deleted after STAGING_RETENTION_DAYS; the row stays.
    files_deleted_at = models.DateTimeField(null=True, blank=True)

    objects = StagingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.style_id} staging {self.id}"

    @property
    def status(self) -> str:
        """Seed 000's status: queued, processing, completed or failed (a cancelled job failed)."""
        return STATUS_OF_JOB.get(self.job.status, StagingStatus.FAILED)

    def file_key(self, name: str) -> str:
        """Stable storage key of one of this staging's files."""
        return f"staging/{self.owner_id}/{self.id}/{name}"


class StagingDraft(models.Model):
    """A photo uploaded while no image engine could stage it, kept with its settings until staged or deleted.

    A page feature: the API's stagings are ``Staging`` rows, each with its job;
    a draft has no job and takes no usage until it is staged.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staging_drafts")
    original_image = models.FileField(max_length=300)
    original_width = models.PositiveIntegerField(default=0)
    original_height = models.PositiveIntegerField(default=0)
    style = models.ForeignKey(Style, on_delete=models.PROTECT, related_name="+")
    room_type = models.CharField(max_length=50, choices=RoomType.choices, blank=True)
    quality_mode = models.CharField(max_length=20, choices=QualityMode.choices, default=QualityMode.PREMIUM)
    disclosure_profile = models.ForeignKey(DisclosureProfile, on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+")
    mode = models.CharField(max_length=24, choices=StagingMode.choices, default=StagingMode.STAGE)
    property_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"draft {self.pk} ({self.style_id})"
