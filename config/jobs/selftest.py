"""A self-test job: proves the worker, storage and live progress end to end.

Staff start it from the admin or with ``manage.py job_selftest``; the test
suite and the benchmarks use it to follow a real job across processes. Each
step does real work and reports what it measured.

``params["hold"]`` names a cache key: after its first two steps the job waits
until that key is set, before its ticks. A test sets the key once it has seen
a step event, so the event provably arrived while the job was still running,
whatever the machine's speed (the cache is shared by the web process, the
worker and the test in both modes).
"""

import time

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from config.errors import ApplicationError
from config.jobs.models import Job
from config.jobs.runner import job_step, run_job

KIND = "platform.selftest"
TASK = "config.jobs.selftest.run_selftest"
HOLD_POLL_SECONDS = 0.05


class HoldNotReleased(ApplicationError):
    code = "SELFTEST_NOT_RELEASED"
    default_message = "The self-test waited for its hold key until its timeout."


def run_selftest(job_id: str) -> None:
    """django-q2 entry point."""
    run_job(job_id, _selftest)


def _selftest(job: Job) -> dict:
    ticks = int(job.params.get("ticks", 3))
    delay = float(job.params.get("delay", 0.2))
    total = ticks + 2
    with job_step(job, "database", fraction=1 / total) as step:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        step.data["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
    with job_step(job, "storage", fraction=2 / total) as step:
        name = default_storage.save(f"selftest/{job.pk}.txt", ContentFile(str(job.pk).encode()))
        step.data["bytes_read_back"] = len(default_storage.open(name).read())
        default_storage.delete(name)
    if job.params.get("hold"):
        _wait_for_release(job.params["hold"], timeout=job.timeout_seconds)
    for tick in range(ticks):
        with job_step(job, "tick", item=str(tick), completed=tick, total=ticks, fraction=(tick + 3) / total) as step:
            time.sleep(delay)
            step.data["sent_at"] = time.time()
    return {"ticks": ticks}


def _wait_for_release(key: str, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while cache.get(key) is None:
        if time.monotonic() > deadline:
            raise HoldNotReleased()
        time.sleep(HOLD_POLL_SECONDS)
