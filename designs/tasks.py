"""django-q2 entry points of the designs app."""

from config.jobs.runner import run_job
from designs import pipeline


def run_generation(job_id: str) -> None:
    """Generate with the language model (queued by ``services.generate``; the request waits for it)."""
    run_job(job_id, pipeline.generate_job)
