"""django-q2 entry points of the floor plan app: each runs one pipeline job."""

from config.jobs.runner import run_job
from floorplans import pipeline


def run_analysis(job_id: str) -> None:
    """Analyse (or revise) one room with the vision model; store it as a new revision."""
    run_job(job_id, pipeline.analyse)


def run_satellite(job_id: str) -> None:
    """Look up the house footprint from satellite imagery onto the session."""
    run_job(job_id, pipeline.find_footprint)


def run_merge_revision(job_id: str) -> None:
    """Move merged rooms as the agent's feedback and drawing ask; redraw the merged plan."""
    run_job(job_id, pipeline.revise_merge)


def run_final_revision(job_id: str) -> None:
    """Resize rooms as the agent's feedback asks; finalize again."""
    run_job(job_id, pipeline.revise_final)
