"""Jobs: the persisted state of every piece of background work.

The database is the source of truth for progress. ``JobEvent`` rows are the
stream WebSocket clients replay; the channel layer only announces new rows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.jobs.choices import FINISHED_STATUSES, Cluster, EventType, JobStatus, StepStatus
from config.timestamps import iso8601

# A kind's first part names its app; what people call that app.
PRODUCT_NAMES = {"staging": "Virtual staging", "catalog": "Product photo analysis", "designs": "3D design",
                 "personas": "AI persona", "floorplans": "Floor plan", "platform": "Platform self-test"}


class JobQuerySet(models.QuerySet):
    def for_user(self, user) -> "JobQuerySet":
        return self.filter(owner=user)

    def unfinished(self) -> "JobQuerySet":
        return self.exclude(status__in=FINISHED_STATUSES)


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    # "<app>.<what>", e.g. "staging.stage"; apps filter their own jobs by it.
    kind = models.CharField(max_length=64, db_index=True)
    # Dotted path of the django-q2 entry point, called with the job id.
    task = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    progress = models.FloatField(default=0.0)
    current_step = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=2)
    timeout_seconds = models.PositiveIntegerField(default=600)
    cluster = models.CharField(max_length=16, choices=Cluster.choices, default=Cluster.DEFAULT)
    # Metered jobs take one unit of plan usage; usage_counted is True while
    # that unit is held, and turns False when a failure refunds it.
    metered = models.BooleanField(default=True)
    usage_counted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set once the broker accepted the task; a queued job without it (broker
    # down, process killed after commit) is handed over again by the sweep.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # "host:pid" of the worker process running the current attempt, so a
    # worker that died (SIGKILL, OOM) is noticed on its machine and its job
    # retried instead of waiting out the timeout.
    worker = models.CharField(max_length=128, blank=True)
    # Dotted path called with the job once it ends, however it ends (config/jobs/ending.py).
    on_finish = models.CharField(max_length=200, blank=True)
    # Whether the owner may be emailed when it ends (their profile decides too),
    # and when they were, so they are told once per job even if it is retried.
    notify_owner = models.BooleanField(default=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    def describe(self) -> str:
        """The job in words for people: the product it belongs to."""
        return f"{PRODUCT_NAMES.get(self.kind.split('.')[0].split('_')[0], 'Your')} job"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def duration_ms(self) -> int | None:
        if self.started_at and self.finished_at:
            return int((self.finished_at - self.started_at).total_seconds() * 1000)
        return None


class JobStep(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=64)
    # Steps of a batch may repeat per item; ``item`` tells them apart.
    item = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    result_data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["job", "name", "item"], name="unique_step_per_job_item")]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class JobEvent(models.Model):
    """One message of a job's stream, in order (``id`` is the replay cursor)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")
    # Copied from the job so a user's dashboard stream is one indexed query.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=32, choices=EventType.choices)
    step = models.CharField(max_length=64, blank=True)
    item = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, blank=True)
    completed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    fraction = models.FloatField(default=0.0)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["job", "id"]), models.Index(fields=["owner", "id"])]

    def __str__(self) -> str:
        return f"{self.type} {self.step} {self.status}".strip()

    def as_message(self) -> dict:
        """The wire format: seed 001's WebSocket message, used by every app.

        Load events with ``select_related("job")``: the message names the job's kind.
        """
        return {
            "type": self.type,
            "event_id": self.id,
            "job_id": str(self.job_id),
            "kind": self.job.kind,
            "image_id": self.item or None,
            "step": self.step or None,
            "status": self.status,
            "progress": {"completed": self.completed, "total": self.total},
            "fraction": round(self.fraction, 4),
            "data": self.data,
            "timestamp": iso8601(self.created_at),
        }
