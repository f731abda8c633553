"""Every write of the floor plan app: sessions, rooms, photos, analyses, merge, finalize.

Loads go through ``session_of``/``room_of``, which scope to the owner and
refuse expired sessions, so every entry point shares the same 404/410 rules.
"""

import base64
import io
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image

from config.ai import registry
from config.ai.errors import EngineUnavailable
from config.errors import ValidationFailed
from config.files.storage import storage_errors
from config.files.validation import clean_image, read_limited
from config.jobs import services as jobs
from config.jobs.models import Job
from floorplans import geometry, plans
from floorplans.choices import AnalysisSource, Direction, ReviewStatus, RoomKind
from floorplans.errors import AnalysisFailed, PhotosIncomplete, RoomNotFound, SessionExpired, SessionNotFound
from floorplans.models import FloorplanSession, Room, RoomPhoto, RoomRevision

ANALYZE_TASK = "floorplans.tasks.run_analysis"
SATELLITE_TASK = "floorplans.tasks.run_satellite"
# The seed answers analyze synchronously; the work still runs in a worker and
# the request waits for it up to the engine's timeout plus this margin.
WAIT_MARGIN_SECONDS = 15
# The agent's annotation drawing is a phone-sized PNG sketch.
ANNOTATION_MAX_BYTES = 8 * 1024 * 1024


def session_of(owner, session_id) -> FloorplanSession:
    """The owner's session, or ``SessionNotFound``; ``SessionExpired`` past its 30 days."""
    session = FloorplanSession.objects.for_user(owner).filter(pk=session_id).first()
    if session is None:
        raise SessionNotFound(f"Session {session_id} not found.")
    if session.is_expired:
        raise SessionExpired(f"Session {session_id} expired on {session.expires_at:%Y-%m-%d}.")
    return session


def room_of(owner, session_id, room_id) -> Room:
    session = session_of(owner, session_id)
    room = session.rooms.filter(pk=room_id).first()
    if room is None:
        raise RoomNotFound(f"Room {room_id} not found in session {session_id}.")
    return room


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
    key = f"floorplans/{room.session.owner_id}/{room.session_id}/photos/{room.pk}/{direction}.jpg"
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


def request_analysis(owner, room: Room, *, feedback: str = "", annotation: bytes | None = None) -> Job:
    """Queue the vision analysis (or revision) of a room and wait for it, as the seed's 200 requires.

    ``annotation`` (the agent's drawing) must be a PNG; it is checked and
    re-encoded before anything else (``InvalidUpload``/``UploadTooLarge``).
    """
    if annotation is not None:
        annotation = clean_image(annotation, allowed=("PNG",), convert_to="PNG",
                                 max_bytes=ANNOTATION_MAX_BYTES).content
    missing = set(Direction.values) - set(room.photos.values_list("direction", flat=True))
    if missing:
        raise PhotosIncomplete(f"Missing photos: {', '.join(sorted(missing))}.",
                               details={"missing": sorted(missing)})
    try:
        registry.language_model()
    except EngineUnavailable as exc:
        raise AnalysisFailed(f"No vision model is configured: {exc.message} Enter the measurements by hand.",
                             details={"reason": "not_configured"}) from None
    params = {"room_id": str(room.pk), "feedback": feedback}
    if annotation:
        key = f"floorplans/{owner.pk}/{room.session_id}/annotations/{room.pk}-{int(time.time())}.png"
        params["annotation"] = default_storage.save(key, ContentFile(annotation))
    with transaction.atomic():
        job = jobs.create_job(owner, kind="floorplans.analyze", task=ANALYZE_TASK, params=params,
                              timeout_seconds=int(settings.AI_LLM_TIMEOUT * 3) + 30)
    return wait_for(job, timeout=settings.AI_LLM_TIMEOUT * 3 + WAIT_MARGIN_SECONDS)


def wait_for(job: Job, *, timeout: float) -> Job:
    """Block until the job finishes (polling its row) or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.2)
    return job


def save_analysis(room: Room, *, analysis: dict, source: str, author, confidence: float | None,
                  feedback: str = "", changes: list[str] | None = None) -> RoomRevision:
    """Validate an analysis (vision or manual), store it as the room's next revision and redraw the room."""
    try:
        parsed = geometry.parse_analysis(analysis)
    except geometry.GeometryError as exc:
        raise ValidationFailed(str(exc), details={"analysis": str(exc)}) from None
    data = parsed.to_dict()
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=room.pk)
        number = room.revision_number + 1
        if changes is None:
            changes = geometry.describe_changes(room.analysis, data) if room.analysis else []
        revision = RoomRevision.objects.create(room=room, number=number, author=author, source=source,
                                               feedback=feedback, changes=changes, analysis=data,
                                               confidence=confidence)
        room.analysis, room.analysis_source, room.analysis_confidence = data, source, confidence
        room.revision_number = number
        room.svg_data = plans.room_svg(room)
        room.save()
    return revision


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
    """Store the house footprint (entered by the agent or found by the satellite step)."""
    session.house_bounds = {**bounds, "dataSource": source}
    session.satellite_status = "done" if source == "satellite" else session.satellite_status
    session.save(update_fields=["house_bounds", "satellite_status", "updated_at"])
    return session


def request_satellite(owner, session: FloorplanSession) -> Job:
    """Queue the satellite footprint lookup (202; the result lands on ``houseBounds``)."""
    from floorplans import satellite

    satellite.ensure_configured()
    with transaction.atomic():
        session.satellite_status = "processing"
        session.save(update_fields=["satellite_status", "updated_at"])
        return jobs.create_job(owner, kind="floorplans.satellite", task=SATELLITE_TASK,
                               params={"session_id": str(session.pk)}, metered=False, timeout_seconds=120)


def merge_room(session: FloorplanSession, *, new_room_id, adjacent_room_id, direction: str,
               connection_type: str) -> dict:
    """Place a room against an analysed neighbour and redraw the merged plan."""
    with transaction.atomic():
        result = plans.merge(session, new_room_id=new_room_id, adjacent_room_id=adjacent_room_id,
                             direction=direction, connection_type=connection_type)
        session.is_finalized = False  # a changed plan needs calibrating again
        session.save()
    return result


def finalize(session: FloorplanSession) -> dict:
    """Calibrate the merged plan to the house footprint and draw the final plan."""
    result = plans.finalize(session)
    session.is_finalized = True
    session.save()
    return result


def store_satellite_result(session: FloorplanSession, *, bounds: dict, image: bytes) -> FloorplanSession:
    """Keep the aerial image and put the footprint on the session as ``houseBounds``."""
    key = f"floorplans/{session.owner_id}/{session.pk}/aerial.png"
    if default_storage.exists(key):
        default_storage.delete(key)
    name = default_storage.save(key, ContentFile(image))
    return set_house_bounds(session, bounds={**bounds, "satelliteImage": name}, source="satellite")


def purge_expired_sessions() -> int:
    """Delete sessions past their 30 days with every stored file. Scheduled daily by a migration."""
    count = 0
    for session in FloorplanSession.objects.filter(expires_at__lte=timezone.now()):
        for photo in RoomPhoto.objects.filter(room__session=session):
            default_storage.delete(photo.image.name)
        aerial = (session.house_bounds or {}).get("satelliteImage")
        if aerial:
            default_storage.delete(aerial)
        session.delete()
        count += 1
    return count


def annotation_image(name: str | None) -> Image.Image | None:
    """The agent's stored annotation drawing, if the revision came with one."""
    if not name:
        return None
    with default_storage.open(name, "rb") as stored:
        return Image.open(io.BytesIO(stored.read())).convert("RGB")


def photo_image(photo: RoomPhoto) -> Image.Image:
    with default_storage.open(photo.image.name, "rb") as stored:
        return Image.open(io.BytesIO(stored.read())).convert("RGB")


def decode_data_url(value: str) -> bytes:
    """The bytes of a ``data:...;base64,`` URL (or bare base64); ``ValueError`` when it is not one."""
    try:
        payload = value.split(",", 1)[1] if value.startswith("data:") else value
        return base64.b64decode(payload, validate=True)
    except IndexError:
        raise ValueError("not a base64 data URL") from None
