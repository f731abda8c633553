"""Queueing stagings: one photo, variants, a batch, a room set, a restage or a revision."""

import secrets
from dataclasses import replace

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from config.errors import Conflict, NotFound, UsageLimitExceeded, ValidationFailed
from config.files.storage import files_removed_on_failure, storage_errors
from config.jobs import services as jobs
from config.jobs.choices import JobStatus
from config.jobs.models import Job
from staging import dispatch, revisions
from staging.choices import RoomType, StagingStatus
from staging.errors import InvalidRoomSet, MaintenanceMode, ReferenceNotSupported, RoomSetReferenceFailed
from staging.models import Batch, RoomSet, Staging, Style
from staging.services.queue import ensure_accepting, estimate_completion
from staging.services.requests import StagingRequest, active_style
from staging.services.uploads import Photo, checked_photo, upload_key

JOB_KIND = dispatch.JOB_KIND
TASK = "staging.tasks.run_staging"
ON_FINISH = "staging.ending.on_job_finished"


def create_staging(owner, checked: StagingRequest, **fields) -> Staging:
    """Store the checked photo and queue its staging on the ``gpu`` cluster.

    ``fields`` are further ``Staging`` columns (a revision's seed and line).
    Raises ``EngineUnavailable`` before anything is stored, and
    ``UsageLimitExceeded`` before anything is queued.
    """
    ensure_accepting()
    with files_removed_on_failure() as stored, transaction.atomic():
        return queue_photo(owner, checked.photos[0], stored, checked=checked, batch=None, **fields)


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
        first = queue_photo(owner, checked.photos[0], stored, checked=checked, batch=None, seed=base)
        for number in range(1, count):
            queue_photo(owner, checked.photos[0], stored, checked=checked, batch=None, metered=False,
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
            queue_photo(owner, photo, stored, checked=replace(checked, room_type=""), batch=batch)
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
        room_set.reference = queue_photo(owner, checked.photos[0], stored, checked=checked, batch=None,
                                    seed=room_set.seed, room_set=room_set, on_finish=ROOM_SET_REFERENCE_END)
        room_set.save(update_fields=["reference"])
        for photo in checked.photos[1:]:
            queue_photo(owner, photo, stored, checked=checked, batch=None, seed=room_set.seed, room_set=room_set,
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
            photo = checked_photo(stored.read())
    return StagingRequest(style=style, profile=source.disclosure_profile, photos=[photo], room_type=room_type,
                          quality_mode=source.quality_mode, property_name=source.property_name, mode=source.mode)


def queue_photo(owner, photo: Photo, stored: list[str], *, checked: StagingRequest, batch: Batch | None,
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
