"""Jobs: enqueue, run with steps and events, fail, cancel, retry, sweep."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import Conflict, NotFound, ValidationFailed
from config.jobs import services
from config.jobs.choices import JobStatus
from config.jobs.models import Job, JobEvent
from config.jobs.runner import items_finished, job_step, run_job

pytestmark = pytest.mark.django_db


def test_create_enqueues_on_commit_with_cluster_and_timeout(make_selftest, queued):
    job = make_selftest()
    func, args, options = queued[0]
    assert func == "config.jobs.selftest.run_selftest" and args == (str(job.pk),)
    assert options["timeout"] == 30 and "cluster" not in options
    assert options["hook"] == "config.jobs.hooks.on_task_finished"


def test_gpu_jobs_go_to_the_configured_gpu_cluster(owner, queued, settings, django_capture_on_commit_callbacks):
    settings.JOBS_GPU_CLUSTER = "gpu"
    with django_capture_on_commit_callbacks(execute=True):
        job = services.create_job(owner, kind="x.y", task="config.jobs.selftest.run_selftest", gpu=True,
                                  metered=False)
    assert job.cluster == "gpu" and queued[0][2]["cluster"] == "gpu"


def test_a_job_runs_its_steps_and_records_events_in_order(make_selftest, run_queued):
    job = make_selftest()
    run_queued()
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED and job.progress == 1.0 and job.result == {"ticks": 2}
    assert [s.name for s in job.steps.all()] == ["database", "storage", "tick", "tick"]
    assert all(s.status == "completed" and s.duration_ms is not None for s in job.steps.all())
    types = list(JobEvent.objects.filter(job=job).values_list("type", "step", "status"))
    assert types[0] == ("job_queued", "", "queued") and types[1] == ("job_started", "", "processing")
    assert types[2:4] == [("step_update", "database", "running"), ("step_update", "database", "completed")]
    assert types[-1] == ("job_complete", "", "completed")
    last_tick = JobEvent.objects.filter(job=job, step="tick", status="completed").last()
    assert last_tick.as_message()["progress"] == {"completed": 2, "total": 2}


def test_an_item_ending_while_another_worker_finished_one_counts_both(owner):
    # Worker B ended item "b" after worker A read its count at the start of item "a"'s last step.
    job = services.create_job(owner, kind="x.y", task="t", metered=False)
    with job_step(job, "last", item="b", completed=0, total=2):
        pass
    with job_step(job, "last", item="a", completed=0, total=2,
                  count_done=lambda: items_finished(job, last_step="last")):
        pass
    last = JobEvent.objects.filter(job=job, status="completed").last()
    assert (last.item, last.completed) == ("a", 2)


def test_an_item_failing_counts_itself_finished(owner):
    job = services.create_job(owner, kind="x.y", task="t", metered=False)
    with job_step(job, "first", item="a", completed=0, total=2, finishes_item=False):
        pass
    with pytest.raises(ValidationFailed), job_step(job, "first", item="b", completed=0, total=2, finishes_item=False,
                                                   count_done=lambda: items_finished(job, last_step="last")):
        raise ValidationFailed("bad photo")
    failed = JobEvent.objects.get(job=job, status="failed")
    assert (failed.item, failed.completed) == ("b", 1)  # "a" is part-way, so only "b" has ended


def test_a_redelivered_task_does_not_run_a_finished_job_again(make_selftest, run_queued):
    job = make_selftest()
    run_queued()
    events = JobEvent.objects.filter(job=job).count()
    run_job(str(job.pk), lambda j: pytest.fail("ran twice"))
    assert JobEvent.objects.filter(job=job).count() == events


def test_a_domain_error_fails_the_job_with_its_code_and_refunds_usage(owner, queued):
    job = services.create_job(owner, kind="x.y", task="t", metered=True)
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1

    def work(job):
        with job_step(job, "validate"):
            raise ValidationFailed("bad photo", code="NOT_INTERIOR_IMAGE")

    run_job(str(job.pk), work)
    job.refresh_from_db()
    owner.refresh_from_db()
    assert (job.status, job.error_code, job.error_message) == ("failed", "NOT_INTERIOR_IMAGE", "bad photo")
    assert job.steps.get().status == "failed"
    assert owner.usage_this_cycle == 0


def test_a_crash_fails_the_job_without_internals(owner, queued):
    job = services.create_job(owner, kind="x.y", task="t", metered=False)
    run_job(str(job.pk), lambda j: 1 / 0)
    job.refresh_from_db()
    assert (job.status, job.error_code) == ("failed", "INTERNAL_ERROR")
    assert job.error_message == "An internal error occurred."


def test_cancel_stops_the_job_at_the_next_step(make_selftest, queued, owner):
    job = make_selftest()
    services.cancel_job(owner, job_id=job.pk)
    queued.clear()
    reached = []

    def work(job):
        with job_step(job, "never"):
            reached.append(True)

    run_job(str(job.pk), work)
    job.refresh_from_db()
    assert job.status == "cancelled" and not reached
    with pytest.raises(Conflict):
        services.cancel_job(owner, job_id=job.pk)


def test_retry_requeues_a_failed_job(owner, queued, django_capture_on_commit_callbacks):
    job = services.create_job(owner, kind="x.y", task="t", metered=True)
    run_job(str(job.pk), lambda j: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_job(owner, job_id=job.pk)
    job.refresh_from_db()
    owner.refresh_from_db()
    assert job.status == "queued" and job.attempts == 0 and job.error_code == ""
    assert owner.usage_this_cycle == 1 and len(queued) == 1


def test_another_users_job_cannot_be_cancelled_or_retried(make_selftest, other_user):
    job = make_selftest()
    with pytest.raises(NotFound):
        services.cancel_job(other_user, job_id=job.pk)
    with pytest.raises(NotFound):
        services.retry_job(other_user, job_id=job.pk)


def test_the_sweep_fails_jobs_stuck_past_their_timeout(owner, queued, settings):
    settings.JOBS_SWEEP_GRACE_SECONDS = 5
    stuck = services.create_job(owner, kind="x.y", task="t", timeout_seconds=10, metered=True)
    fresh = services.create_job(owner, kind="x.y", task="t", timeout_seconds=10, metered=False)
    services.claim_job(stuck.pk)
    services.claim_job(fresh.pk)
    Job.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(seconds=16))
    assert services.sweep_stuck_jobs() == 1
    stuck.refresh_from_db()
    owner.refresh_from_db()
    assert (stuck.status, stuck.error_code) == ("failed", "PROCESSING_TIMEOUT")
    assert Job.objects.get(pk=fresh.pk).status == "processing"
    assert owner.usage_this_cycle == 0


def test_a_job_out_of_attempts_is_failed_not_rerun(owner, queued):
    job = services.create_job(owner, kind="x.y", task="t", metered=False, max_attempts=1)
    assert services.claim_job(job.pk) is not None
    # The first attempt outlived its timeout (django-q2 killed it); then the task is redelivered.
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(seconds=job.timeout_seconds + 1))
    assert services.claim_job(job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.error_code) == ("failed", "PROCESSING_TIMEOUT")


def test_the_failure_hook_ends_a_job_whose_task_died(owner, queued):
    from types import SimpleNamespace

    from config.jobs.hooks import on_task_finished

    job = services.create_job(owner, kind="x.y", task="t", metered=False)
    services.claim_job(job.pk)
    on_task_finished(SimpleNamespace(success=False, args=[str(job.pk)],
                                     result="Task exceeded maximum timeout value (5 seconds)"))
    job.refresh_from_db()
    assert (job.status, job.error_code) == ("failed", "PROCESSING_TIMEOUT")
