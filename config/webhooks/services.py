"""Every write on webhooks: endpoints, emitting events, one delivery attempt, retries, disabling.

Apps call ``emit(owner, event, payload)`` when something happens; the job
events are emitted by ``config.jobs.ending`` through ``emit_job_event``. A
delivery is recorded in the caller's transaction and handed to django-q2 only
after commit, so no receiver hears of work that rolled back. Each attempt runs
in a worker (``tasks.run_delivery``); failed ones are retried by the minute
sweep (``enqueue_due_deliveries``) on ``delivery.RETRY_DELAYS`` for 24 hours,
after which the endpoint is disabled and its owner emailed.
"""

import json
import logging
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from config import crypto, net
from config.jobs.api.serializers import JobSerializer
from config.jobs.choices import JobStatus
from config.jobs.models import Job
from config.timestamps import now_iso8601
from config.webhooks import delivery as http
from config.webhooks import selectors, signing
from config.webhooks.choices import EVENTS, DeliveryStatus, Event
from config.webhooks.errors import EndpointDisabled, TooManyEndpoints, UnknownEvent, URLNotAllowed
from config.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("stagecraft.webhooks")

MAX_ENDPOINTS = 20
MAX_URL_LENGTH = 2000
TASK = "config.webhooks.tasks.run_delivery"
TASK_TIMEOUT = 120  # seconds: four hops of ten-second timeouts, with room to spare
# While an attempt runs its delivery is not due; if the worker dies, the sweep sends it again after this.
ATTEMPT_LEASE = timedelta(minutes=5)
# A due delivery the broker took but no worker ran (a lost message) is handed over again after this.
REQUEUE_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 500
JOB_EVENTS = {JobStatus.COMPLETED: Event.JOB_COMPLETED, JobStatus.FAILED: Event.JOB_FAILED,
              JobStatus.CANCELLED: Event.JOB_CANCELLED}
_JOB_EVENT_IDS = uuid.UUID("5d1f3c52-8a57-4c55-9f4e-2b7f3f0c9e61")


# --- endpoints -----------------------------------------------------------------------------------------


def create_endpoint(owner, *, url: str, events: list[str]) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint for ``events`` (empty: every event); return it with its secret, which is shown once.

    Raises ``URLNotAllowed`` for a URL the outbound policy refuses, ``UnknownEvent``
    and ``TooManyEndpoints``.
    """
    url, events = _checked_url(url), _checked_events(events)
    if WebhookEndpoint.objects.for_user(owner).count() >= MAX_ENDPOINTS:
        raise TooManyEndpoints(f"An account may have {MAX_ENDPOINTS} webhook endpoints.")
    secret = signing.new_secret()
    endpoint = WebhookEndpoint.objects.create(owner=owner, url=url, events=events,
                                              secret_encrypted=crypto.encrypt(secret))
    return endpoint, secret


def update_endpoint(owner, *, endpoint_id, url: str | None = None, events: list[str] | None = None,
                    active: bool | None = None) -> WebhookEndpoint:
    """Change an endpoint's URL, events or state; ``None`` leaves a field as it is.

    Enabling clears the reason it was disabled. Disabling stops its pending deliveries.
    """
    endpoint = selectors.endpoint_for(owner, endpoint_id)
    changes = {}
    if url is not None:
        changes["url"] = _checked_url(url)
    if events is not None:
        changes["events"] = _checked_events(events)
    if active is True:
        changes.update(active=True, disabled_reason="")
    with transaction.atomic():
        if changes:  # only the fields asked for: a worker may be disabling the endpoint at this moment
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**changes)
        if active is False:
            disable_endpoint(endpoint, reason="Disabled by its owner.", notify=False)
    endpoint.refresh_from_db()
    return endpoint


def delete_endpoint(owner, *, endpoint_id) -> None:
    """Delete an endpoint with its deliveries: pending ones are never sent (their task finds no row)."""
    selectors.endpoint_for(owner, endpoint_id).delete()


def disable_endpoint(endpoint: WebhookEndpoint, *, reason: str, notify: bool = True) -> bool:
    """Disable ``endpoint`` and fail its pending deliveries; email the owner once if ``notify``.

    Returns False when it was already disabled (whoever disabled it told the owner).
    """
    with transaction.atomic():
        if not WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
                active=False, disabled_reason=reason[:300]):
            return False
        WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, enqueued_at=None)
        if notify:
            transaction.on_commit(lambda: _email_disabled(endpoint.pk))
    return True


def _checked_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > MAX_URL_LENGTH:
        raise URLNotAllowed(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if not net.is_http_url(url):
        raise URLNotAllowed(net.HTTP_URL_HINT)
    try:
        net.check_url(url)
    except net.OutboundRefused as exc:
        raise URLNotAllowed(str(exc)) from None
    except ValueError:  # urlsplit: an unbalanced IPv6 bracket
        raise URLNotAllowed("This is not a valid URL.") from None
    return url


def _checked_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise UnknownEvent(f"Unknown event {', '.join(repr(name[:64]) for name in unknown[:5])}. "
                           f"Known events: {', '.join(EVENTS)}.", details={"unknown": unknown[:20]})
    return [event for event in EVENTS if event in events]  # the canonical order, no duplicates


def _email_disabled(endpoint_id) -> None:
    endpoint = WebhookEndpoint.objects.select_related("owner").filter(pk=endpoint_id).first()
    if endpoint is None:
        return
    link = settings.SITE_URL + reverse("webhooks:detail", args=[endpoint.pk])
    body = (f"StageCraft disabled your webhook endpoint {endpoint.url}.\n\n{endpoint.disabled_reason}\n\n"
            f"Its deliveries and their answers are listed here; enable it again once it answers 2xx:\n{link}\n")
    try:
        send_mail("Your StageCraft webhook was disabled", body, settings.DEFAULT_FROM_EMAIL, [endpoint.owner.email])
    except Exception:
        logger.exception("Could not email the owner of webhook endpoint %s", endpoint.pk)


# --- events --------------------------------------------------------------------------------------------


def emit(owner, event: str, payload: dict, *, event_id: str | None = None) -> None:
    """Record ``event`` with ``payload`` for each of ``owner``'s active endpoints that wants it.

    The deliveries are queued after the caller's transaction commits. ``payload``
    becomes the body's ``data`` (datetimes, UUIDs and decimals are written as
    JSON strings). ``event_id`` (the ``webhook-id``) makes emitting idempotent:
    an endpoint gets one delivery per id. ``ValueError`` for an unknown event.
    """
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}; the known ones are config.webhooks.choices.EVENTS.")
    endpoints = [endpoint for endpoint in WebhookEndpoint.objects.filter(owner=owner, active=True)
                 if endpoint.wants(event)]
    if not endpoints:
        return
    body = _body(event, payload)
    event_id = event_id or _new_event_id()
    for endpoint in endpoints:
        _record_delivery(endpoint, event=event, event_id=event_id, body=body)


def emit_job_event(job: Job) -> None:
    """Emit ``job.completed``, ``job.failed`` or ``job.cancelled`` with the job as the jobs API shows it.

    The event id is derived from the job and its end, so a job's end settled
    twice (the sweep may meet it again) is delivered once.
    """
    event = JOB_EVENTS.get(job.status)
    if event is None:
        return
    ended = job.finished_at.isoformat() if job.finished_at else ""
    event_id = "msg_" + uuid.uuid5(_JOB_EVENT_IDS, f"{job.pk}:{job.status}:{ended}").hex
    emit(job.owner_id, event, dict(JobSerializer(job).data), event_id=event_id)


def send_test_event(owner, *, endpoint_id) -> WebhookDelivery:
    """Queue a ``webhook.test`` event to one endpoint, whatever events it subscribes to."""
    endpoint = selectors.endpoint_for(owner, endpoint_id)
    if not endpoint.active:
        raise EndpointDisabled()
    data = {"endpoint_id": str(endpoint.pk), "message": "A test event from StageCraft."}
    return _record_delivery(endpoint, event=Event.TEST, event_id=_new_event_id(), body=_body(Event.TEST, data))


def resend_delivery(owner, *, endpoint_id, delivery_id) -> WebhookDelivery:
    """Send a delivery again now, with the same id and body, and a fresh 24-hour retry window."""
    delivery = selectors.delivery_for(owner, endpoint_id=endpoint_id, delivery_id=delivery_id)
    if not delivery.endpoint.active:
        raise EndpointDisabled()
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, next_attempt_at=now, enqueued_at=None, window_started_at=now)
        transaction.on_commit(lambda: enqueue(delivery.pk, due=now))
    delivery.refresh_from_db()
    return delivery


def _body(event: str, data: dict) -> dict:
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return {"type": event, "timestamp": now_iso8601(), "data": data}


def _new_event_id() -> str:
    return "msg_" + uuid.uuid4().hex


def _record_delivery(endpoint: WebhookEndpoint, *, event: str, event_id: str, body: dict) -> WebhookDelivery:
    now = timezone.now()
    with transaction.atomic():
        delivery, created = WebhookDelivery.objects.get_or_create(
            endpoint=endpoint, event_id=event_id,
            defaults={"event_type": event, "payload": body, "next_attempt_at": now, "window_started_at": now})
        if created:
            transaction.on_commit(lambda: enqueue(delivery.pk, due=now))
    return delivery


# --- delivering ----------------------------------------------------------------------------------------


def enqueue(delivery_id, *, due: datetime) -> None:
    """Hand one attempt to django-q2; never raises.

    A broker that is down leaves ``enqueued_at`` empty and the minute sweep tries again.
    """
    try:
        async_task(TASK, str(delivery_id), task_name=f"webhook:{delivery_id}", timeout=TASK_TIMEOUT)
    except Exception:
        logger.warning("Broker unavailable; webhook delivery %s waits for the sweep", delivery_id, exc_info=True)
        return
    # Conditional on the due time: a worker that already claimed the attempt has moved it.
    WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at=due).update(
        enqueued_at=timezone.now())


def enqueue_due_deliveries() -> int:
    """Every minute: hand due retries, and attempts whose worker died or whose message was lost, to the broker."""
    now = timezone.now()
    due = list(WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
               .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_AFTER))
               .order_by("next_attempt_at").values_list("pk", "next_attempt_at")[:SWEEP_BATCH])
    for delivery_id, due_at in due:
        enqueue(delivery_id, due=due_at)
    return len(due)


def attempt_delivery(delivery_id) -> WebhookAttempt | None:
    """Make the due attempt of one delivery and record it; None when there was nothing to do.

    Safe to run twice: the conditional UPDATE below is the claim, so of two
    workers given the same delivery one sends and the other returns. A delivery
    whose endpoint was deleted is gone, so nothing is sent.
    """
    now = timezone.now()
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if (delivery is None or delivery.status != DeliveryStatus.PENDING or delivery.next_attempt_at is None
            or delivery.next_attempt_at > now):
        return None
    if not delivery.endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None)
        return None
    if not WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING,
                                          next_attempt_at=delivery.next_attempt_at).update(
            next_attempt_at=now + ATTEMPT_LEASE, enqueued_at=None, attempt_count=F("attempt_count") + 1):
        return None  # another worker claimed it first
    try:
        outcome = _send(delivery)
    except Exception:
        # Recorded like any failure, so the retry window still ends: an attempt without a row would
        # come back after every lease, forever.
        logger.exception("Webhook delivery %s failed inside StageCraft", delivery.pk)
        outcome = http.Outcome(url=delivery.endpoint.url, status_code=None, latency_ms=0,
                               error="StageCraft could not send this attempt (internal error).")
    return _record_attempt(delivery, outcome, started_at=now)


def _send(delivery: WebhookDelivery) -> http.Outcome:
    payload = delivery.payload
    # Built in a fixed key order: PostgreSQL's jsonb does not keep the order the body was stored in.
    body = json.dumps({"type": payload["type"], "timestamp": payload["timestamp"], "data": payload["data"]},
                      separators=(",", ":"), ensure_ascii=False).encode()
    try:
        secret = delivery.endpoint.secret
    except crypto.SecretUnreadable as exc:
        return http.Outcome(url=delivery.endpoint.url, status_code=None, latency_ms=0, error=str(exc))
    headers = signing.headers(secret, msg_id=delivery.event_id, timestamp=int(time.time()), body=body)
    return http.post(delivery.endpoint.url, body=body, headers=headers)


def _record_attempt(delivery: WebhookDelivery, outcome: http.Outcome, *, started_at: datetime) -> WebhookAttempt | None:
    with transaction.atomic():
        # Locked so a concurrent delete of the endpoint waits, or has already removed the row.
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if delivery is None:
            return None
        attempt = WebhookAttempt.objects.create(
            delivery=delivery, started_at=started_at, url=outcome.url[:2000], status_code=outcome.status_code,
            ok=outcome.ok, latency_ms=outcome.latency_ms, response_excerpt=outcome.excerpt, error=outcome.error)
        if outcome.ok:
            _settle(delivery, DeliveryStatus.SUCCEEDED)
            return attempt
        failures = delivery.attempts.filter(started_at__gte=delivery.window_started_at).count()
        retry_at = http.next_attempt_at(window_started_at=delivery.window_started_at, failures=failures,
                                        now=timezone.now())
        if retry_at is not None:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=retry_at, enqueued_at=None)
            return attempt
        _settle(delivery, DeliveryStatus.FAILED)
        # An endpoint that answered anything else with a 2xx meanwhile is flaky, not dead: keep it.
        if not WebhookAttempt.objects.filter(delivery__endpoint=delivery.endpoint, ok=True,
                                             started_at__gte=delivery.window_started_at).exists():
            last = f"HTTP {outcome.status_code}" if outcome.status_code else outcome.error
            disable_endpoint(delivery.endpoint, reason=(
                f"Every attempt failed for 24 hours (event {delivery.event_type}, {failures} attempts; "
                f"last answer: {last})")[:300])
    return attempt


def _settle(delivery: WebhookDelivery, status: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=status, next_attempt_at=None, enqueued_at=None)
