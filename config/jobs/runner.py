"""The task side of a job: claim it, run its steps, always end it.

A domain task is one line::

    def run_staging(job_id: str) -> None:
        run_job(job_id, pipeline.stage_job)

``run_job`` claims the job (a redelivered task finds it finished and stops),
calls the work function, and ends the job ``completed`` with the returned
result, or ``failed`` with the domain error's code. Inside the work,
``job_step`` records each step as a ``JobStep`` plus live events.
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.exceptions import TimeoutException

from config.errors import ApplicationError
from config.jobs import services
from config.jobs.choices import EventType, JobStatus, StepStatus
from config.jobs.events import record_event
from config.jobs.models import Job, JobStep

logger = logging.getLogger("stagecraft.jobs")


class JobCancelled(Exception):
    """The job was cancelled while running; stop at this step boundary."""


def run_job(job_id: str, work: Callable[[Job], dict | None]) -> None:
    """Run ``work(job)`` for a queued job and record how it ended."""
    job = services.claim_job(job_id)
    if job is None:
        return
    try:
        result = work(job)
    except JobCancelled:
        return
    except ApplicationError as exc:
        services.fail_job(job, exc.code, exc.message, details=exc.details if isinstance(exc.details, dict) else None)
        return
    except TimeoutException:
        services.fail_job(job, "PROCESSING_TIMEOUT", f"The job exceeded its {job.timeout_seconds} s limit.")
        raise
    except Exception:
        logger.exception("Job %s (%s) crashed", job.pk, job.kind)
        services.fail_job(job, "INTERNAL_ERROR", "An internal error occurred.")
        return
    services.complete_job(job, result)


class StepReport:
    """What a running step may add: result data shown in its events."""

    def __init__(self) -> None:
        self.data: dict = {}


@contextmanager
def job_step(job: Job, name: str, *, item: str = "", completed: int = 0, total: int = 0,
             fraction: float | None = None, finishes_item: bool = True,
             count_done: Callable[[], int] | None = None) -> Iterator[StepReport]:
    """Record one pipeline step: running, then completed (with data) or failed.

    ``fraction`` is the job's overall progress once this step is done;
    ``completed``/``total`` count items for batch jobs, and the step's completion
    counts its item done unless ``finishes_item=False`` (an item with several
    steps finishes with its last). Re-running a step (a retried task) updates
    its row instead of adding one.

    When several workers share a batch, ``completed`` is stale by the time an
    item ends; pass ``count_done`` (see ``items_finished``) and the step that
    ends the item counts them afresh, under the job's row lock, so the stream's
    last event counts every item.
    """
    if Job.objects.filter(pk=job.pk, status=JobStatus.CANCELLED).exists():
        raise JobCancelled()
    step, _ = JobStep.objects.update_or_create(
        job=job, name=name, item=item,
        defaults={"status": StepStatus.RUNNING, "started_at": timezone.now(), "completed_at": None, "error": ""},
    )
    services.set_progress(job, step=name)
    common = {"step": name, "item": item, "total": total}
    record_event(job, EventType.STEP_UPDATE, status=StepStatus.RUNNING, completed=completed, **common)
    report = StepReport()
    started = time.monotonic()
    try:
        yield report
    except Exception as exc:
        _finish_step(step, StepStatus.FAILED, started, report.data, error=getattr(exc, "message", "") or str(exc))
        failed = {"error": getattr(exc, "code", "INTERNAL_ERROR")}
        with _counted(job, count_done, default=completed) as done:
            record_event(job, EventType.STEP_UPDATE, status=StepStatus.FAILED, completed=done, data=failed, **common)
        raise
    _finish_step(step, StepStatus.COMPLETED, started, report.data)
    if fraction is not None:
        services.set_progress(job, fraction=fraction)
    ends_item = bool(total and finishes_item)
    with _counted(job, count_done if ends_item else None, default=completed + ends_item) as done:
        record_event(job, EventType.STEP_UPDATE, status=StepStatus.COMPLETED, completed=done,
                     data=report.data, **common)


def items_finished(job: Job, *, last_step: str) -> int:
    """The items of ``job`` whose steps ended: ``last_step`` completed, or any step failed."""
    ended = Q(status=StepStatus.FAILED) | Q(name=last_step, status=StepStatus.COMPLETED)
    return JobStep.objects.filter(job=job).filter(ended).values("item").distinct().count()


@contextmanager
def _counted(job: Job, count_done: Callable[[], int] | None, *, default: int) -> Iterator[int]:
    """``default``, or ``count_done()`` counted and its event written while holding the job's row."""
    if count_done is None:
        yield default
        return
    with transaction.atomic():
        # A no-op UPDATE: the row lock on PostgreSQL, the write lock on SQLite. Workers ending
        # items at once count and write their events in turn, so the last event counts all.
        Job.objects.filter(pk=job.pk).update(progress=F("progress"))
        yield count_done()


def _finish_step(step: JobStep, status: str, started: float, data: dict, error: str = "") -> None:
    step.status = status
    step.completed_at = timezone.now()
    step.duration_ms = int((time.monotonic() - started) * 1000)
    step.result_data = data
    step.error = error[:2000]
    step.save(update_fields=["status", "completed_at", "duration_ms", "result_data", "error"])
