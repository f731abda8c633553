"""Every write on jobs: create and enqueue, start, finish, cancel, retry, sweep; and waiting for one."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from config.accounts import services as accounts
from config.errors import Conflict, NotFound
from config.jobs.choices import FINISHED_STATUSES, Cluster, EventType, JobStatus
from config.jobs.events import record_event
from config.jobs.models import Job

logger = logging.getLogger("stagecraft.jobs")



def create_job(
    owner, *, kind: str, task: str, params: dict | None = None, gpu: bool = False,
    timeout_seconds: int | None = None, metered: bool = True, max_attempts: int = 2,
) -> Job:
    """Create a queued job and enqueue ``task(job_id)`` once the transaction commits.

    With ``metered`` one unit of the owner's plan usage is taken first
    (``UsageLimitExceeded`` before anything is queued) and refunded if the job
    fails or is cancelled. ``gpu`` sends it to ``settings.JOBS_GPU_CLUSTER``.
    """
    cluster = settings.JOBS_GPU_CLUSTER if gpu else Cluster.DEFAULT
    with transaction.atomic():
        if metered:
            accounts.consume_usage(owner)
        job = Job.objects.create(
            owner=owner, kind=kind, task=task, params=params or {}, cluster=cluster,
            metered=metered, usage_counted=metered,
            timeout_seconds=timeout_seconds or settings.Q_CLUSTER["timeout"], max_attempts=max_attempts,
        )
        record_event(job, EventType.JOB_QUEUED, status=JobStatus.QUEUED)
        transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job: Job) -> None:
    """Hand the job to its django-q2 cluster."""
    options = {"task_name": f"{job.kind}:{job.pk}", "timeout": job.timeout_seconds,
               "hook": "config.jobs.hooks.on_task_finished"}
    if job.cluster != Cluster.DEFAULT:
        options["cluster"] = job.cluster
    async_task(job.task, str(job.pk), **options)


def claim_job(job_id) -> Job | None:
    """Move a queued (or redelivered) job to processing; ``None`` if not ours to run.

    The conditional UPDATE is the lock: if two workers receive the same task,
    only one matches the row while attempts remain.
    """
    now = timezone.now()
    claimed = Job.objects.filter(
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.PROCESSING), pk=job_id, attempts__lt=F("max_attempts")
    ).update(status=JobStatus.PROCESSING, attempts=F("attempts") + 1, started_at=now, error_code="", error_message="")
    if not claimed:
        job = Job.objects.filter(pk=job_id).first()
        if job is not None and job.status == JobStatus.PROCESSING:
            fail_job(job, "PROCESSING_TIMEOUT", "The job did not finish within its attempts.")
        return None
    job = Job.objects.get(pk=job_id)
    record_event(job, EventType.JOB_STARTED, status=JobStatus.PROCESSING, data={"attempt": job.attempts})
    return job


def set_progress(job: Job, *, fraction: float | None = None, step: str | None = None) -> None:
    """Record where a running job is; the fraction never goes backwards."""
    fields = []
    if fraction is not None:
        job.progress = max(job.progress, min(1.0, max(0.0, fraction)))
        fields.append("progress")
    if step is not None:
        job.current_step = step
        fields.append("current_step")
    if fields:
        Job.objects.filter(pk=job.pk).update(**{f: getattr(job, f) for f in fields})


def complete_job(job: Job, result: dict | None = None) -> None:
    """Mark a processing job completed (no-op if it was cancelled meanwhile)."""
    now = timezone.now()
    job.result = result or {}
    job.progress = 1.0
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.PROCESSING).update(
        status=JobStatus.COMPLETED, result=job.result, progress=1.0, finished_at=now
    )
    if updated:
        job.status, job.finished_at = JobStatus.COMPLETED, now
        record_event(job, EventType.JOB_COMPLETE, status=JobStatus.COMPLETED, data=job.result)


def fail_job(job: Job, code: str, message: str) -> None:
    """Mark an unfinished job failed with an error code; refund its usage."""
    now = timezone.now()
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk).exclude(status__in=FINISHED_STATUSES).update(
            status=JobStatus.FAILED, error_code=code, error_message=message[:2000], finished_at=now
        )
        if not updated:
            return
        job.status, job.error_code, job.error_message, job.finished_at = JobStatus.FAILED, code, message, now
        _refund(job)
        record_event(job, EventType.JOB_FAILED, status=JobStatus.FAILED, data={"code": code, "message": message})


def cancel_job(owner, *, job_id) -> Job:
    """Cancel one of ``owner``'s unfinished jobs. Running steps stop at their next boundary."""
    job = _owned(owner, job_id)
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk).exclude(status__in=FINISHED_STATUSES).update(
            status=JobStatus.CANCELLED, finished_at=timezone.now()
        )
        if not updated:
            raise Conflict("The job has already finished.")
        job.refresh_from_db()
        _refund(job)
        record_event(job, EventType.JOB_CANCELLED, status=JobStatus.CANCELLED)
    return job


def retry_job(owner, *, job_id) -> Job:
    """Queue a failed or cancelled job again, taking plan usage again if it was refunded."""
    job = _owned(owner, job_id)
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise Conflict("Only failed or cancelled jobs can be retried.")
    with transaction.atomic():
        if job.metered and not job.usage_counted:
            accounts.consume_usage(job.owner)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.QUEUED, attempts=0, progress=0.0, error_code="", error_message="", current_step="",
            started_at=None, finished_at=None, usage_counted=job.metered,
        )
        job.refresh_from_db()
        record_event(job, EventType.JOB_QUEUED, status=JobStatus.QUEUED, data={"retry": True})
        transaction.on_commit(lambda: enqueue(job))
    return job


def sweep_stuck_jobs() -> int:
    """Fail processing jobs that outlived their timeout (a worker died). Returns how many."""
    now = timezone.now()
    count = 0
    for job in Job.objects.filter(status=JobStatus.PROCESSING).only("pk", "started_at", "timeout_seconds",
                                                                     "owner_id", "usage_counted", "progress"):
        # The grace keeps the sweep from racing a task that is just finishing.
        deadline = job.started_at + timedelta(seconds=job.timeout_seconds + settings.JOBS_SWEEP_GRACE_SECONDS)
        if deadline < now:
            fail_job(job, "PROCESSING_TIMEOUT", f"No result within {job.timeout_seconds} s; the worker stopped.")
            count += 1
    if count:
        logger.warning("Swept %d stuck job(s)", count)
    return count


def _owned(owner, job_id) -> Job:
    job = Job.objects.for_user(owner).filter(pk=job_id).first()
    if job is None:
        raise NotFound("Job not found.")
    return job


def _refund(job: Job) -> None:
    # Conditional, so a job failed twice (task and sweep) refunds once.
    if Job.objects.filter(pk=job.pk, usage_counted=True).update(usage_counted=False):
        job.usage_counted = False
        accounts.refund_usage(job.owner_id)


def wait_for_job(job: Job, *, timeout: float, poll: float = 0.05) -> Job:
    """Block until ``job`` has finished or ``timeout`` seconds pass; return it fresh.

    For request paths that promise an answer in the response (the designs API).
    The caller decides what an unfinished job means.
    """
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if job.status in FINISHED_STATUSES or time.monotonic() >= deadline:
            return job
        time.sleep(min(poll, max(0.0, deadline - time.monotonic())))
