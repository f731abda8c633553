"""Named constants for jobs, steps and events."""

from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED_STATUSES = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)


class StepStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class EventType(models.TextChoices):
    JOB_QUEUED = "job_queued", "Job queued"
    JOB_STARTED = "job_started", "Job started"
    STEP_UPDATE = "step_update", "Step update"
    JOB_COMPLETE = "job_complete", "Job complete"
    JOB_FAILED = "job_failed", "Job failed"
    JOB_CANCELLED = "job_cancelled", "Job cancelled"


# After these a job's stream is over and its socket closes.
TERMINAL_EVENTS = (EventType.JOB_COMPLETE, EventType.JOB_FAILED, EventType.JOB_CANCELLED)


class Cluster(models.TextChoices):
    DEFAULT = "default", "Default"
    GPU = "gpu", "GPU"
