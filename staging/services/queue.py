"""Whether the staging queue takes more work, and when queued work should be done."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Avg
from django.utils import timezone

from config.ai import registry
from config.jobs.choices import JobStatus
from config.jobs.models import Job
from staging import dispatch
from staging.errors import MaintenanceMode, QueueFull
from staging.models import Staging


def ensure_accepting(count: int = 1):
    """Raise ``MaintenanceMode``; ``QueueFull`` (503, Retry-After) when ``count`` more stagings
    would pass ``STAGING_MAX_QUEUED`` waiting for the GPU; or ``EngineUnavailable`` (503)
    unless the image engine can really generate: diffusers weights on disk, or the
    AUTOMATIC1111 server answering its model list. Returns that engine."""
    if settings.STAGING_MAINTENANCE_MODE:
        raise MaintenanceMode()
    waiting = Job.objects.filter(kind=dispatch.JOB_KIND, status=JobStatus.QUEUED).count()
    if waiting + count > settings.STAGING_MAX_QUEUED:
        # Roughly when there is room again: when the last of these would be done.
        seconds = (estimate_completion(count) - timezone.now()).total_seconds()
        raise QueueFull(details={"queued": waiting, "limit": settings.STAGING_MAX_QUEUED},
                        retry_after=int(min(3600, max(30, seconds))))
    return registry.ready_image_generator()


def average_processing_ms() -> int | None:
    """Mean processing time of stagings completed in the last day (real data, or None)."""
    since = timezone.now() - timedelta(days=1)
    value = Staging.objects.filter(job__status=JobStatus.COMPLETED, job__finished_at__gte=since,
                                   processing_time_ms__isnull=False).aggregate(avg=Avg("processing_time_ms"))["avg"]
    return int(value) if value is not None else None


def estimate_completion(count: int):
    """When ``count`` new stagings should be done, from the queue and recent timings."""
    per_image = average_processing_ms() or settings.STAGING_QUALITY["premium"]["steps"] * 1000
    waiting = Staging.objects.filter(job__status__in=[JobStatus.QUEUED, JobStatus.PROCESSING]).count()
    workers = max(1, settings.Q_CLUSTER["ALT_CLUSTERS"]["gpu"]["workers"])
    return timezone.now() + timedelta(milliseconds=per_image * (waiting + count) / workers)
