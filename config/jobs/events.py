"""Persist job events and ring the doorbell.

An event is a row first. After the surrounding transaction commits, a short
"new events" message goes to the job's and the owner's channel-layer groups so
connected consumers read the new rows at once; in the embedded mode, whose
channel layer stays in one process, ``process_doorbell`` carries it to the web
processes. The doorbell is best effort: a consumer that misses it (Redis down,
a lost datagram) still finds the rows on its next poll.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from config.jobs import process_doorbell
from config.jobs.models import Job, JobEvent

logger = logging.getLogger("stagecraft.jobs")

DOORBELL = "jobs.doorbell"


def job_group(job_id) -> str:
    return f"job.{job_id}"


def user_group(user_id) -> str:
    return f"user.{user_id}"


def record_event(job: Job, type: str, *, step: str = "", item: str = "", status: str = "",
                 completed: int = 0, total: int = 0, data: dict | None = None) -> JobEvent:
    """Store one event of ``job``'s stream and announce it after commit."""
    event = JobEvent.objects.create(
        job=job, owner_id=job.owner_id, type=type, step=step, item=item, status=status,
        completed=completed, total=total, fraction=job.progress, data=data or {},
    )
    transaction.on_commit(lambda: ring_doorbell(job.pk, job.owner_id, event.pk))
    return event


def ring_doorbell(job_id, owner_id, event_id: int) -> None:
    process_doorbell.ring([job_group(job_id), user_group(owner_id)], event_id)  # the embedded mode's processes
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": DOORBELL, "event_id": event_id}
    try:
        async_to_sync(layer.group_send)(job_group(job_id), message)
        async_to_sync(layer.group_send)(user_group(owner_id), message)
    except Exception:  # the rows are saved; pollers will still see them
        logger.warning("Channel layer unavailable; event %s will be picked up by polling", event_id, exc_info=True)
