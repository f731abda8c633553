"""Every write on jobs: create and enqueue, start, finish, cancel, retry, sweep; and waiting for one."""

import logging
import os
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from config.accounts import services as accounts
from config.errors import Conflict, NotFound
from config.jobs import dispatch
from config.jobs.choices import FINISHED_STATUSES, Cluster, EventType, JobStatus
from config.jobs.ending import job_ended
from config.jobs.events import record_event
from config.jobs.models import Job

logger = logging.getLogger("stagecraft.jobs")


def create_job(
    owner, *, kind: str, task: str, params: dict | None = None, gpu: bool = False,
    timeout_seconds: int | None = None, metered: bool = True, max_attempts: int = 2, on_finish: str = "",
    notify_owner: bool = True,
) -> Job:
    """Create a queued job and enqueue ``task(job_id)`` once the transaction commits.

    ``on_finish`` is the dotted path of a callable that settles the app's rows
    once the job ends, whatever ends it (see ``config.jobs.ending``).
    ``notify_owner=False`` for jobs a request waits on: nobody needs an email
    about an answer they already have.

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
            on_finish=on_finish, notify_owner=notify_owner,
        )
        record_event(job, EventType.JOB_QUEUED, status=JobStatus.QUEUED)
        transaction.on_commit(lambda: hand_over(job))
    return job


def hand_over(job: Job) -> None:
    """Enqueue a queued job, or run its kind's dispatcher (``config.jobs.dispatch``); never raises."""
    dispatcher = dispatch.dispatcher_for(job.kind)
    if dispatcher is None:
        enqueue(job)
        return
    try:
        dispatcher()
    except Exception:
        logger.exception("The %s dispatcher failed; the minute sweep runs it again", job.kind)


def enqueue(job: Job) -> None:
    """Hand the job to its django-q2 cluster; never raises.

    The job row is already committed, so a broker that is down (Redis outage)
    must not turn the request into a 500: the job stays queued without
    ``enqueued_at`` and ``sweep_stuck_jobs`` hands it over once the broker is back.
    """
    try:
        _send(job)
    except Exception:
        logger.warning("Broker unavailable; job %s stays queued until the sweep enqueues it", job.pk, exc_info=True)
        return
    Job.objects.filter(pk=job.pk, enqueued_at__isnull=True).update(enqueued_at=timezone.now())


def enqueue_once(job: Job) -> bool:
    """Hand a dispatched job to its cluster unless another dispatcher did; never raises.

    Claiming ``enqueued_at`` with a conditional update first is the lock: of two
    dispatchers that picked the same job, only one updates the row and sends it.
    A broker that refuses the task gives the claim back for the next dispatch.
    """
    claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED, enqueued_at__isnull=True).update(
        enqueued_at=timezone.now())
    if not claimed:
        return False
    try:
        _send(job)
    except Exception:
        logger.warning("Broker unavailable; job %s waits for the next dispatch", job.pk, exc_info=True)
        Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(enqueued_at=None)
        return False
    return True


def _send(job: Job) -> None:
    options = {"task_name": f"{job.kind}:{job.pk}", "timeout": job.timeout_seconds,
               "hook": "config.jobs.hooks.on_task_finished"}
    if job.cluster != Cluster.DEFAULT:
        options["cluster"] = job.cluster
    async_task(job.task, str(job.pk), **options)


def enqueue_share(job: Job, task: str) -> None:
    """Queue ``task(job_id)`` beside the job's own task: another worker's share of its work; never raises.

    The share changes nothing of the job's state (the job's own task ends it), so a
    broker that refuses it only means the job's task does that share itself.
    """
    options = {"task_name": f"{job.kind}:{job.pk}:share", "timeout": job.timeout_seconds}
    if job.cluster != Cluster.DEFAULT:
        options["cluster"] = job.cluster
    try:
        async_task(task, str(job.pk), **options)
    except Exception:
        logger.warning("Broker unavailable; job %s runs without help", job.pk, exc_info=True)


def current_worker() -> str:
    """This process as a job's ``worker``: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_job(job_id) -> Job | None:
    """Move a queued (or redelivered) job to processing; ``None`` if not ours to run.

    The conditional UPDATE is the lock: if two workers receive the same task,
    only one matches the row while attempts remain. A processing job is taken
    over only when its attempt is lost (its worker died, or it outlived its
    timeout, after which django-q2 has killed it): a duplicate delivery while
    the first attempt is alive must not run the work twice at once.
    """
    now = timezone.now()
    claim = {"status": JobStatus.PROCESSING, "attempts": F("attempts") + 1, "started_at": now, "error_code": "",
             "error_message": "", "worker": current_worker()}
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED, attempts__lt=F("max_attempts")).update(**claim)
    if not claimed:
        job = Job.objects.filter(pk=job_id).first()
        if job is None or job.is_finished or (job.status == JobStatus.PROCESSING and not attempt_lost(job, now)):
            return None
        if job.attempts >= job.max_attempts:
            fail_job(job, "PROCESSING_TIMEOUT", "The job did not finish within its attempts.")
            return None
        # Conditional on the lost attempt's worker, so two redeliveries cannot both take it over.
        if not Job.objects.filter(pk=job.pk, status=job.status, worker=job.worker, attempts=job.attempts).update(
                **claim):
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
        job_ended(job)


def fail_job(job: Job, code: str, message: str, *, details: dict | None = None) -> None:
    """Mark an unfinished job failed with an error code; refund its usage.

    ``details`` (the error's, JSON-ready) are kept in the job's ``result`` as
    ``error_details`` for whoever answers with the job (a provider's wait, say).
    """
    now = timezone.now()
    extra = {"result": {"error_details": details}} if details else {}
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk).exclude(status__in=FINISHED_STATUSES).update(
            status=JobStatus.FAILED, error_code=code, error_message=message[:2000], finished_at=now, **extra
        )
        if not updated:
            return
        job.status, job.error_code, job.error_message, job.finished_at = JobStatus.FAILED, code, message, now
        _refund(job)
        record_event(job, EventType.JOB_FAILED, status=JobStatus.FAILED, data={"code": code, "message": message})
        job_ended(job)


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
        job_ended(job)
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
            started_at=None, finished_at=None, usage_counted=job.metered, enqueued_at=None, worker="",
        )
        job.refresh_from_db()
        record_event(job, EventType.JOB_QUEUED, status=JobStatus.QUEUED, data={"retry": True})
        transaction.on_commit(lambda: hand_over(job))
    return job


def sweep_stuck_jobs() -> int:
    """Every minute: fail processing jobs that outlived their timeout, retry jobs whose worker on this
    machine died, and hand queued jobs the broker never accepted to it again. Returns how many were failed.
    """
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
    recover_lost_jobs()
    enqueue_pending_jobs()
    return count


def recover_lost_jobs() -> int:
    """Retry (or, out of attempts, fail) processing jobs whose worker process on this machine is gone.

    Called by every worker django-q2 spawns (so a SIGKILLed worker's job is
    noticed as soon as the cluster replaces it) and by the sweep. Jobs of other
    machines are left to their own workers, or to the sweep's deadline.
    """
    host = socket.gethostname()
    recovered = 0
    for job in Job.objects.filter(status=JobStatus.PROCESSING, worker__startswith=f"{host}:"):
        if _worker_alive(job.worker):
            continue
        if job.attempts >= job.max_attempts:
            fail_job(job, "PROCESSING_TIMEOUT", "The worker running the job stopped and no attempts remain.")
        else:
            with transaction.atomic():
                # Conditional on the dead worker: a concurrent recovery or redelivery may have taken it over.
                if not Job.objects.filter(pk=job.pk, status=JobStatus.PROCESSING, worker=job.worker).update(
                        status=JobStatus.QUEUED, enqueued_at=None, worker=""):
                    continue
                job.refresh_from_db()
                record_event(job, EventType.JOB_QUEUED, status=JobStatus.QUEUED, data={"retry": True})
                transaction.on_commit(lambda job=job: hand_over(job))
        recovered += 1
    if recovered:
        logger.warning("Recovered %d job(s) whose worker on %s died", recovered, host)
    return recovered


def enqueue_pending_jobs() -> int:
    """Hand the broker queued jobs it never accepted (it was down, or the web process died after commit),
    and run every dispatcher, whose jobs wait in the database by design. Returns how many were sent."""
    settled = timezone.now() - timedelta(seconds=settings.JOBS_ENQUEUE_RETRY_SECONDS)
    dispatchers = dispatch.dispatchers()
    pending = list(Job.objects.filter(status=JobStatus.QUEUED, enqueued_at__isnull=True, created_at__lt=settled)
                   .exclude(kind__in=list(dispatchers)))
    for job in pending:
        enqueue(job)
    sent = len(pending)
    for kind, dispatcher in dispatchers.items():
        try:
            sent += dispatcher()
        except Exception:
            logger.exception("The %s dispatcher failed", kind)
    return sent


def attempt_lost(job: Job, now) -> bool:
    """Whether a processing job's attempt can no longer finish: its worker here is gone, or its time is up."""
    host, _, _ = job.worker.rpartition(":")
    if host == socket.gethostname() and not _worker_alive(job.worker):
        return True
    return job.started_at is not None and job.started_at + timedelta(seconds=job.timeout_seconds) < now


def _worker_alive(worker: str) -> bool:
    """Whether the ``host:pid`` process on this machine still runs (a zombie counts as gone).

    A reused pid reads as alive; the sweep's deadline still ends such a job.
    """
    try:
        pid = int(worker.rpartition(":")[2])
        if pid <= 0:  # os.kill would signal a whole process group
            return False
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return True


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
