"""Every write on generations and their content: start, the job's bookkeeping and end, delete; the library.

Reviewing content lives in ``services.review`` (an approval runs automation
rules, and automation starts generations through this module).
"""

import logging
from datetime import timedelta
from statistics import median

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from PIL import Image

from config.ai import readiness, registry
from config.ai.errors import EngineUnavailable
from config.errors import ValidationFailed
from config.files.storage import delete_files
from config.jobs import services as jobs
from config.jobs.choices import JobStatus
from config.jobs.models import Job
from personas import hashtags, quality
from personas.choices import CharacterStatus, ContentType, Review
from personas.errors import ContentGenerationFailed, InvalidContentType
from personas.events import EventName, notify
from personas.models import ContentItem, Generation
from personas.selectors import character_for, content_for

logger = logging.getLogger("stagecraft.personas")

JOB_KIND = "personas.generate"
TASK = "personas.tasks.run_generation"
ON_FINISH = "personas.ending.on_generation_finished"
VIDEO_UNSUPPORTED = "video generation is not supported by the configured engines"
# The same, for the pages (studio, dry run): no engine to connect, so no "ask an administrator".
VIDEO_UNAVAILABLE = "Videos cannot be generated here yet: StageCraft has no video engine."
# Until enough generations have finished to measure, a cautious guess per item.
DEFAULT_SECONDS_PER_ITEM = {ContentType.IMAGE: 30.0, ContentType.TEXT: 10.0}


def ensure_engine(content_type: str) -> None:
    """Refuse at once what no configured engine can make (before anything is stored or queued).

    ``InvalidContentType`` for an unknown type; ``ContentGenerationFailed``
    (503) for video, for images without an image engine and for text without
    a language model.
    """
    if content_type not in ContentType.values:
        raise InvalidContentType(details={"content_type": content_type, "allowed": list(ContentType.values)})
    if content_type == ContentType.VIDEO:
        raise ContentGenerationFailed(VIDEO_UNSUPPORTED, details={"content_type": content_type})
    try:
        if content_type == ContentType.IMAGE:
            registry.image_generator()
        else:
            registry.language_model()
    except EngineUnavailable as exc:
        raise ContentGenerationFailed(exc.message, details={"content_type": content_type}) from exc


def unavailable_content_types() -> dict[str, str]:
    """The content types no engine can make now, each with the reason in words (never a setting's name).

    Configuration only (``config.ai.readiness``), no network call: pages ask before offering an action.
    """
    engines = {ContentType.IMAGE: readiness.image_generation(), ContentType.TEXT: readiness.language_model()}
    missing = {kind: ready.reason for kind, ready in engines.items() if not ready.ready}
    return {**missing, ContentType.VIDEO: VIDEO_UNAVAILABLE}


def start_generation(owner, *, character_id, content_type: str, prompt: str, negative_prompt: str = "",
                     settings: dict | None = None, category: str = "post", is_nsfw: bool = False) -> Generation:
    """Record a pending generation and queue its job (images on the ``gpu`` cluster).

    Raises, before anything is written: ``InvalidContentType``,
    ``CharacterNotFound``, ``ValidationFailed`` (character paused or in
    error), ``ContentGenerationFailed`` (no engine), ``UsageLimitExceeded``.
    """
    ensure_engine(content_type)
    character = character_for(owner, character_id)
    if character.status != CharacterStatus.ACTIVE:
        raise ValidationFailed(f"The character is {character.status}; resume it before generating.",
                               details={"character_status": character.status})
    settings = dict(settings or {})
    settings.setdefault("count", 1)
    with transaction.atomic():
        generation = Generation.objects.create(
            character=character, content_type=content_type, prompt=prompt, negative_prompt=negative_prompt,
            settings=settings, category=category, is_nsfw=is_nsfw,
            estimated_completion=estimate_completion(content_type, settings["count"]),
        )
        generation.job = jobs.create_job(owner, kind=JOB_KIND, task=TASK, gpu=content_type == ContentType.IMAGE,
                                         params={"generation_id": str(generation.pk)}, on_finish=ON_FINISH)
        generation.save(update_fields=["job"])
    return generation


def estimate_completion(content_type: str, count: int):
    """When a new generation of ``count`` items should be done, from recent real durations."""
    recent = (Generation.objects.filter(content_type=content_type, job__status=JobStatus.COMPLETED,
                                        started_at__isnull=False, completed_at__isnull=False)
              .order_by("-completed_at")[:20])
    per_item = [(g.completed_at - g.started_at).total_seconds() / max(1, g.success_count + g.failure_count)
                for g in recent]
    seconds = median(per_item) if per_item else DEFAULT_SECONDS_PER_ITEM[content_type]
    waiting = Generation.objects.filter(content_type=content_type).unfinished().count()
    return timezone.now() + timedelta(seconds=seconds * (count + waiting))


def begin_generation(generation: Generation) -> None:
    """The job started working on it (a retry keeps the first start time)."""
    if generation.started_at is None:
        generation.started_at = timezone.now()
        generation.save(update_fields=["started_at"])


def add_item(generation: Generation, *, image: Image.Image | None = None, **fields) -> ContentItem:
    """Store one generated item as pending review and tell the owner.

    An image the nudity check flagged (``fields["safety"]``) is marked NSFW for the reviewer;
    ``image`` (the generated picture) is measured for ``quality_score`` with the text.

    A generation started by an automation rule carries the rule's caption
    template and hashtag strategy (``personas.hashtags``), applied here.
    """
    character = generation.character
    fields["caption"], fields["hashtags"] = hashtags.styled(
        fields.get("caption", ""), fields.get("hashtags", []),
        template=generation.settings.get("caption_template", ""),
        strategy=generation.settings.get("hashtag_strategy", "auto"))
    flagged = any(check["flagged"] for check in fields.get("safety", {}).get("nudity", []))
    item = ContentItem(character=character, generation=generation, content_type=generation.content_type,
                       category=generation.category, prompt=generation.prompt, is_nsfw=generation.is_nsfw or flagged,
                       review=Review.PENDING, **fields)
    report = quality.measure(character, item, image)
    item.quality_score, item.quality_parts = report.score, report.parts
    item.save()
    notify(character.owner, EventName.CONTENT_GENERATED, {
        "character_id": str(character.pk), "generation_id": str(generation.pk), "content_id": str(item.pk),
        "content_type": item.content_type,
    })
    return item


def record_outcome(generation: Generation, *, failures: list[str]) -> Generation:
    """What the job made: the items stored so far and the ones that failed (the job's end settles the rest)."""
    generation.success_count = generation.content.count()
    generation.failure_count = len(failures)
    generation.error_message = "; ".join(failures)[:2000]
    generation.save(update_fields=["success_count", "failure_count", "error_message"])
    return generation


def settle_generation(job: Job) -> None:
    """The generation job's ``on_finish``: record how its generation ended and tell the owner.

    Runs after commit whoever ended the job (the task, the sweep, lost-worker
    recovery, the failure hook, a cancel). The status needs no write (it is
    the job's); this records the end time, the items made and, for a failed or
    cancelled job, why. Safe to run twice: the update is conditional on
    ``completed_at`` not being this end's yet, so the owner is told once per
    end (a retried job ends, and is settled, again).
    """
    generation = Generation.objects.select_related("character__owner").filter(job=job).first()
    if generation is None or not job.is_finished:
        return
    succeeded = job.status == JobStatus.COMPLETED
    fields = {"completed_at": job.finished_at, "success_count": generation.content.count()}
    if not succeeded:
        fields["error_message"] = (job.error_message or f"The generation was {job.status}.")[:2000]
    if not Generation.objects.filter(pk=generation.pk).exclude(completed_at=job.finished_at).update(**fields):
        return  # this end was settled already
    generation.refresh_from_db()
    character = generation.character
    content_ids = [str(pk) for pk in generation.content.order_by("created_at").values_list("pk", flat=True)]
    data = {"character_id": str(character.pk), "generation_id": str(generation.pk), "content_ids": content_ids,
            "success_count": generation.success_count, "failure_count": generation.failure_count}
    if succeeded:
        notify(character.owner, EventName.GENERATION_COMPLETED, data)
    else:
        notify(character.owner, EventName.GENERATION_FAILED, {**data, "error_message": generation.error_message})


def delete_content(owner, *, content_id) -> None:
    """Delete an item and, once the transaction commits, its files (a file that will not go is logged, not
    raised: the item is gone either way)."""
    item = content_for(owner, content_id)
    names = [*item.media_names, *([item.thumbnail.name] if item.thumbnail else [])]
    with transaction.atomic():
        item.delete()
        transaction.on_commit(lambda: delete_files(names))


def library(owner, *, character_id=None, content_type: str | None = None, is_approved: bool | None = None,
            is_nsfw: bool | None = None) -> QuerySet:
    """The owner's content, newest first, filtered; the character comes in the same query."""
    items = ContentItem.objects.for_user(owner).select_related("character")
    if character_id:
        items = items.filter(character=character_for(owner, character_id))
    if content_type:
        if content_type not in ContentType.values:
            raise InvalidContentType(details={"content_type": content_type, "allowed": list(ContentType.values)})
        items = items.filter(content_type=content_type)
    if is_approved is not None:
        items = items.filter(review=Review.APPROVED) if is_approved else items.exclude(review=Review.APPROVED)
    if is_nsfw is not None:
        items = items.filter(is_nsfw=is_nsfw)
    return items.order_by("-created_at")
