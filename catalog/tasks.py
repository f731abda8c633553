"""django-q2 entry points of the catalog app."""

from catalog import fixing, pipeline
from config.jobs.runner import run_job


def run_analysis(job_id: str) -> None:
    """Analyse the images of a catalog job (queued by ``services.queue_analysis``).

    However the job ends (here, or by the sweep, lost-worker recovery, the
    failure hook or a cancel), its ``on_finish`` (``services.settle_job``)
    settles the images and gives back the units of those not analysed.
    """
    run_job(job_id, pipeline.analyse_job)


def share_analysis(job_id: str) -> None:
    """Take images of a running batch on another worker (queued by ``pipeline.analyse_job``)."""
    pipeline.share_analysis(job_id)


def run_fix(job_id: str) -> None:
    """Make a marketplace main image from a product photo and analyse it (queued by ``services.queue_fix``)."""
    run_job(job_id, fixing.fix_job)


def run_fix_all(job_id: str) -> None:
    """Fix each failing main image of a list in one job (queued by ``services.queue_fix_all``)."""
    run_job(job_id, fixing.fix_all_job)
