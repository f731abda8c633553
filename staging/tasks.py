"""django-q2 entry points of the staging app."""

from config.jobs.runner import run_job
from staging import pipeline


def run_staging(job_id: str) -> None:
    """Stage one photo (queued by ``services.create_staging`` on the gpu cluster)."""
    run_job(job_id, pipeline.stage_job)
