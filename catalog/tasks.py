"""django-q2 entry points of the catalog app."""

from catalog import pipeline, services
from config.jobs.runner import run_job


def run_analysis(job_id: str) -> None:
    """Analyse the images of a catalog job (queued by ``services.queue_analysis``).

    Settling runs even when the job never started (cancelled while queued) or
    timed out, so units of images that were not analysed always go back.
    """
    try:
        run_job(job_id, pipeline.analyse_job)
    finally:
        services.settle_job(job_id)
