"""The ``/api/v1/ws/updates`` events: stored, then announced on the channel layer.

Services call ``notify(owner, EventName.POST_PUBLISHED, {...})``. Like job
events, a row is written first and the doorbell rings after commit (in the
embedded mode across processes too, ``config.jobs.process_doorbell``); sockets
that miss it find the row on their next poll.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import models, transaction

from config.jobs import process_doorbell
from personas.models import PersonaEvent

logger = logging.getLogger("stagecraft.personas")

DOORBELL = "jobs.doorbell"  # the handler name EventStreamConsumer already answers


class EventName(models.TextChoices):
    POST_PUBLISHED = "post_published"
    CONTENT_GENERATED = "content_generated"
    GENERATION_COMPLETED = "generation_completed"
    GENERATION_FAILED = "generation_failed"
    ENGAGEMENT_ACTION_COMPLETED = "engagement_action_completed"
    ACCOUNT_CONNECTED = "account_connected"
    ACCOUNT_DISCONNECTED = "account_disconnected"
    ERROR_OCCURRED = "error_occurred"


def updates_group(user_id) -> str:
    return f"personas.{user_id}"


def notify(owner, type: str, data: dict) -> PersonaEvent:
    """Store one update for ``owner`` and ring their sockets after commit."""
    event = PersonaEvent.objects.create(owner=owner, type=type, data=data)
    transaction.on_commit(lambda: _ring(owner.pk, event.pk))
    return event


def _ring(owner_id, event_id: int) -> None:
    process_doorbell.ring([updates_group(owner_id)], event_id)  # the embedded mode's web processes
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(updates_group(owner_id), {"type": DOORBELL, "event_id": event_id})
    except Exception:  # the row is saved; pollers will still see it
        logger.warning("Channel layer unavailable; persona event %s left to polling", event_id, exc_info=True)
