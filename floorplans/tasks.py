"""django-q2 entry points of the floor plan app."""

from config.jobs.models import Job
from config.jobs.runner import job_step, run_job
from floorplans import analysis, satellite, services
from floorplans.choices import AnalysisSource
from floorplans.models import FloorplanSession, Room


def run_analysis(job_id: str) -> None:
    """Analyse (or revise) one room with the vision model; store it as a new revision."""
    run_job(job_id, _analyse)


def run_satellite(job_id: str) -> None:
    """Look up the house footprint from satellite imagery onto the session."""
    run_job(job_id, _satellite)


def _analyse(job: Job) -> dict:
    room = Room.objects.select_related("session").get(pk=job.params["room_id"])
    with job_step(job, "load_photos", fraction=0.1):
        photos = {photo.direction: (services.photo_image(photo), photo.compass_heading)
                  for photo in room.photos.order_by("direction")}
        annotation = services.annotation_image(job.params.get("annotation"))
    with job_step(job, "vision_model", fraction=0.8) as step:
        outcome = analysis.analyse_room(photos, previous=room.analysis if job.params.get("feedback") or annotation
                                        else None, feedback=job.params.get("feedback", ""), annotation=annotation)
        step.data.update(outcome.usage)
    with job_step(job, "store", fraction=0.95):
        revision = services.save_analysis(
            room, analysis=outcome.analysis, source=AnalysisSource.VISION, author=job.owner,
            confidence=outcome.confidence, feedback=job.params.get("feedback", ""),
            changes=outcome.changes if room.analysis else [],
        )
    return {"room_id": str(room.pk), "revision": revision.number}


def _satellite(job: Job) -> dict:
    session = FloorplanSession.objects.get(pk=job.params["session_id"])
    try:
        with job_step(job, "footprint", fraction=0.9):
            bounds, image = satellite.house_bounds(session.address)
    except Exception:
        FloorplanSession.objects.filter(pk=session.pk).update(satellite_status="failed")
        raise
    with job_step(job, "store"):
        services.store_satellite_result(session, bounds=bounds, image=image)
    return {"session_id": str(session.pk)}
