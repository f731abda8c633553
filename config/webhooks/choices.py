"""Named constants for webhooks: the events an endpoint can subscribe to, and delivery states."""

from django.db import models


class Event:
    """Every event StageCraft sends. An endpoint subscribes to some (or, with none listed, to all)."""

    JOB_COMPLETED = "job.completed"
    JOB_FAILED = "job.failed"
    JOB_CANCELLED = "job.cancelled"
    STAGING_COMPLETED = "staging.completed"
    CATALOG_ANALYSIS_COMPLETED = "catalog.analysis.completed"
    CATALOG_BATCH_COMPLETED = "catalog.batch.completed"
    FLOORPLAN_ANALYSIS_COMPLETED = "floorplan.analysis.completed"
    PERSONAS_CONTENT_READY = "personas.content.ready"
    PERSONAS_POST_PUBLISHED = "personas.post.published"
    PERSONAS_POST_FAILED = "personas.post.failed"
    # Sent on request to one endpoint, whatever it subscribes to; not subscribable.
    TEST = "webhook.test"


EVENTS: tuple[str, ...] = (
    Event.JOB_COMPLETED, Event.JOB_FAILED, Event.JOB_CANCELLED, Event.STAGING_COMPLETED,
    Event.CATALOG_ANALYSIS_COMPLETED, Event.CATALOG_BATCH_COMPLETED, Event.FLOORPLAN_ANALYSIS_COMPLETED,
    Event.PERSONAS_CONTENT_READY, Event.PERSONAS_POST_PUBLISHED, Event.PERSONAS_POST_FAILED,
)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
