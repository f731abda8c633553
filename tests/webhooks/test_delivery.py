"""Delivering: Standard Webhooks signatures, retries, the outbound policy on every hop, deletion, disabling."""

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook

from config.webhooks import delivery as http
from config.webhooks import services
from config.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

PAYLOAD = {"stagingId": "b1e6", "status": "completed", "images": [{"url": "https://cdn.example/x.jpg"}]}


def verify_from_the_spec(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks' verification, written from the spec: any ``v1,`` signature over "{id}.{ts}.{body}"."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = headers["webhook-id"].encode() + b"." + headers["webhook-timestamp"].encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [part.split(",", 1)[1] for part in headers["webhook-signature"].split(" ") if part.startswith("v1,")]
    return any(hmac.compare_digest(expected, signature) for signature in offered)


def test_a_delivery_is_signed_as_standard_webhooks_specifies(owner, receiver, endpoint_for, emit, run_queued):
    _, secret = endpoint_for(owner, receiver.url + "/hooks?source=stagecraft")
    emit(owner, "staging.completed", PAYLOAD)
    run_queued()
    [request] = receiver.requests
    assert request.method == "POST" and request.path == "/hooks?source=stagecraft"
    assert request.headers["content-type"] == "application/json"
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
    # The standardwebhooks package (another implementation) and a verifier from the spec both accept it.
    body = Webhook(secret).verify(request.raw, request.headers)
    assert verify_from_the_spec(secret, request.headers, request.raw)
    assert body["type"] == "staging.completed" and body["data"] == PAYLOAD
    assert body["timestamp"].endswith("Z")
    assert list(json.loads(request.raw)) == ["type", "timestamp", "data"]
    delivery = WebhookDelivery.objects.get()
    assert request.headers["webhook-id"] == delivery.event_id and delivery.status == "succeeded"


def test_a_tampered_body_fails_verification(owner, receiver, endpoint_for, emit, run_queued):
    _, secret = endpoint_for(owner, receiver.url)
    emit(owner, "staging.completed", PAYLOAD)
    run_queued()
    [request] = receiver.requests
    assert not verify_from_the_spec(secret, request.headers, request.raw.replace(b"completed", b"failed!!!"))
    assert not verify_from_the_spec("whsec_" + base64.b64encode(b"k" * 32).decode(), request.headers, request.raw)


def test_a_receiver_that_fails_twice_gets_the_third_attempt(owner, receiver, endpoint_for, emit, run_queued,
                                                             retry_now):
    _, secret = endpoint_for(owner, receiver.url)
    receiver.reply(500, b"database down")
    receiver.reply(503, b"still down")
    emit(owner, "catalog.batch.completed", {"batch_id": "42"})
    run_queued()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempt_count == 1
    # The first retry is due about five seconds later; the minute sweep sends due retries.
    assert timedelta(seconds=4) < delivery.next_attempt_at - delivery.created_at < timedelta(seconds=60)
    assert services.enqueue_due_deliveries() == 0  # not due yet
    assert retry_now() == 1
    run_queued()
    assert WebhookDelivery.objects.get().next_attempt_at - timezone.now() > timedelta(minutes=4)
    assert retry_now() == 1
    run_queued()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempt_count == 3 and delivery.next_attempt_at is None
    attempts = list(delivery.attempts.values_list("status_code", "ok", "response_excerpt"))
    assert attempts == [(500, False, "database down"), (503, False, "still down"), (200, True, "ok")]
    # Every attempt carries the same message id and body, each signed with its own timestamp.
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    assert all(Webhook(secret).verify(request.raw, request.headers) for request in receiver.requests)
    assert retry_now() == 0


def test_a_worker_given_the_same_attempt_twice_sends_it_once(owner, receiver, endpoint_for, emit, queued,
                                                             run_queued):
    endpoint_for(owner, receiver.url)
    emit(owner, "staging.completed", PAYLOAD)
    queued.append(queued[0])  # the broker delivered the task twice
    run_queued()
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().attempt_count == 1


def test_an_endpoint_gets_one_delivery_per_event_id(owner, receiver, endpoint_for, emit, run_queued):
    endpoint_for(owner, receiver.url)
    emit(owner, "staging.completed", PAYLOAD, event_id="msg_fixed")
    emit(owner, "staging.completed", PAYLOAD, event_id="msg_fixed")
    run_queued()
    assert len(receiver.requests) == 1


def test_a_private_address_is_refused_at_delivery(owner, receiver, endpoint_for, emit, run_queued, settings):
    endpoint_for(owner, receiver.url)  # accepted while private addresses were allowed
    settings.OUTBOUND_ALLOW_PRIVATE = False
    emit(owner, "staging.completed", PAYLOAD)
    run_queued()
    assert receiver.requests == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and not attempt.ok
    assert "127.0.0.1" in attempt.error and "not allowed" in attempt.error
    assert WebhookDelivery.objects.get().status == "pending"  # retried like any failure, then given up


def test_a_redirect_to_a_private_address_is_refused(owner, receiver, endpoint_for, emit, run_queued, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]  # the receiver, named by the operator
    endpoint_for(owner, receiver.url + "/hook")
    receiver.reply(307, location="http://169.254.169.254/latest/meta-data/")
    emit(owner, "staging.completed", PAYLOAD)
    run_queued()
    assert len(receiver.requests) == 1
    attempt = WebhookAttempt.objects.get()
    assert not attempt.ok and "169.254.169.254" in attempt.error and "not allowed" in attempt.error


def test_redirects_are_followed_with_the_same_signed_post(owner, receiver, endpoint_for, emit, run_queued):
    _, secret = endpoint_for(owner, receiver.url + "/old")
    receiver.reply(301, location="/new")
    receiver.reply(308, location=receiver.url + "/newer")
    emit(owner, "staging.completed", PAYLOAD)
    run_queued()
    assert [(request.method, request.path) for request in receiver.requests] == [
        ("POST", "/old"), ("POST", "/new"), ("POST", "/newer")]
    assert Webhook(secret).verify(receiver.requests[-1].raw, receiver.requests[-1].headers)
    attempt = WebhookAttempt.objects.get()
    assert attempt.ok and attempt.url == receiver.url + "/newer"


def test_more_than_three_redirects_fail_the_attempt(owner, receiver, endpoint_for, emit, run_queued):
    endpoint_for(owner, receiver.url + "/0")
    for hop in range(1, 5):
        receiver.reply(302, location=f"/{hop}")
    emit(owner, "staging.completed", PAYLOAD)
    run_queued()
    assert [request.path for request in receiver.requests] == ["/0", "/1", "/2", "/3"]
    attempt = WebhookAttempt.objects.get()
    assert not attempt.ok and attempt.status_code == 302 and attempt.error == "More than 3 redirects."


def test_the_response_excerpt_is_at_most_500_characters(owner, receiver, endpoint_for, emit, run_queued):
    endpoint_for(owner, receiver.url)
    receiver.reply(400, b"x" * 100_000)
    emit(owner, "staging.completed", PAYLOAD)
    run_queued()
    assert WebhookAttempt.objects.get().response_excerpt == "x" * 500


def test_an_unreachable_receiver_is_a_failed_attempt(owner, endpoint_for, emit, run_queued):
    receiver_gone = "http://127.0.0.1:9/hook"  # the discard port: nothing listens
    endpoint_for(owner, receiver_gone)
    emit(owner, "staging.completed", PAYLOAD)
    run_queued()
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error.startswith("ConnectError")


def test_deleting_an_endpoint_stops_its_deliveries(owner, owner_api, receiver, endpoint_for, emit, queued,
                                                   run_queued):
    endpoint, _ = endpoint_for(owner, receiver.url)
    emit(owner, "staging.completed", PAYLOAD)
    emit(owner, "catalog.batch.completed", {"batch_id": "1"})
    assert len(queued) == 2
    assert owner_api.delete(f"/api/v1/webhooks/{endpoint.pk}").status_code == 204
    run_queued()
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_failing_retry_after_delete_sends_nothing(owner, receiver, endpoint_for, emit, run_queued, retry_now):
    endpoint, _ = endpoint_for(owner, receiver.url)
    receiver.reply(500)
    emit(owner, "staging.completed", PAYLOAD)
    run_queued()
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    services.enqueue_due_deliveries()  # the retry is queued ...
    endpoint.delete()  # ... and the endpoint deleted before a worker runs it
    run_queued()
    assert len(receiver.requests) == 1


def test_24_hours_of_failures_disable_the_endpoint_and_email_the_owner(owner, receiver, endpoint_for, emit,
                                                                       run_queued, retry_now):
    endpoint, _ = endpoint_for(owner, receiver.url)
    for _ in range(20):
        receiver.reply(500, b"nope")
    emit(owner, "staging.completed", PAYLOAD)
    emit(owner, "catalog.batch.completed", {"batch_id": "1"})
    run_queued()  # both fail once
    delivery = WebhookDelivery.objects.get(event_type="staging.completed")
    other = WebhookDelivery.objects.get(event_type="catalog.batch.completed")  # its retry stays in the future
    # Each retry as the minute sweep finds it due: the whole schedule (7 retries over 24 hours) fails.
    for _ in range(7):
        assert not mail.outbox
        WebhookDelivery.objects.filter(pk=other.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        assert services.enqueue_due_deliveries() == 1
        run_queued()
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempt_count == 8 and delivery.next_attempt_at is None
    endpoint.refresh_from_db()
    assert not endpoint.active and "24 hours" in endpoint.disabled_reason and "HTTP 500" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get(pk=other.pk).status == "failed"  # its other pending delivery stops too
    [email] = mail.outbox
    assert email.to == [owner.email] and "disabled" in email.subject
    assert receiver.url in email.body and f"/accounts/webhooks/{endpoint.pk}/" in email.body
    # A disabled endpoint gets nothing more, and its owner is told once.
    emit(owner, "floorplan.analysis.completed", {"session_id": "s"})
    assert retry_now() == 0 and len(mail.outbox) == 1 and len(receiver.requests) == 9


def test_a_failure_after_the_24_hour_window_is_final(owner, receiver, endpoint_for, emit, run_queued):
    endpoint_for(owner, receiver.url)
    receiver.reply(500)
    receiver.reply(500)
    emit(owner, "staging.completed", PAYLOAD)
    run_queued()
    WebhookDelivery.objects.update(window_started_at=timezone.now() - timedelta(hours=24),
                                   next_attempt_at=timezone.now())
    services.enqueue_due_deliveries()
    run_queued()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempt_count == 2
    assert not WebhookEndpoint.objects.get().active and len(mail.outbox) == 1


def test_an_endpoint_that_succeeded_meanwhile_is_not_disabled(owner, receiver, endpoint_for, emit, run_queued):
    endpoint_for(owner, receiver.url)
    receiver.reply(500)
    emit(owner, "staging.completed", PAYLOAD)
    run_queued()
    emit(owner, "catalog.batch.completed", {"batch_id": "1"})  # answered 200
    run_queued()
    failing = WebhookDelivery.objects.get(event_type="staging.completed")
    WebhookDelivery.objects.filter(pk=failing.pk).update(
        window_started_at=timezone.now() - timedelta(hours=25), next_attempt_at=timezone.now())
    receiver.reply(500)
    services.enqueue_due_deliveries()
    run_queued()
    failing.refresh_from_db()
    assert failing.status == "failed"
    assert WebhookEndpoint.objects.get().active and mail.outbox == []


def test_the_retry_schedule_spans_24_hours_then_gives_up():
    start = timezone.now()
    now, schedule = start, []
    for failures in range(1, 20):
        retry_at = http.next_attempt_at(window_started_at=start, failures=failures, now=now)
        if retry_at is None:
            break
        schedule.append(retry_at - now)
        now = retry_at
    assert schedule[:6] == [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                            timedelta(hours=5), timedelta(hours=10)]
    assert now == start + timedelta(hours=24)  # the last attempt is at the end of the window
    assert len(schedule) == 7


def test_the_minute_sweep_is_scheduled():
    from django_q.models import Schedule

    sweep = Schedule.objects.get(name="webhooks.sweep_deliveries")
    assert sweep.func == "config.webhooks.tasks.sweep_deliveries" and sweep.minutes == 1 and sweep.repeats == -1


def test_an_error_inside_stagecraft_is_a_failed_attempt_that_counts(owner, receiver, endpoint_for, emit, run_queued,
                                                                    monkeypatch, caplog):
    endpoint_for(owner, receiver.url)
    monkeypatch.setattr(services.signing, "headers", lambda *args, **kwargs: 1 / 0)
    emit(owner, "staging.completed", PAYLOAD)
    run_queued()
    attempt = WebhookAttempt.objects.get()
    assert not attempt.ok and "internal error" in attempt.error and "ZeroDivisionError" not in attempt.error
    assert WebhookDelivery.objects.get().status == "pending" and receiver.requests == []
    assert "failed inside StageCraft" in caplog.text
