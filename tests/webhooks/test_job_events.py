"""job.completed, job.failed and job.cancelled reach the owner's webhooks, whoever ends the job."""

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from config.jobs import selftest
from config.jobs import services as jobs
from config.jobs.ending import settle_ended_job
from config.jobs.models import Job
from config.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_job(owner, django_capture_on_commit_callbacks):
    def make(**options) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            return jobs.create_job(owner, kind=selftest.KIND, task=selftest.TASK, params={"ticks": 1, "delay": 0},
                                   metered=False, **options)
    return make


def test_a_completed_job_sends_job_completed_with_the_job_as_the_api_shows_it(
        owner, receiver, endpoint_for, make_job, run_queued):
    _, secret = endpoint_for(owner, receiver.url, ["job.completed"])
    job = make_job()
    run_queued()  # the job's task, then the delivery its end queued
    [request] = receiver.requests
    body = Webhook(secret).verify(request.raw, request.headers)
    assert body["type"] == "job.completed"
    data = body["data"]
    assert data["id"] == str(job.pk) and data["job_type"] == selftest.KIND and data["status"] == "completed"
    assert data["result"] == {"ticks": 1} and data["error"] is None and data["progress"] == 1.0
    assert set(data) == {"id", "job_type", "status", "progress", "current_step", "error", "attempts", "cluster",
                         "result", "created_at", "started_at", "finished_at"}


def test_a_failed_job_sends_job_failed_with_its_error(owner, receiver, endpoint_for, make_job, queued,
                                                      django_capture_on_commit_callbacks, run_queued):
    endpoint_for(owner, receiver.url)
    job = make_job()
    queued.clear()  # the worker never runs it
    jobs.claim_job(job.pk)
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.sweep_stuck_jobs()
    run_queued()
    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "job.failed" and delivery.status == "succeeded"
    assert delivery.payload["data"]["error"]["code"] == "PROCESSING_TIMEOUT"


def test_a_cancelled_job_sends_job_cancelled(owner, receiver, endpoint_for, make_job, queued,
                                             django_capture_on_commit_callbacks, run_queued):
    endpoint_for(owner, receiver.url)
    job = make_job()
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        jobs.cancel_job(owner, job_id=job.pk)
    run_queued()
    assert [d.event_type for d in WebhookDelivery.objects.all()] == ["job.cancelled"]
    assert len(receiver.requests) == 1


def test_an_endpoint_gets_only_the_events_it_subscribes_to(owner, receiver, endpoint_for, make_job, run_queued):
    endpoint_for(owner, receiver.url, ["job.failed"])
    make_job()
    run_queued()
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_a_job_end_settled_twice_is_delivered_once(owner, receiver, endpoint_for, make_job, run_queued,
                                                   django_capture_on_commit_callbacks):
    endpoint_for(owner, receiver.url)
    job = make_job()
    run_queued()
    with django_capture_on_commit_callbacks(execute=True):
        settle_ended_job(job.pk)  # the sweep met the job again
    run_queued()
    assert len(receiver.requests) == 1


def test_other_users_webhooks_hear_nothing_of_the_job(owner, other_user, receiver, endpoint_for, make_job,
                                                      run_queued):
    endpoint_for(other_user, receiver.url)
    make_job()
    run_queued()
    assert receiver.requests == []


def test_a_broken_webhook_step_does_not_undo_the_job_end(owner, endpoint_for, make_job, run_queued, monkeypatch,
                                                         caplog):
    from config.jobs import ending

    endpoint_for(owner, "https://hooks.example.com/x")
    monkeypatch.setattr(ending, "emit_job_event", lambda job: 1 / 0)
    job = make_job()
    run_queued()
    job.refresh_from_db()
    assert job.status == "completed"
    assert "Could not queue the webhooks of job" in caplog.text
