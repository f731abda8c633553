"""The generation job: images in the character's look, captions in their voice.

``generate_job`` runs inside ``config.jobs.runner.run_job``. Each item is a
step (live progress), lands as a pending ``ContentItem`` and is announced.
One item failing does not sink the others; none succeeding fails the job
with ``CONTENT_GENERATION_FAILED``. A storage failure fails the job at once
with ``STORAGE_ERROR``: the next item would meet the same disk. The generation's status is its job's, and
the job's end (``services.content.settle_generation``) records the rest, so
this module never settles anything on its way out. A retried job finds the
items an earlier attempt stored (by index) and makes only the missing ones.
"""

import io
import logging
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from config.ai import readiness, registry
from config.ai.errors import EngineOutputInvalid, EngineUnavailable
from config.ai.image.base import ImageGenerator, ImageRequest
from config.files.storage import files_removed_on_failure, storage_errors
from config.jobs.models import Job
from config.jobs.runner import job_step
from personas import captions, provenance, safety
from personas.choices import ContentType
from personas.errors import ContentGenerationFailed
from personas.models import Character, Generation
from personas.services import content as content_services

logger = logging.getLogger("stagecraft.personas")

DEFAULTS = {"steps": 30, "cfg_scale": 7.5, "width": 512, "height": 512, "count": 1}
# img2img from the face reference: enough denoising to follow the prompt,
# little enough that the face's layout and colouring carry over.
FACE_STRENGTH = 0.55
# Asked for in every image unless the request says it may be NSFW.
SFW_NEGATIVE = "nsfw, nudity, explicit"
THUMBNAIL_SIDE = 256
SEED_MODULUS = 2**32
NO_CAPTION_MODEL = "no language model is configured; caption left empty"


@dataclass
class Outcome:
    content_ids: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def generate_job(job: Job) -> dict:
    """Make every item of the job's generation; the job's result names the items.

    Raises ``ContentGenerationFailed`` when no item could be made or the
    character was deleted before the work started.
    """
    generation = (Generation.objects.select_related("character__owner")
                  .filter(pk=job.params.get("generation_id")).first())
    if generation is None:  # deleted with its character before the worker got to it
        return {"skipped": "the generation no longer exists"}
    if generation.character.deleted_at is not None:
        raise ContentGenerationFailed("The character was deleted before generation started.")
    content_services.begin_generation(generation)
    work = _images if generation.content_type == ContentType.IMAGE else _texts
    outcome = work(job, generation)
    generation = content_services.record_outcome(generation, failures=outcome.failures)
    if not generation.success_count:
        raise ContentGenerationFailed(f"No content could be generated: {generation.error_message}")
    return {"generation_id": str(generation.pk), "content_ids": outcome.content_ids,
            "failure_count": len(outcome.failures)}


def _texts(job: Job, generation: Generation) -> Outcome:
    count = int(generation.settings.get("count", 1))
    done = _done_indexes(generation)
    outcome = Outcome()
    for index in range(count):
        if index in done:
            continue
        try:
            with job_step(job, "caption", item=str(index + 1), completed=index, total=count,
                          fraction=(index + 1) / count) as report:
                caption = captions.write_caption(generation.character, prompt=generation.prompt,
                                                 category=generation.category)
                item = content_services.add_item(
                    generation, caption=caption.caption, hashtags=caption.hashtags, alt_text=caption.alt_text,
                    generation_settings={"index": index, "caption_model": caption.model,
                                         "caption_attempts": caption.attempts, "usage": caption.usage},
                )
                report.data = {"content_id": str(item.pk)}
        except EngineUnavailable as exc:
            outcome.failures.append(f"text {index + 1}: {_in_words(exc, readiness.language_model())}")
            continue
        except (ContentGenerationFailed, EngineOutputInvalid) as exc:
            outcome.failures.append(f"text {index + 1}: {exc.message}")
            continue
        outcome.content_ids.append(str(item.pk))
    return outcome


def _images(job: Job, generation: Generation) -> Outcome:
    try:
        engine = registry.image_generator()
    except EngineUnavailable as exc:  # configured when queued, gone now
        raise ContentGenerationFailed(_in_words(exc, readiness.image_generation())) from exc
    character = generation.character
    settings = {**DEFAULTS, **{k: v for k, v in generation.settings.items() if v is not None}}
    count = int(settings["count"])
    face = _face_reference(character)
    done = _done_indexes(generation)
    outcome = Outcome()
    for index in range(count):
        if index in done:
            continue
        try:
            item_id = _one_image(job, generation, engine, settings, face, index, count)
        except (ContentGenerationFailed, EngineUnavailable, EngineOutputInvalid) as exc:
            outcome.failures.append(f"image {index + 1}: {exc.message}")
            continue
        outcome.content_ids.append(item_id)
    return outcome


def _one_image(job: Job, generation: Generation, engine: ImageGenerator, settings: dict,
               face: Image.Image | None, index: int, count: int) -> str:
    character = generation.character
    request = image_request(character, generation, settings, face=face, index=index)
    with job_step(job, "image", item=str(index + 1), completed=index, total=count,
                  fraction=(index + 0.7) / count) as report:
        result = engine.generate(request)
        report.data = {"seed": result.seed, "latency_ms": result.usage.latency_ms}
    with job_step(job, "caption", item=str(index + 1), completed=index, total=count,
                  fraction=(index + 1) / count) as report:
        caption, caption_note = _image_caption(generation, result.image)
        nudity = safety.check_image(result.image)
        item = content_services.add_item(
            generation, caption=caption.caption if caption else "", hashtags=caption.hashtags if caption else [],
            alt_text=caption.alt_text if caption else "", width=result.image.width, height=result.image.height,
            generation_settings={
                "index": index, "provider": engine.provider, "model": engine.model, "mode": request.mode,
                "steps": request.steps, "cfg_scale": request.guidance, "width": request.width,
                "height": request.height, "seed": result.seed, "negative_prompt": request.negative_prompt,
                "face_reference": _face_method(face), "prompt": request.prompt,
                "caption_model": caption.model if caption else None, "caption": caption_note,
                "digital_source_type": provenance.TRAINED_ALGORITHMIC_MEDIA,
            },
            safety={"nudity": [nudity.as_dict()]}, image=result.image,
            **_stored_files(generation, index, result.image),
        )
        report.data = {"content_id": str(item.pk)}
    return str(item.pk)


def image_request(character: Character, generation: Generation, settings: dict, *, face: Image.Image | None,
                  index: int) -> ImageRequest:
    """The diffusion request for item ``index``: appearance in the prompt, the seed from the family.

    The engines take no IP-Adapter input (``ImageRequest`` has none), so the
    face reference conditions the image through img2img at ``FACE_STRENGTH``.
    """
    base_seed = settings.get("seed")
    seed = ((character.seed_family if base_seed is None else int(base_seed)) + index) % SEED_MODULUS
    negative = generation.negative_prompt
    if not generation.is_nsfw:
        negative = ", ".join(part for part in (negative, SFW_NEGATIVE) if part)
    steps = int(settings["steps"])
    strength = FACE_STRENGTH if face is not None else None
    if strength is not None and int(steps * strength) < 1:
        steps = 2  # img2img runs steps * strength denoising steps; at least one must run
    return ImageRequest(
        prompt=appearance_prompt(character, generation.prompt), negative_prompt=negative,
        width=int(settings["width"]), height=int(settings["height"]), steps=steps,
        guidance=float(settings["cfg_scale"]), seed=seed, init_image=face, strength=strength,
    )


def appearance_prompt(character: Character, prompt: str) -> str:
    """The request's prompt followed by how the character looks."""
    look = character.appearance or {}
    parts = [prompt.strip()]
    if look.get("hair_color"):
        parts.append(f"{look['hair_color']} hair")
    if look.get("eye_color"):
        parts.append(f"{look['eye_color']} eyes")
    if look.get("style_preferences"):
        parts.append(f"{', '.join(look['style_preferences'])} style")
    return ", ".join(part for part in parts if part)


def _image_caption(generation: Generation, image: Image.Image) -> tuple[captions.Caption | None, str]:
    """The image's caption and a note on how it was made.

    No language model: no caption, said so. A model that fails keeps the image
    (the review queue sees the empty caption and the reason); a caption that
    touched a banned topic twice fails the item.
    """
    try:
        registry.language_model()
    except EngineUnavailable:
        return None, NO_CAPTION_MODEL
    try:
        caption = captions.write_caption(generation.character, prompt=generation.prompt, image=image,
                                         category=generation.category)
    except (EngineUnavailable, EngineOutputInvalid) as exc:
        logger.warning("Caption for generation %s failed: %s", generation.pk, exc.message)
        return None, f"not written: {exc.message}"
    return caption, f"written in {caption.attempts} attempt(s)"


def _in_words(exc: EngineUnavailable, ready: readiness.Readiness) -> str:
    # The failure is shown on the studio page: a missing engine in the readiness words, never a setting's name.
    return exc.message if ready.ready else ready.reason


def _stored_files(generation: Generation, index: int, image: Image.Image) -> dict:
    """Save the image (PNG) and its thumbnail (JPEG), both marked as AI-generated.

    A storage failure is ``StorageFailed``: it fails the job with STORAGE_ERROR (a full or read-only
    disk fails every item alike), and the image saved before a failed thumbnail is removed again.
    """
    key = f"personas/content/{generation.character_id}/{generation.pk}-{index + 1}"
    data = provenance.encode_marked(image, image_format="PNG")
    thumbnail = image.convert("RGB")
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    thumbnail_data = provenance.encode_marked(thumbnail, image_format="JPEG")
    with files_removed_on_failure() as stored, storage_errors():
        stored.append(default_storage.save(f"{key}.png", ContentFile(data)))
        stored.append(default_storage.save(f"personas/thumbnails/{generation.character_id}/{generation.pk}-"
                                           f"{index + 1}.jpg", ContentFile(thumbnail_data)))
    return {"file": stored[0], "thumbnail": stored[1], "file_size": len(data)}


def _face_reference(character: Character) -> Image.Image | None:
    if not character.face_reference.name:
        return None
    with storage_errors(), default_storage.open(character.face_reference.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image.convert("RGB")


def _face_method(face: Image.Image | None) -> str:
    return f"img2img at strength {FACE_STRENGTH}" if face is not None else "none"


def _done_indexes(generation: Generation) -> set[int]:
    return {settings.get("index") for settings in generation.content.values_list("generation_settings", flat=True)}
