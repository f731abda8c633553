"""Floor plan sessions, their rooms, photos and analysis revisions."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.jobs.choices import JobStatus
from config.jobs.models import Job
from floorplans.choices import AnalysisSource, Direction, Grade, ReviewStatus, RoomKind, SatelliteStatus, StartingCorner


def default_expiry():
    return timezone.now() + timedelta(days=settings.FLOORPLANS_SESSION_DAYS)


class SessionQuerySet(models.QuerySet):
    def for_user(self, user) -> "SessionQuerySet":
        return self.filter(owner=user).select_related("satellite_job")

    def expired(self) -> "SessionQuerySet":
        return self.filter(expires_at__lte=timezone.now())


class FloorplanSession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="floorplan_sessions")
    address = models.CharField(max_length=300)
    starting_corner = models.CharField(max_length=2, choices=StartingCorner.choices, blank=True)
    current_step = models.CharField(max_length=50, blank=True, default="room-type")
    current_room_index = models.PositiveSmallIntegerField(default=0)
    house_bounds = models.JSONField(null=True, blank=True)
    # The latest satellite lookup. ``satellite_status`` is read from it, so a lookup the sweep, a lost
    # worker or a cancel ended is a failed lookup with no settling code.
    satellite_job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    room_positions = models.JSONField(default=dict, blank=True)
    shared_walls = models.JSONField(default=list, blank=True)
    merged_plan_svg = models.TextField(blank=True)
    final_plan_svg = models.TextField(blank=True)
    calibration = models.JSONField(null=True, blank=True)
    is_finalized = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(default=default_expiry, db_index=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.address

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def satellite_status(self) -> str:
        """``processing`` while the lookup runs, then ``done`` or ``failed``; empty before any lookup."""
        job = self.satellite_job
        if job is None:
            return ""
        if job.status == JobStatus.COMPLETED:
            return SatelliteStatus.DONE
        return SatelliteStatus.FAILED if job.is_finished else SatelliteStatus.PROCESSING

    @property
    def storage_prefix(self) -> str:
        """Where every file of the session is stored (photos, annotations, the aerial image)."""
        return f"floorplans/{self.owner_id}/{self.pk}/"


class Room(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(FloorplanSession, on_delete=models.CASCADE, related_name="rooms")
    index = models.PositiveSmallIntegerField()
    type = models.CharField(max_length=30, choices=RoomKind.choices)
    label = models.CharField(max_length=100)
    review_status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    analysis = models.JSONField(null=True, blank=True)
    analysis_source = models.CharField(max_length=20, choices=AnalysisSource.choices, blank=True)
    analysis_confidence = models.FloatField(null=True, blank=True)
    svg_data = models.TextField(blank=True)
    revision_number = models.PositiveIntegerField(default=0)
    position = models.JSONField(null=True, blank=True)
    connections = models.JSONField(default=list, blank=True)
    # ANSI Z765 inputs: whether the room is finished living space and where it sits.
    finished = models.BooleanField(default=True)
    grade = models.CharField(max_length=10, choices=Grade.choices, default=Grade.ABOVE)

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["session", "index"], name="unique_room_index")]

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self) -> str:
        """The label as pages say it: the document's ``Living Room#1`` reads "Living room 1"."""
        name, _, number = self.label.rpartition("#")
        if not name or not number.isdigit():
            return self.label
        return f"{name.capitalize()} {number}"


class RoomPhoto(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="photos")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    image = models.FileField(max_length=300)
    compass_heading = models.FloatField(null=True, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "direction"], name="unique_photo_direction")]

    def __str__(self) -> str:
        return f"{self.room} {self.direction}"


class RoomRevision(models.Model):
    """Every analysis a room has had, so any of them can be restored."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    source = models.CharField(max_length=20, choices=AnalysisSource.choices)
    feedback = models.TextField(blank=True)
    changes = models.JSONField(default=list, blank=True)
    analysis = models.JSONField()
    confidence = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["room", "number"], name="unique_revision_number")]

    def __str__(self) -> str:
        return f"{self.room} r{self.number}"
