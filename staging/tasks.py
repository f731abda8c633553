"""django-q2 entry points of the staging app."""

from config.jobs.runner import run_job
from staging import pipeline, room_sets, services


def run_staging(job_id: str) -> None:
    """Stage one photo (queued by ``services.create_staging`` on the gpu cluster)."""
    run_job(job_id, pipeline.stage_job)


def run_room_set_photo(job_id: str) -> None:
    """Stage a room set's later photo once its reference is staged (that job's end queues this again)."""
    if room_sets.waiting_for_reference(job_id):
        services.wait_for_reference(job_id)
        return
    run_job(job_id, room_sets.stage_photo_job)
