"""django-q2 hooks for jobs."""

from config.jobs import services
from config.jobs.models import Job


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

