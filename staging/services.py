"""Every write the staging app performs; the API, the pages and the admin call these."""

import logging
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Avg, Min, Q
from django.utils import timezone

from config.ai import registry
from config.ai.image.base import ImageRequest
from config.errors import Conflict, InvalidUpload, NotFound, UsageLimitExceeded, ValidationFailed
from config.files.storage import delete_files, files_removed_on_failure, storage_errors
from config.files.validation import CleanImage, ImageHeader, check_image, clean_image, read_limited
from config.jobs import services as jobs
from config.jobs.choices import JobStatus
from config.jobs.models import Job
from staging import dispatch, renditions, revisions, scale
from staging.choices import QualityMode, RoomType, StagingMode, StagingStatus
from staging.errors import (
    InvalidRoomSet,
    InvalidStyle,
    MaintenanceMode,
    QueueFull,
    ReferenceNotSupported,
    RoomSetReferenceFailed,
)
from staging.models import Batch, DisclosureProfile, RoomSet, Staging, StagingDraft, StagingPreferences, Style

logger = logging.getLogger("stagecraft.staging")

JOB_KIND = dispatch.JOB_KIND
TASK = "staging.tasks.run_staging"
ON_FINISH = "staging.ending.on_job_finished"
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# Stored as uploaded (after cleaning); WebP and HEIC become JPEG.
KEPT_FORMATS = ("JPEG", "PNG")


@dataclass(frozen=True)
class Photo:
    """An uploaded photo checked by its header only: the bytes untouched, not yet decoded.

    Stored under ``upload_key``, which no URL is ever made for; the job's
    validate step (``clean_original``) decodes, orients, strips and stores it
    as the staging's original.
    """

    content: bytes
    header: ImageHeader


@dataclass(frozen=True)
class StagingRequest:
    """A staging request that passed every check that needs no engine: the style,
    the disclosure profile and each photo's magic bytes, byte size and header pixels."""

    style: Style
    profile: DisclosureProfile | None
    photos: list[Photo]
    room_type: str = ""
    quality_mode: str = QualityMode.PREMIUM
    property_name: str = ""
    mode: str = StagingMode.STAGE


def check_request(owner, *, images: list, style_id: str, room_type: str = "", quality_mode: str = "",
                  property_name: str = "", disclosure: str = "", mode: str = "") -> StagingRequest:
    """Validate a staging or batch request before the engine, rate limits or usage are asked.

    A bad request gets its own 4xx (``MaintenanceMode`` first, then
    ``InvalidStyle``, ``ValidationFailed`` for the profile,
    ``InvalidUpload``/``UploadTooLarge``) even when no engine is configured.
    Photos are checked by header only (see ``check_upload``).
    """
    if settings.STAGING_MAINTENANCE_MODE:
        raise MaintenanceMode()
    style = active_style(style_id)
    profile = disclosure_profile(owner, disclosure)
    photos = [check_upload(image) for image in images] or [check_upload(None)]
    return StagingRequest(style=style, profile=profile, photos=photos, room_type=room_type or "",
                          quality_mode=quality_mode or QualityMode.PREMIUM, property_name=property_name.strip(),
                          mode=mode or StagingMode.STAGE)


def ensure_accepting(count: int = 1):
    """Raise ``MaintenanceMode``; ``QueueFull`` (503, Retry-After) when ``count`` more stagings
    would pass ``STAGING_MAX_QUEUED`` waiting for the GPU; or ``EngineUnavailable`` (503)
    unless the image engine can really generate: diffusers weights on disk, or the
    AUTOMATIC1111 server answering its model list. Returns that engine."""
    if settings.STAGING_MAINTENANCE_MODE:
        raise MaintenanceMode()
    waiting = Job.objects.filter(kind=JOB_KIND, status=JobStatus.QUEUED).count()
    if waiting + count > settings.STAGING_MAX_QUEUED:
        # Roughly when there is room again: when the last of these would be done.
        seconds = (estimate_completion(count) - timezone.now()).total_seconds()
        raise QueueFull(details={"queued": waiting, "limit": settings.STAGING_MAX_QUEUED},
                        retry_after=int(min(3600, max(30, seconds))))
    return registry.ready_image_generator()


def active_style(style_id: str) -> Style:
    style = Style.objects.active().filter(pk=style_id or "").first()
    if style is None:
        valid = ", ".join(Style.objects.active().values_list("id", flat=True))
        raise InvalidStyle(f"Unknown style {style_id!r}.", details=f"Valid styles: {valid}")
    return style


def check_upload(upload) -> Photo:
    """Check an uploaded photo by its magic bytes, byte size and header pixels, decoding nothing.

    The full decode, orientation and EXIF strip are the job's (``clean_original``):
    a photo whose body is corrupt behind a sound header fails there, not here.
    """
    if upload is None:
        raise InvalidUpload("Image must be JPEG or PNG format.", details="No image file received")
    data = read_limited(upload, settings.STAGING_MAX_UPLOAD_BYTES)
    return _checked(data)


def _checked(data: bytes) -> Photo:
    return Photo(data, check_image(data, allowed=ACCEPTED_FORMATS, max_bytes=settings.STAGING_MAX_UPLOAD_BYTES))


def _cleaned(data: bytes) -> CleanImage:
    return clean_image(data, allowed=ACCEPTED_FORMATS, keep=KEPT_FORMATS, max_bytes=settings.STAGING_MAX_UPLOAD_BYTES)


def upload_key(staging: Staging) -> str:
    """Where a staging's upload waits, untouched, for its job: a key no URL is ever made for
    (no model field holds it), under its own prefix so a bucket rule can keep it private."""
    return f"staging/uploads/{staging.owner_id}/{staging.pk}"


def clean_original(staging: Staging) -> bytes:
    """Decode the staging's upload, apply its EXIF orientation, re-encode it without metadata and
    store it as the staging's original; return the original's bytes. The job's validate step.

    Safe to run twice: a staging whose original is stored reads it. Raises
    ``InvalidUpload`` or ``UploadTooLarge`` (a body that is corrupt, an animation),
    after deleting the upload; the job then fails with that code and is refunded.
    """
    if staging.original_image.name:
        with storage_errors(), default_storage.open(staging.original_image.name, "rb") as stored:
            return stored.read()
    key = upload_key(staging)
    with storage_errors(), default_storage.open(key, "rb") as upload:
        data = upload.read()
    try:
        photo = _cleaned(data)
    except InvalidUpload:
        delete_files([key])
        raise
    name = staging.file_key(f"original.{photo.extension}")
    with storage_errors():
        if default_storage.exists(name):  # a run that died before recording it
            default_storage.delete(name)
        staging.original_image.name = default_storage.save(name, ContentFile(photo.content))
    staging.original_width, staging.original_height = photo.width, photo.height
    staging.save(update_fields=["original_image", "original_width", "original_height"])
    delete_files([key])
    return photo.content


def create_staging(owner, checked: StagingRequest, **fields) -> Staging:
    """Store the checked photo and queue its staging on the ``gpu`` cluster.

    ``fields`` are further ``Staging`` columns (a revision's seed and line).
    Raises ``EngineUnavailable`` before anything is stored, and
    ``UsageLimitExceeded`` before anything is queued.
    """
    ensure_accepting()
    with files_removed_on_failure() as stored, transaction.atomic():
        return _queue(owner, checked.photos[0], stored, checked=checked, batch=None, **fields)


def create_variants(owner, checked: StagingRequest, *, count: int) -> Staging:
    """Stage the photo ``count`` times with different seeds: the first staging, its group beside it.

    One unit of usage for the request, carried by the first variant (so it is refunded
    when that one fails); each variant is a staging with its own job and figures.
    """
    if count == 1:
        return create_staging(owner, checked)
    ensure_accepting(count)
    # Seeds a hundred apart: a variant's retry (seed + 1) never repeats a sibling's first attempt.
    base = secrets.randbelow(2**31 - 100 * count)
    with files_removed_on_failure() as stored, transaction.atomic():
        first = _queue(owner, checked.photos[0], stored, checked=checked, batch=None, seed=base)
        for number in range(1, count):
            _queue(owner, checked.photos[0], stored, checked=checked, batch=None, metered=False,
                   seed=base + 100 * number, variant_of=first)
    return first


def choose_variant(owner, *, staging_id) -> Staging:
    """Mark ``staging_id`` as the chosen variant of its group (the others unchosen).

    Raises ``NotFound``, or ``Conflict`` when that variant has not completed.
    """
    staging = Staging.objects.for_user(owner).select_related("job").filter(pk=staging_id).first()
    if staging is None:
        raise NotFound("Staging not found.")
    if staging.status != StagingStatus.COMPLETED:
        raise Conflict("Only a completed variant can be chosen.", details={"status": staging.status})
    first = staging.variant_of_id or staging.pk
    with transaction.atomic():
        Staging.objects.filter(owner=owner).filter(Q(pk=first) | Q(variant_of_id=first)).update(chosen=False)
        Staging.objects.filter(pk=staging.pk).update(chosen=True)
    staging.chosen = True
    return staging


def create_batch(owner, checked: StagingRequest) -> Batch:
    """Queue one staging per photo, all or nothing.

    The plan must cover the whole batch (one unit per photo, each refunded if
    its staging fails), so a short plan refuses the batch.
    """
    count = len(checked.photos)
    ensure_accepting(count)
    if owner.usage_remaining < count:
        raise UsageLimitExceeded(f"This batch needs {count} stagings; {owner.usage_remaining} remain "
                                 f"this month.", details={"needed": count, "remaining": owner.usage_remaining})
    with files_removed_on_failure() as stored, transaction.atomic():
        batch = Batch.objects.create(owner=owner, property_name=checked.property_name, style=checked.style,
                                     total_images=count, estimated_completion_at=estimate_completion(count))
        for photo in checked.photos:
            _queue(owner, photo, stored, checked=replace(checked, room_type=""), batch=batch)
    return batch


ROOM_SET_SIZES = range(2, 9)
ROOM_SET_TASK = "staging.tasks.run_room_set_photo"
ROOM_SET_REFERENCE_END = "staging.ending.on_reference_finished"


def create_room_set(owner, checked: StagingRequest) -> RoomSet:
    """Queue a room set: the first photo staged alone, each other one once that is done, all with one seed.

    One unit of plan usage per photo (each refunded if its staging fails), so a short plan
    refuses the set. Raises ``InvalidRoomSet`` (not 2-8 photos), what ``ensure_accepting``
    raises, ``ReferenceNotSupported`` (the engine cannot take a reference image) and
    ``UsageLimitExceeded``.
    """
    count = len(checked.photos)
    if count not in ROOM_SET_SIZES:
        raise InvalidRoomSet(f"A room set takes 2 to 8 photos of one room; {count} received.",
                             details={"photos": count})
    if not getattr(ensure_accepting(count), "supports_reference", False):
        raise ReferenceNotSupported()
    if owner.usage_remaining < count:
        raise UsageLimitExceeded(f"This room set needs {count} stagings; {owner.usage_remaining} remain "
                                 f"this month.", details={"needed": count, "remaining": owner.usage_remaining})
    # Every photo gets the set's room (given, or the first photo's guess would differ per photo).
    checked = replace(checked, room_type=checked.room_type or RoomType.LIVING_ROOM)
    with files_removed_on_failure() as stored, transaction.atomic():
        room_set = RoomSet.objects.create(owner=owner, style=checked.style, room_type=checked.room_type,
                                         property_name=checked.property_name, seed=secrets.randbelow(2**31 - 1))
        room_set.reference = _queue(owner, checked.photos[0], stored, checked=checked, batch=None,
                                    seed=room_set.seed, room_set=room_set, on_finish=ROOM_SET_REFERENCE_END)
        room_set.save(update_fields=["reference"])
        for photo in checked.photos[1:]:
            _queue(owner, photo, stored, checked=checked, batch=None, seed=room_set.seed, room_set=room_set,
                   task=ROOM_SET_TASK)
    return room_set


def release_room_set(reference_job: Job) -> None:
    """After a set's first photo ended without a result: fail its other photos (no reference).

    After a result, nothing to do here: the dispatcher (run at every staging's end) now
    hands the set's other photos to the broker (``staging.dispatch``).
    """
    if reference_job.status == JobStatus.COMPLETED:
        return
    waiting = Job.objects.filter(staging__room_set__reference__job=reference_job, status=JobStatus.QUEUED) \
        .exclude(pk=reference_job.pk)
    for job in waiting:
        error = RoomSetReferenceFailed()
        jobs.fail_job(job, error.code, error.message)


def wait_for_reference(job_id) -> None:
    """Put a set photo whose task ran before its reference ended back among the stagings waiting in the
    database; the dispatcher hands it over once the reference has ended (``staging.dispatch``). A
    duplicate delivery is harmless: ``claim_job`` runs a job once."""
    Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(enqueued_at=None)


def record_consistency(staging: Staging, report) -> None:
    """Store how alike a set photo's furnished area is to the set's first result."""
    staging.consistency_score, staging.consistency_parts = report.score, report.as_dict()
    staging.save(update_fields=["consistency_score", "consistency_parts"])


def record_set_consistency(room_set: RoomSet) -> None:
    """The set's consistency: its weakest photo's, over the photos measured so far."""
    weakest = room_set.stagings.filter(consistency_score__isnull=False).aggregate(low=Min("consistency_score"))
    RoomSet.objects.filter(pk=room_set.pk).update(consistency=weakest["low"])


def restage(owner, *, staging_id, style_id: str) -> Staging:
    """Stage the same original again in another style (a new staging)."""
    source = Staging.objects.for_user(owner).filter(pk=staging_id).first()
    if source is None:
        raise NotFound("Staging not found.")
    if source.files_deleted_at:
        raise ValidationFailed("The original photo has been deleted under the retention policy.")
    if settings.STAGING_MAINTENANCE_MODE:
        raise MaintenanceMode()
    return create_staging(owner, _again(source, style=active_style(style_id), room_type=source.room_type))


def revise(owner, *, staging_id, instruction: str) -> Staging:
    """A new version of a completed staging: its seed and room, the prompt changed by ``instruction``.

    Raises ``NotFound``, ``ValidationFailed`` (an instruction that names nothing,
    files deleted), ``Conflict`` (the staging has not completed) and what
    ``create_staging`` raises. Every version belongs to the line of the first.
    """
    source = Staging.objects.for_user(owner).select_related("job").filter(pk=staging_id).first()
    if source is None:
        raise NotFound("Staging not found.")
    revisions.parse_instruction(instruction)
    if source.status != StagingStatus.COMPLETED or source.seed is None:
        raise Conflict("Only a completed staging can be revised.", details={"status": source.status})
    if source.files_deleted_at:
        raise ValidationFailed("The original photo has been deleted under the retention policy.")
    if settings.STAGING_MAINTENANCE_MODE:
        raise MaintenanceMode()
    # The room the first version was staged as, so the same seed furnishes the same room.
    checked = _again(source, style=source.style, room_type=source.room_type)
    return create_staging(owner, checked, seed=source.seed, instruction=" ".join(instruction.split()),
                          revision_of_id=source.revision_of_id or source.pk)


def _again(source: Staging, *, style: Style, room_type: str) -> StagingRequest:
    """A request to stage ``source``'s photo again: its original, or its upload while its job has not
    cleaned it yet (the new staging's job cleans it either way)."""
    name = source.original_image.name or upload_key(source)
    with storage_errors():
        if not default_storage.exists(name):  # refused by its job's validate step, which deleted it
            raise ValidationFailed("This staging's photo is no longer stored.")
        with default_storage.open(name, "rb") as stored:
            photo = _checked(stored.read())
    return StagingRequest(style=style, profile=source.disclosure_profile, photos=[photo], room_type=room_type,
                          quality_mode=source.quality_mode, property_name=source.property_name, mode=source.mode)


def _queue(owner, photo: Photo, stored: list[str], *, checked: StagingRequest, batch: Batch | None,
           metered: bool = True, task: str = TASK, on_finish: str = ON_FINISH, **fields) -> Staging:
    job = jobs.create_job(owner, kind=JOB_KIND, task=task, gpu=True, timeout_seconds=settings.STAGING_JOB_TIMEOUT,
                          on_finish=on_finish, metered=metered)
    # The original stays empty (and unserved) until the job's validate step has cleaned the upload.
    staging = Staging(owner=owner, job=job, style=checked.style, room_type=checked.room_type,
                      quality_mode=checked.quality_mode, property_name=checked.property_name, mode=checked.mode,
                      disclosure_profile=checked.profile, batch=batch, original_width=photo.header.width,
                      original_height=photo.header.height, **fields)
    with storage_errors():
        stored.append(default_storage.save(upload_key(staging), ContentFile(photo.content)))
    staging.save()
    job.params = {"staging_id": str(staging.pk)}
    job.save(update_fields=["params"])
    return staging


def save_drafts(owner, checked: StagingRequest) -> list[StagingDraft]:
    """Keep checked photos with their settings while no image engine can stage them (no job, no usage)."""
    # A draft's photo is shown on the page, so it is cleaned here, in the request.
    cleaned = [_cleaned(photo.content) for photo in checked.photos]
    with files_removed_on_failure() as stored, transaction.atomic():
        drafts = []
        for photo in cleaned:
            draft = StagingDraft(owner=owner, style=checked.style, quality_mode=checked.quality_mode, mode=checked.mode,
                                 room_type=checked.room_type if len(checked.photos) == 1 else "",
                                 disclosure_profile=checked.profile, property_name=checked.property_name,
                                 original_width=photo.width, original_height=photo.height)
            with storage_errors():
                draft.original_image.name = default_storage.save(
                    f"staging/drafts/{owner.pk}/{draft.pk}.{photo.extension}", ContentFile(photo.content))
            stored.append(draft.original_image.name)
            draft.save()
            drafts.append(draft)
    return drafts


def stage_drafts(owner) -> list[Staging]:
    """Queue every draft of ``owner`` as a staging, all or nothing; the drafts then go.

    Raises ``ValidationFailed`` (no drafts), what ``ensure_accepting`` raises (maintenance,
    a full queue, still no engine), ``UsageLimitExceeded`` (the plan cannot cover them all)
    and ``Conflict`` (another request is staging the same drafts). The drafts stay on any error.
    """
    drafts = list(StagingDraft.objects.filter(owner=owner).select_related("style", "disclosure_profile"))
    if not drafts:
        raise ValidationFailed("There are no drafts to stage.")
    ensure_accepting(len(drafts))
    if owner.usage_remaining < len(drafts):
        raise UsageLimitExceeded(f"Staging the drafts needs {len(drafts)} stagings; {owner.usage_remaining} "
                                 "remain this month.", details={"needed": len(drafts),
                                                                "remaining": owner.usage_remaining})
    with files_removed_on_failure() as stored, transaction.atomic():
        # The claim: a second click (another tab, a double submit) read the same drafts; the rows
        # are deleted first, so whichever request deletes fewer than it read lost the race and
        # rolls back before queueing anything (no duplicate stagings, no usage taken twice).
        claimed, _ = StagingDraft.objects.filter(owner=owner, pk__in=[draft.pk for draft in drafts]).delete()
        if claimed != len(drafts):
            raise Conflict("These drafts are already being staged.")
        stagings = []
        for draft in drafts:
            with storage_errors(), default_storage.open(draft.original_image.name, "rb") as original:
                photo = _checked(original.read())
            checked = StagingRequest(style=draft.style, profile=draft.disclosure_profile, photos=[photo],
                                     room_type=draft.room_type, quality_mode=draft.quality_mode,
                                     property_name=draft.property_name, mode=draft.mode)
            stagings.append(_queue(owner, photo, stored, checked=checked, batch=None))
        names = [draft.original_image.name for draft in drafts]
        transaction.on_commit(lambda: delete_files(names))
    return stagings


def delete_draft(owner, *, draft_id) -> None:
    """Delete one of ``owner``'s drafts and its photo; another person's draft is ``NotFound``."""
    draft = StagingDraft.objects.filter(owner=owner, pk=draft_id).first()
    if draft is None:
        raise NotFound("Draft not found.")
    name = draft.original_image.name
    with transaction.atomic():
        # Conditional: a draft that "Stage" claimed meanwhile was staged, not deleted,
        # and its photo is that request's to remove.
        deleted, _ = StagingDraft.objects.filter(owner=owner, pk=draft.pk).delete()
        if not deleted:
            raise NotFound("Draft not found.")
        transaction.on_commit(lambda: delete_files([name]))


NO_DISCLOSURE = "none"


def disclosure_profile(owner, slug: str) -> DisclosureProfile | None:
    """The profile asked for ("none" for none), else the user's default, else none."""
    if slug == NO_DISCLOSURE:
        return None
    if slug:
        profile = DisclosureProfile.objects.filter(slug=slug, active=True).first()
        if profile is None:
            raise ValidationFailed(f"Unknown disclosure profile {slug!r}.")
        return profile
    preferences = StagingPreferences.objects.filter(owner=owner).select_related("disclosure_profile").first()
    return preferences.disclosure_profile if preferences else None


def set_default_disclosure(owner, *, slug: str) -> StagingPreferences:
    """Remember the user's default disclosure profile ('' clears it)."""
    profile = disclosure_profile(owner, slug) if slug else None
    preferences, _ = StagingPreferences.objects.update_or_create(owner=owner,
                                                                 defaults={"disclosure_profile": profile})
    return preferences


def average_processing_ms() -> int | None:
    """Mean processing time of stagings completed in the last day (real data, or None)."""
    since = timezone.now() - timedelta(days=1)
    value = Staging.objects.filter(job__status=JobStatus.COMPLETED, job__finished_at__gte=since,
                                   processing_time_ms__isnull=False).aggregate(avg=Avg("processing_time_ms"))["avg"]
    return int(value) if value is not None else None


def estimate_completion(count: int):
    """When ``count`` new stagings should be done, from the queue and recent timings."""
    per_image = average_processing_ms() or settings.STAGING_QUALITY["premium"]["steps"] * 1000
    waiting = Staging.objects.filter(job__status__in=[JobStatus.QUEUED, JobStatus.PROCESSING]).count()
    workers = max(1, settings.Q_CLUSTER["ALT_CLUSTERS"]["gpu"]["workers"])
    return timezone.now() + timedelta(milliseconds=per_image * (waiting + count) / workers)


def delete_expired_files() -> int:
    """Delete originals and results older than ``STAGING_RETENTION_DAYS``; the rows record it.

    Scheduled daily by the app's migration. Returns how many stagings were cleared.
    """
    cutoff = timezone.now() - timedelta(days=settings.STAGING_RETENTION_DAYS)
    count = 0
    for staging in Staging.objects.filter(created_at__lt=cutoff, files_deleted_at__isnull=True).iterator():
        # The upload is there only when the staging's job never cleaned it (cancelled while queued).
        names = [getattr(staging, field).name for field in ("original_image", "emptied_image", "staged_image",
                                                            "download_image", "web_image", "thumbnail")]
        for name in [*filter(None, names), upload_key(staging)]:
            default_storage.delete(name)
        Staging.objects.filter(pk=staging.pk).update(files_deleted_at=timezone.now())
        count += 1
    if count:
        logger.info("Retention: deleted the files of %d staging(s)", count)
    return count



# A 3:2 preview, generated at the standard mode's native size (768x512 for SD 1.5, 1536x1024 for SDXL).
STYLE_PREVIEW_SIZE = (768, 512)


def render_style_preview(style: Style, *, seed: int = 7) -> Style:
    """Render ``style``'s preview image (a furnished living room) with the configured
    engine and store it as the style's ``preview_image``.

    Raises ``EngineUnavailable`` at once when no engine can generate; nothing
    is stored then. The same seed gives the same preview again.
    """
    generator = registry.ready_image_generator()
    detail = "detailed, sharp focus"
    width, height = scale.generation_size(*STYLE_PREVIEW_SIZE, QualityMode.STANDARD)
    chosen = scale.generation_settings(QualityMode.STANDARD)
    result = generator.generate(ImageRequest(
        style.prompt_template.format(room="living room", quality=detail), negative_prompt=style.negative_prompt,
        width=width, height=height, steps=chosen.steps, guidance=chosen.guidance, seed=seed,
    ))
    key = f"staging/styles/{style.pk}.jpg"
    if default_storage.exists(key):
        default_storage.delete(key)
    style.preview_image.name = default_storage.save(key, ContentFile(renditions.encode_jpeg(result.image)))
    style.save(update_fields=["preview_image"])
    return style


def record_room(staging: Staging, *, room_type: str, source: str, labels: list) -> None:
    """Store the room type the pipeline settled on, where it came from, and the labels seen."""
    staging.room_type, staging.room_type_source, staging.interior_labels = room_type, source, labels
    staging.save(update_fields=["room_type", "room_type_source", "interior_labels"])


def store_renditions(staging: Staging, files: list) -> None:
    """Store each rendition under its stable key, replacing what a previous run stored.

    Keys are stable per staging, so a task that runs twice overwrites its own
    files instead of adding new ones.
    """
    saved: dict[int, str] = {}
    for rendition in files:
        # Without a disclosure profile the download is the staged file itself: one file, two fields.
        name = saved.get(id(rendition.content))
        if name is None:
            key = staging.file_key(rendition.name)
            if default_storage.exists(key):
                default_storage.delete(key)
            name = saved[id(rendition.content)] = default_storage.save(key, ContentFile(rendition.content))
        getattr(staging, rendition.field).name = name
    staging.save(update_fields=[rendition.field for rendition in files])


def save_emptied(staging: Staging, *, seed: int, attempts: int, integrity, emptiness, quality,
                 pixel_lock) -> Staging:
    """Record the figures of a declutter's emptied room (its file is already stored)."""
    staging.emptied_figures = {
        "seed": seed, "attempts": attempts, "integrity_score": integrity.score, "integrity_parts": integrity.as_dict(),
        "emptiness": emptiness.as_dict(), "quality_score": round(quality.score, 2), "quality_parts": quality.parts,
        "pixel_lock_share": pixel_lock.share_within_delta_e_1, "pixel_lock_parts": [pixel_lock.as_dict()],
    }
    staging.save(update_fields=["emptied_figures"])
    return staging


def save_result(staging: Staging, *, seed: int, attempts: int, integrity, pixel_lock_share: float,
                pixel_lock_parts: list[dict], quality, provenance: dict, engine, processing_ms: int) -> Staging:
    """Record the figures of a completed staging (its files are already stored)."""
    staging.seed = seed
    staging.variant_count = attempts
    staging.integrity_score = integrity.score
    staging.integrity_parts = integrity.as_dict()
    staging.architectural_integrity = integrity.passed
    staging.pixel_lock_share = pixel_lock_share
    staging.pixel_lock_parts = pixel_lock_parts
    staging.quality_score = round(quality.score, 2)
    staging.quality_parts = quality.parts
    staging.provenance = provenance
    staging.engine, staging.model_name = engine.provider, engine.model
    staging.processing_time_ms = processing_ms
    staging.save()
    return staging
