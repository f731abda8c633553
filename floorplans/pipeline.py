"""The floor plan jobs, step by step: load, ask the model (or the imagery services), store.

Each function takes a claimed ``Job`` and returns its result; ``run_job``
ends the job completed or failed with the domain error's code. Writes go
through ``floorplans.services``. A job cancelled while the model thinks (the
request waiting for it gave up) stops at the ``store`` step's boundary, so a
late answer is never stored. A retried job whose ``store`` step already
completed (its worker died before the job was marked done) answers with what
was stored rather than asking and storing a second time.
"""

from config.jobs.choices import StepStatus
from config.jobs.models import Job, JobStep
from config.jobs.runner import job_step
from floorplans import analysis, files, plans, revision, satellite, services
from floorplans.choices import AnalysisSource
from floorplans.models import FloorplanSession, Room

STORE = "store"


def analyse(job: Job) -> dict:
    """Analyse (or revise) one room with the vision model; a new revision of the room."""
    if (stored := _already_stored(job)) is not None:
        return stored
    room = Room.objects.select_related("session").get(pk=job.params["room_id"])
    feedback = job.params.get("feedback", "")
    with job_step(job, "load_photos", fraction=0.1):
        photos = {photo.direction: (files.open_image(photo.image.name), photo.compass_heading)
                  for photo in room.photos.order_by("direction")}
        annotation = files.open_image(job.params.get("annotation"))
    revising = bool(feedback) or annotation is not None
    with job_step(job, "vision_model", fraction=0.8) as step:
        outcome = analysis.measure_room(photos, previous=room.analysis if revising else None, feedback=feedback,
                                        annotation=annotation)
        step.data.update(outcome.usage)
    with job_step(job, STORE, fraction=0.95) as step:
        saved = services.save_analysis(room, analysis=outcome.analysis, source=AnalysisSource.VISION,
                                       author=job.owner, confidence=outcome.confidence, feedback=feedback,
                                       changes=outcome.changes if room.analysis else [])
        step.data["result"] = {"room_id": str(room.pk), "revision": saved.number}
    return step.data["result"]


def find_footprint(job: Job) -> dict:
    """Geocode the session's address, read the house off the aerial image, store ``houseBounds``."""
    session = FloorplanSession.objects.get(pk=job.params["session_id"])
    with job_step(job, "footprint", fraction=0.9):
        bounds, image = satellite.house_bounds(session.address)
    with job_step(job, STORE):
        services.store_satellite_result(session, bounds=bounds, image=image)
    return {"session_id": str(session.pk)}


def revise_merge(job: Job) -> dict:
    """Ask the model how to move the merged rooms (feedback and drawing), then redraw the plan."""
    if (stored := _already_stored(job)) is not None:
        return stored
    session = FloorplanSession.objects.get(pk=job.params["session_id"])
    with job_step(job, "load_drawing", fraction=0.1):
        annotation = files.open_image(job.params.get("annotation"))
    with job_step(job, "language_model", fraction=0.8) as step:
        answer = revision.ask_moves(plans.room_summaries(session), feedback=job.params["feedback"],
                                    annotation=annotation)
        step.data.update(answer.usage)
    with job_step(job, STORE, fraction=0.95) as step:
        services.store_moves(session, moves=list(answer.moves))
        step.data["result"] = {"session_id": str(session.pk), "changesApplied": answer.changes}
    return step.data["result"]


def revise_final(job: Job) -> dict:
    """Ask the model which rooms to resize (feedback and drawing), then finalize again."""
    if (stored := _already_stored(job)) is not None:
        return stored
    session = FloorplanSession.objects.get(pk=job.params["session_id"])
    with job_step(job, "load_drawing", fraction=0.1):
        annotation = files.open_image(job.params.get("annotation"))
    with job_step(job, "language_model", fraction=0.8) as step:
        answer = revision.ask_resizes(plans.room_summaries(session), feedback=job.params["feedback"],
                                      annotation=annotation)
        step.data.update(answer.usage)
    with job_step(job, STORE, fraction=0.95) as step:
        services.store_resizes(session, resizes=list(answer.resizes), author=job.owner,
                               feedback=job.params["feedback"], changes=answer.changes)
        step.data["result"] = {"session_id": str(session.pk), "changesApplied": answer.changes}
    return step.data["result"]


def _already_stored(job: Job) -> dict | None:
    step = JobStep.objects.filter(job=job, name=STORE, status=StepStatus.COMPLETED).first()
    return step.result_data.get("result") if step is not None else None
