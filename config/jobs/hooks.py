"""django-q2 hooks for jobs."""

import logging

from config.ai import threads
from config.jobs import services
from config.jobs.models import Job

logger = logging.getLogger("stagecraft.jobs")


def on_task_finished(task) -> None:
    """Called by the cluster after every job task, in the monitor process.

    A task that died outside ``run_job``'s guard (import error, timeout
    signal, killed worker reported by django-q2) leaves its job unfinished;
    this ends it with a code instead of leaving it ``processing``.
    """
    if task.success or not task.args:
        return
    job = Job.objects.filter(pk=task.args[0]).first()
    if job is None or job.is_finished:
        return
    timed_out = "timeout" in str(task.result).lower()
    services.fail_job(job, "PROCESSING_TIMEOUT" if timed_out else "INTERNAL_ERROR",
                      "The job exceeded its time limit." if timed_out else "The worker failed to run the job.")


def on_worker_spawned(sender, proc_name: str, **kwargs) -> None:
    """django-q2 ``post_spawn``: a new worker first retries the jobs of workers on this machine that died.

    The cluster replaces a SIGKILLed worker at once, so its job is retried (or
    failed, out of attempts) within a second instead of after its timeout.
    Never raises: an exception here would kill the new worker too.
    """
    threads.mark_worker()  # its models share the cores with the cluster's other workers
    try:
        services.recover_lost_jobs()
    except Exception:
        logger.warning("Recovering lost jobs failed in %s", proc_name, exc_info=True)
