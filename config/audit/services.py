"""Writing audit events: one INSERT each, nothing read back."""

import ipaddress
import logging
from typing import Any

from django.db import DatabaseError, models

from config.audit.choices import AuditAction
from config.audit.context import current_request
from config.audit.models import AuditEvent

logger = logging.getLogger("stagecraft.audit")

# Bounds on what a caller (or an attacker, through a path or a login name) can make us store.
MAX_TEXT = 300


def _clip(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, dict):
        return {str(key)[:64]: _clip(item) for key, item in list(value.items())[:20]}
    if isinstance(value, (list, tuple)):
        return [_clip(item) for item in value[:20]]
    return value


def client_ip(request) -> str | None:
    """The client address as the ASGI server saw it.

    Behind a load balancer, uvicorn's ``--proxy-headers --forwarded-allow-ips``
    puts the real client here (docs/deploy.md); a raw X-Forwarded-For is never
    trusted, since any client can send one.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    try:  # PostgreSQL stores it as inet: anything else would fail the insert
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def record(action: AuditAction | str, *, actor=None, target: models.Model | None = None, target_type: str = "",
           target_id: str = "", detail: dict | None = None, request=None) -> AuditEvent:
    """Store one audit event.

    ``actor`` defaults to the signed-in user of the current request (none
    outside a request); ``ip`` and ``request_id`` come from the request.
    ``target`` fills ``target_type``/``target_id`` from a model instance.
    Never pass secrets in ``detail``: it is shown to staff as is. Runs in the
    caller's transaction, so an action that rolls back leaves no event.
    """
    request = request if request is not None else current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    return AuditEvent.objects.create(
        action=action, actor=actor, actor_email=getattr(actor, "email", "") or "",
        ip=client_ip(request), target_type=target_type[:100], target_id=str(target_id)[:64],
        detail=_clip(detail or {}), request_id=getattr(request, "request_id", "") if request is not None else "",
    )


def record_quietly(action: AuditAction | str, **kwargs: Any) -> AuditEvent | None:
    """``record``, but a database failure is logged instead of raised.

    For events seen on the way out of a request (a 403, a failed sign-in):
    the answer the client gets must not change because the audit insert failed.
    """
    try:
        return record(action, **kwargs)
    except DatabaseError:
        logger.warning("Could not record audit event %s", action, exc_info=True)
        return None
