"""Photos kept as drafts while no image engine can stage them, and staged later."""


from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from config.errors import Conflict, NotFound, UsageLimitExceeded, ValidationFailed
from config.files.storage import delete_files, files_removed_on_failure, storage_errors
from staging.models import Staging, StagingDraft
from staging.services.creation import queue_photo
from staging.services.queue import ensure_accepting
from staging.services.requests import StagingRequest
from staging.services.uploads import checked_photo, cleaned_photo


def save_drafts(owner, checked: StagingRequest) -> list[StagingDraft]:
    """Keep checked photos with their settings while no image engine can stage them (no job, no usage)."""
    # A draft's photo is shown on the page, so it is cleaned here, in the request.
    cleaned = [cleaned_photo(photo.content) for photo in checked.photos]
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
                photo = checked_photo(original.read())
            checked = StagingRequest(style=draft.style, profile=draft.disclosure_profile, photos=[photo],
                                     room_type=draft.room_type, quality_mode=draft.quality_mode,
                                     property_name=draft.property_name, mode=draft.mode)
            stagings.append(queue_photo(owner, photo, stored, checked=checked, batch=None))
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
