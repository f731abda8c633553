"""A job's end settles the app and tells the owner, whoever ends it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from config.jobs import services
from config.jobs.choices import JobStatus
from config.jobs.ending import settle_ended_job
from config.jobs.models import Job

pytestmark = pytest.mark.django_db

ENDED: list[tuple[str, str]] = []


def record_end(job: Job) -> None:
    """The ``on_finish`` callback under test: remembers which job ended how."""
    ENDED.append((str(job.pk), job.status))


def broken_end(job: Job) -> None:
    raise RuntimeError("the app's settling crashed")


@pytest.fixture(autouse=True)
def _fresh():
    ENDED.clear()


@pytest.fixture
def make_job(owner, queued, django_capture_on_commit_callbacks):
    def make(on_finish: str = "tests.jobs.test_ending.record_end", **options) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            return services.create_job(owner, kind="staging.stage", task="config.jobs.selftest.run_selftest",
                                       params={"ticks": 1, "delay": 0}, on_finish=on_finish, **options)
    return make


def test_a_task_that_completes_calls_on_finish_once(make_job, run_queued):
    job = make_job()
    run_queued()
    assert [(str(job.pk), JobStatus.COMPLETED)] == ENDED


def test_the_sweep_failing_a_stuck_job_calls_on_finish(make_job, django_capture_on_commit_callbacks):
    job = make_job()
    services.claim_job(job.pk)
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_stuck_jobs()
    assert [(str(job.pk), JobStatus.FAILED)] == ENDED


def test_lost_worker_recovery_without_attempts_calls_on_finish(make_job, django_capture_on_commit_callbacks):
    job = make_job(max_attempts=1)
    services.claim_job(job.pk)
    Job.objects.filter(pk=job.pk).update(worker=f"{services.current_worker().rpartition(':')[0]}:999999999")
    with django_capture_on_commit_callbacks(execute=True):
        services.recover_lost_jobs()
    assert [(str(job.pk), JobStatus.FAILED)] == ENDED


def test_a_cancel_calls_on_finish(make_job, owner, django_capture_on_commit_callbacks):
    job = make_job()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_job(owner, job_id=job.pk)
    assert [(str(job.pk), JobStatus.CANCELLED)] == ENDED


def test_the_failure_hook_calls_on_finish(make_job, django_capture_on_commit_callbacks):
    from config.jobs.hooks import on_task_finished

    job = make_job()
    services.claim_job(job.pk)

    class Task:
        success = False
        args = (str(job.pk),)
        result = "Traceback: the worker was killed"

    with django_capture_on_commit_callbacks(execute=True):
        on_task_finished(Task())
    assert [(str(job.pk), JobStatus.FAILED)] == ENDED


def test_a_second_end_is_ignored(make_job, django_capture_on_commit_callbacks):
    job = make_job()
    with django_capture_on_commit_callbacks(execute=True):
        services.fail_job(job, "X", "first")
        services.fail_job(job, "Y", "second")
    assert [(str(job.pk), JobStatus.FAILED)] == ENDED


def test_a_crashing_callback_does_not_undo_the_end_or_the_email(make_job, owner, django_capture_on_commit_callbacks):
    job = make_job(on_finish="tests.jobs.test_ending.broken_end")
    with django_capture_on_commit_callbacks(execute=True):
        services.fail_job(job, "X", "broken")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and len(mail.outbox) == 1


def test_the_owner_is_emailed_with_a_link_when_a_job_completes(make_job, run_queued, owner, settings):
    job = make_job()
    run_queued()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email] and message.subject == "Your StageCraft job is done"
    assert f"{settings.SITE_URL}/jobs/{job.pk}/" in message.body and "Virtual staging" in message.body


def test_a_failure_email_says_why(make_job, django_capture_on_commit_callbacks):
    job = make_job()
    with django_capture_on_commit_callbacks(execute=True):
        services.fail_job(job, "ARCHITECTURAL_INTEGRITY_FAILED", "The walls moved.")
    assert mail.outbox[0].subject == "Your StageCraft job failed" and "The walls moved." in mail.outbox[0].body


def test_no_email_when_the_owner_turned_it_off(make_job, run_queued, owner):
    owner.notification_preferences = {**owner.notification_preferences, "email_on_completion": False}
    owner.save()
    make_job()
    run_queued()
    assert mail.outbox == []


def test_no_email_for_jobs_a_request_waited_on(make_job, run_queued):
    make_job(notify_owner=False)
    run_queued()
    assert mail.outbox == []


def test_no_email_for_a_cancel(make_job, owner, django_capture_on_commit_callbacks):
    job = make_job()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_job(owner, job_id=job.pk)
    assert mail.outbox == []


def test_the_email_is_sent_once_even_if_the_end_is_settled_twice(make_job, run_queued):
    job = make_job()
    run_queued()
    settle_ended_job(job.pk)
    assert len(mail.outbox) == 1
    assert len(ENDED) == 2  # on_finish is written to be safe to run again


def test_a_retried_job_is_not_emailed_twice(make_job, owner, run_queued, django_capture_on_commit_callbacks):
    job = make_job()
    with django_capture_on_commit_callbacks(execute=True):
        services.fail_job(job, "X", "first")
        services.retry_job(owner, job_id=job.pk)
    run_queued()
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED and len(mail.outbox) == 1
