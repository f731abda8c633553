"""Every write of the floor plan app: sessions, rooms, photos, analyses, merge, revisions, finalize, expiry.

Callers load sessions and rooms through ``floorplans.selectors`` (owner
first), so every entry point shares the same 404/410 rules. Every language
model call runs in a worker as a job; the endpoints the seed answers
synchronously (analyze, revise, merge/revise, finalize/revise) wait for it
here, and cancel it when no answer comes in time.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from config.ai.errors import EngineThrottled
from config.errors import Conflict, RateLimited, ValidationFailed
from config.files.storage import storage_errors
from config.files.validation import clean_image, read_limited
from config.jobs import services as jobs
from config.jobs.choices import JobStatus
from config.jobs.models import Job
from floorplans import analysis, files, plans, revision, satellite, scans, selectors
from floorplans.choices import AnalysisSource, Direction, ReviewStatus, RoomKind
from floorplans.errors import AnalysisFailed, PhotosIncomplete
from floorplans.geometry.measures import GeometryError
from floorplans.geometry.parsing import describe_changes, parse_analysis
from floorplans.geometry.plan import Plan
from floorplans.models import FloorplanSession, Room, RoomPhoto, RoomRevision

logger = logging.getLogger("stagecraft.floorplans")

ANALYZE_TASK = "floorplans.tasks.run_analysis"
ANALYSIS_ON_FINISH = "floorplans.ending.on_analysis_finished"
SATELLITE_TASK = "floorplans.tasks.run_satellite"
MERGE_REVISION_TASK = "floorplans.tasks.run_merge_revision"
FINAL_REVISION_TASK = "floorplans.tasks.run_final_revision"
# A model call may be followed by one repair round trip; the margin covers the queue and the drawing.
MODEL_CALLS_PER_JOB = 3
WAIT_MARGIN_SECONDS = 15


def wait_seconds() -> float:
    """How long a request waits for its model job before cancelling it."""
    return settings.AI_LLM_TIMEOUT * MODEL_CALLS_PER_JOB + WAIT_MARGIN_SECONDS


def create_session(owner, *, address: str) -> FloorplanSession:
    address = (address or "").strip()
    if not address:
        raise ValidationFailed("address is required.")
    return FloorplanSession.objects.create(owner=owner, address=address[:300])


def update_session(session: FloorplanSession, *, fields: dict) -> FloorplanSession:
    """Save workflow metadata (starting corner, current step, current room index)."""
    for name, value in fields.items():
        setattr(session, name, value)
    session.save(update_fields=[*fields, "updated_at"])
    return session


def create_room(session: FloorplanSession, *, type: str, custom_label: str = "") -> Room:
    """Add a room labelled ``{Type}#{n}`` (the n-th of its type), or the agent's label for "other"."""
    if type == RoomKind.OTHER and not custom_label.strip():
        raise ValidationFailed("A room of type 'other' needs a label.")
    with transaction.atomic():
        # Lock the session row so two rooms created at once get distinct numbers.
        FloorplanSession.objects.select_for_update().filter(pk=session.pk).first()
        count = session.rooms.filter(type=type).count() + 1
        index = session.rooms.count()
        label = custom_label.strip()[:100] if type == RoomKind.OTHER else f"{RoomKind(type).label.title()}#{count}"
        return Room.objects.create(session=session, index=index, type=type, label=label)


def upload_photo(room: Room, *, direction: str, image, compass_heading: float | None) -> RoomPhoto:
    """Store one direction's photo (checked by content; EXIF location removed)."""
    if direction not in Direction.values:
        raise ValidationFailed(f"direction must be one of {', '.join(Direction.values)}.")
    cleaned = clean_image(read_limited(image, settings.FLOORPLANS_PHOTO_MAX_BYTES), allowed=("JPEG", "PNG", "WEBP"),
                          convert_to="JPEG", max_bytes=settings.FLOORPLANS_PHOTO_MAX_BYTES)
    key = f"{room.session.storage_prefix}photos/{room.pk}/{direction}.jpg"
    previous = RoomPhoto.objects.filter(room=room, direction=direction).values_list("image", flat=True).first()
    # The new file is written before the old one goes (a taken key gets a fresh name), so a storage
    # failure (StorageFailed) leaves the previous photo and its row intact, never a row without its file.
    with storage_errors():
        name = default_storage.save(key, ContentFile(cleaned.content))
    photo, _ = RoomPhoto.objects.update_or_create(
        room=room, direction=direction,
        defaults={"image": name, "compass_heading": compass_heading, "uploaded_at": timezone.now()},
    )
    if previous and previous != name:
        default_storage.delete(previous)
    return photo


def analyse_room(owner, room: Room, *, feedback: str = "", annotation: bytes | None = None) -> RoomRevision:
    """Analyse (or, with feedback or a drawing, revise) a room with the vision model; its new revision.

    The drawing must be a PNG (``InvalidUpload``/``UploadTooLarge``); all four
    photos must be there (``PhotosIncomplete``) and a model configured
    (``AnalysisFailed``) before anything is queued or charged. The work runs
    as a job this call waits for; see ``_answer_of`` for a late or failed one.
    """
    if annotation is not None:
        annotation = clean_image(annotation, allowed=("PNG",), convert_to="PNG",
                                 max_bytes=files.ANNOTATION_MAX_BYTES).content
    missing = set(Direction.values) - set(room.photos.values_list("direction", flat=True))
    if missing:
        raise PhotosIncomplete(f"Missing photos: {', '.join(sorted(missing))}.",
                               details={"missing": sorted(missing)})
    analysis.language_model()
    params = {"room_id": str(room.pk), "feedback": feedback}
    if annotation is not None:
        params["annotation"] = files.store_annotation(room.session, annotation)
    job = _answer_of(owner, _model_job(owner, kind="floorplans.analyze", task=ANALYZE_TASK, params=params,
                                       on_finish=ANALYSIS_ON_FINISH))
    # Not through ``room.revisions``: that would hand back this stale ``room``, drawn before the analysis.
    return RoomRevision.objects.select_related("room").get(room_id=room.pk, number=job.result["revision"])


def save_analysis(room: Room, *, analysis: dict, source: str, author, confidence: float | None,
                  feedback: str = "", changes: list[str] | None = None) -> RoomRevision:
    """Validate an analysis (vision or manual), store it as the room's next revision and redraw the room."""
    try:
        data = parse_analysis(analysis).to_dict()
    except GeometryError as exc:
        raise ValidationFailed(str(exc), details={"analysis": str(exc)}) from None
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=room.pk)
        number = room.revision_number + 1
        if changes is None:
            changes = describe_changes(room.analysis, data) if room.analysis else []
        revision = RoomRevision.objects.create(room=room, number=number, author=author, source=source,
                                               feedback=feedback, changes=changes, analysis=data,
                                               confidence=confidence)
        room.analysis, room.analysis_source, room.analysis_confidence = data, source, confidence
        room.revision_number = number
        room.svg_data = plans.room_svg(room)
        room.save()
    return revision


def import_scan(owner, session: FloorplanSession, *, scan: Any, type: str, custom_label: str = "") -> list[Room]:
    """Add the rooms of a RoomPlan scan (``source: lidar``), each with its notes as its revision's changes.

    A ``CapturedRoom`` adds one room, to be merged like any other. A
    ``CapturedStructure`` (a ``rooms`` list) becomes the merged plan: its rooms
    where the scan measured them, so the session must have none merged yet.
    ``ValidationFailed`` (with ``details.path``) for a scan that cannot be read,
    ``UnsupportedScanShape`` for a footprint the plan cannot hold; nothing is
    created then.
    """
    structure = scans.is_structure(scan)
    imports = scans.read_scan(scan, max_surfaces=settings.FLOORPLANS_SCAN_MAX_SURFACES)
    with transaction.atomic():
        _lock(session)
        if structure and session.room_positions:
            raise ValidationFailed("This session's plan already has merged rooms; a scanned structure places "
                                   "its rooms itself, so import it into a new session.",
                                   details={"path": "rooms"})
        rooms = []
        for imported in imports:
            room = create_room(session, type=type, custom_label=custom_label)
            save_analysis(room, analysis=imported.analysis, source=AnalysisSource.LIDAR, author=owner,
                          confidence=imported.confidence, changes=list(imported.notes))
            room.refresh_from_db()
            rooms.append(room)
        if structure:
            origin = (min(i.corner[0] for i in imports), min(i.corner[1] for i in imports))
            _store_plan(session, plans.scanned([(room, i.position(origin)) for room, i in zip(rooms, imports,
                                                                                               strict=True)]))
            for room in rooms:
                room.refresh_from_db()
    return rooms


def restore_revision(owner, room: Room, *, number: int) -> RoomRevision:
    """Make an earlier revision current again (as a new revision, so nothing is lost)."""
    old = room.revisions.filter(number=number).first()
    if old is None:
        raise ValidationFailed(f"Room {room.label} has no revision {number}.")
    return save_analysis(room, analysis=old.analysis, source=AnalysisSource.RESTORED, author=owner,
                         confidence=old.confidence, changes=[f"Restored revision {number}"])


def update_room(room: Room, *, fields: dict) -> Room:
    """Accept a room, set its position or connections, or its ANSI flags."""
    if fields.get("review_status") == ReviewStatus.ACCEPTED and room.analysis is None:
        raise ValidationFailed("A room needs an analysis before it can be accepted.")
    for name, value in fields.items():
        setattr(room, name, value)
    # Only these fields: a stale row must not overwrite an analysis saved meanwhile.
    room.save(update_fields=list(fields))
    return room


def set_house_bounds(session: FloorplanSession, *, bounds: dict, source: str = "manual") -> FloorplanSession:
    """Store the house footprint (entered by the agent or found by the satellite lookup)."""
    session.house_bounds = {**bounds, "dataSource": source}
    session.save(update_fields=["house_bounds", "updated_at"])
    return session


def request_satellite(owner, session: FloorplanSession) -> Job:
    """Queue the satellite footprint lookup (202; the result lands on ``houseBounds``).

    ``SatelliteUnavailable`` at once without imagery services or a model. While
    a lookup runs, asking again answers that lookup instead of starting another.
    """
    satellite.ensure_configured()
    with transaction.atomic():
        # The session row is the lock (PostgreSQL refuses FOR UPDATE across the nullable join to the job).
        locked = FloorplanSession.objects.select_for_update().get(pk=session.pk)
        running = Job.objects.filter(pk=locked.satellite_job_id).unfinished().first()
        if running is not None:
            return running
        job = jobs.create_job(owner, kind="floorplans.satellite", task=SATELLITE_TASK,
                              params={"session_id": str(session.pk)}, metered=False, timeout_seconds=120)
        session.satellite_job = job
        session.save(update_fields=["satellite_job", "updated_at"])
    return job


def store_satellite_result(session: FloorplanSession, *, bounds: dict, image: bytes) -> FloorplanSession:
    """Keep the aerial image and put the footprint on the session as ``houseBounds``."""
    key = f"{session.storage_prefix}aerial.png"
    with storage_errors():
        if default_storage.exists(key):
            default_storage.delete(key)
        name = default_storage.save(key, ContentFile(image))
    return set_house_bounds(session, bounds={**bounds, "satelliteImage": name}, source="satellite")


def merge_room(session: FloorplanSession, *, new_room_id, adjacent_room_id, direction: str,
               connection_type: str):
    """Place a room against an analysed neighbour and redraw the merged plan; the ``MergeResult``."""
    new_room, adjacent = selectors.room_in(session, new_room_id), selectors.room_in(session, adjacent_room_id)
    with transaction.atomic():
        _lock(session)
        result = plans.merged(session, new_room, adjacent, direction=direction, connection_type=connection_type)
        _store_plan(session, result.plan)
    return result


def revise_merge(owner, session: FloorplanSession, *, feedback: str, annotation: bytes | None = None) -> list[str]:
    """Shift merged rooms as the agent asks, read by the model from their words and drawing.

    Waits for the job like ``analyse_room``; ``session`` is refreshed with the
    redrawn plan. Returns the ``changesApplied`` sentences.
    """
    if not session.room_positions:
        raise ValidationFailed("Merge at least one room before revising the merged plan.")
    analysis.language_model(revision.MOVE_BY_HAND)
    params = {"session_id": str(session.pk), "feedback": feedback}
    if annotation is not None:
        params["annotation"] = files.store_annotation(session, annotation)
    job = _answer_of(owner, _model_job(owner, kind="floorplans.merge_revision", task=MERGE_REVISION_TASK,
                                       params=params))
    session.refresh_from_db()
    return job.result["changesApplied"]


def store_moves(session: FloorplanSession, *, moves: list[plans.Move]) -> None:
    """Apply a merge revision's moves and redraw the merged plan (which then needs finalizing again)."""
    with transaction.atomic():
        _lock(session)
        _store_plan(session, plans.moved(session, moves))


def revise_final(owner, session: FloorplanSession, *, feedback: str, annotation: bytes | None = None) -> list[str]:
    """Correct room sizes on the final plan as the agent asks, then finalize again.

    Only a finalized plan can be revised (``ValidationFailed`` before, with
    nothing queued or charged). Waits for the job like ``analyse_room``;
    ``session`` is refreshed. Returns the ``changesApplied`` sentences.
    """
    if not session.is_finalized:
        raise ValidationFailed("The plan is not finalized yet: finalize it (POST /sessions/{id}/finalize) before "
                               "revising the final plan.", details={"isFinalized": False})
    analysis.language_model(revision.RESIZE_BY_HAND)
    params = {"session_id": str(session.pk), "feedback": feedback}
    if annotation is not None:
        params["annotation"] = files.store_annotation(session, annotation)
    job = _answer_of(owner, _model_job(owner, kind="floorplans.final_revision", task=FINAL_REVISION_TASK,
                                       params=params))
    session.refresh_from_db()
    return job.result["changesApplied"]


def store_resizes(session: FloorplanSession, *, resizes: list[plans.Resize], author, feedback: str,
                  changes: list[str]) -> FloorplanSession:
    """Save a final revision's sizes as new analysis revisions and finalize again, all or nothing."""
    with transaction.atomic():
        _lock(session)
        for room, new_analysis in plans.resized(session, resizes):
            try:
                save_analysis(room, analysis=new_analysis, source=AnalysisSource.VISION, author=author,
                              confidence=room.analysis_confidence, feedback=feedback, changes=changes)
            except ValidationFailed as exc:
                raise AnalysisFailed(f"The revised size of {room.label} does not add up: {exc.message}") from None
        return finalize(session)


def finalize(session: FloorplanSession) -> FloorplanSession:
    """Calibrate the merged plan to the house footprint and draw the final plan (``ValidationFailed`` if not)."""
    calibration = plans.calibrated(session)
    session.calibration = calibration.to_dict()
    session.final_plan_svg = plans.plan_svg(session, calibration.plan)
    session.is_finalized = True
    session.save(update_fields=["calibration", "final_plan_svg", "is_finalized", "updated_at"])
    return session


def purge_expired_sessions() -> int:
    """Delete sessions past their 30 days with every stored file. Scheduled daily by a migration."""
    count = 0
    for session in FloorplanSession.objects.expired():
        removed = files.delete_session_files(session)
        session.delete()
        logger.info("Expired floor plan session %s removed with %d file(s)", session.pk, removed)
        count += 1
    return count


def _model_job(owner, *, kind: str, task: str, params: dict, on_finish: str = "") -> Job:
    # Nobody needs an email about an answer the request already gave them.
    return jobs.create_job(owner, kind=kind, task=task, params=params, timeout_seconds=int(wait_seconds()),
                           notify_owner=False, on_finish=on_finish)


def _answer_of(owner, job: Job) -> Job:
    """Wait for a job a request answers with; the completed job, or the error the agent can act on.

    A job still unfinished after ``wait_seconds()`` is cancelled: left running,
    its late answer would be stored behind the agent's back and charged to
    them. The cancel refunds it, and the task stops before its store step.
    """
    job.refresh_from_db()
    if job.enqueued_at is None and not job.is_finished:
        # The broker refused the task (Redis down): answer now rather than wait for a job that cannot run.
        job = _cancel(owner, job)
        if job.status == JobStatus.CANCELLED:
            raise AnalysisFailed("The task queue is unavailable; try again shortly.",
                                 details={"reason": "queue_unavailable", "jobId": str(job.pk)})
    job = jobs.wait_for_job(job, timeout=wait_seconds())
    if not job.is_finished:
        job = _cancel(owner, job)
    if job.status == JobStatus.COMPLETED:
        return job
    if job.status == JobStatus.CANCELLED:
        raise AnalysisFailed(f"The model did not answer within {wait_seconds():g} s; the request was cancelled "
                             "and not charged.", details={"reason": "timeout", "jobId": str(job.pk)})
    if job.error_code == ValidationFailed.code:
        raise ValidationFailed(job.error_message)
    if job.error_code == EngineThrottled.code:
        # The provider's own throttle is the document's RATE_LIMITED, with its wait.
        wait = (job.result or {}).get("error_details", {}).get("retry_after", 60)
        raise RateLimited("The vision model is busy; try again shortly.", retry_after=wait)
    raise AnalysisFailed(job.error_message or None, details={"jobId": str(job.pk), "code": job.error_code})


def _cancel(owner, job: Job) -> Job:
    try:
        return jobs.cancel_job(owner, job_id=job.pk)
    except Conflict:  # it finished between the last look and the cancel: its end stands
        job.refresh_from_db()
        return job


def _lock(session: FloorplanSession) -> None:
    """Lock the session row and reload its plan, so two plan writes never work from the same stale plan."""
    FloorplanSession.objects.select_for_update().filter(pk=session.pk).first()
    session.refresh_from_db(fields=["room_positions", "shared_walls", "house_bounds", "is_finalized"])


def _store_plan(session: FloorplanSession, plan: Plan) -> None:
    """Keep ``plan`` as the session's merged plan; a changed plan needs calibrating again."""
    session.room_positions = plan.room_positions()
    session.shared_walls = [wall.to_dict() for wall in plan.shared_walls]
    session.merged_plan_svg = plans.plan_svg(session, plan)
    session.is_finalized = False
    session.save(update_fields=["room_positions", "shared_walls", "merged_plan_svg", "is_finalized", "updated_at"])
    for room in session.rooms.all():
        position = session.room_positions.get(str(room.pk))
        if position != room.position:
            Room.objects.filter(pk=room.pk).update(position=position)
