"""The staging pipeline: from a stored room photo to a staged, checked, disclosed result.

Each step is a ``job_step`` (a JobStep row and live events). The real work
sits in the neighbouring modules: ``interior`` (is this a room, which room),
``structure`` (line maps and the furnished-area mask), ``integrity`` (did the
raw output keep the walls, windows and doors), ``pixel_lock`` (the original
outside the furnished area, measured again on the stored files), ``quality``
(how the delivered image looks) and ``delivery`` (the files, their disclosure
and provenance). No HTTP in here.

The staging's ``mode`` chooses the inpainting passes: ``stage`` furnishes the
area; ``declutter`` empties it (an "empty room" prompt, checked by
``emptiness`` as well) and delivers the emptied room; ``declutter_and_stage``
empties it, stores the emptied room with its own figures, then furnishes it.
Every pass generates at the model's native scale and reaches the photo's size
through ``scale``.
"""

import io
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image

from config.ai import registry
from config.ai.errors import EngineUnavailable
from config.ai.image.base import ControlNetCondition, ImageRequest, ReferenceImage
from config.ai.llm.base import ImageInput, LLMRequest, Message
from config.errors import ApplicationError
from config.jobs.models import Job
from config.jobs.runner import job_step
from staging import delivery, emptiness, integrity, interior, pixel_lock, quality, revisions, scale, services, structure
from staging.choices import RoomType, RoomTypeSource, StagingMode
from staging.errors import ArchitecturalIntegrityFailed, DeclutterFailed, NotInteriorImage, QualityCheckFailed
from staging.models import Staging

logger = logging.getLogger("stagecraft.staging")

# A second attempt conditions the generator more strongly on the room's lines.
CONTROL_SCALES = (1.0, 1.6)
ROOM_TYPE_SCHEMA = {
    "type": "object",
    "properties": {"room_type": {"type": "string", "enum": RoomType.values}},
    "required": ["room_type"],
    "additionalProperties": False,
}
# Decluttering's inpainting prompt ("{room}" and "{quality}" filled in) and what it keeps out.
DECLUTTER_PROMPT = ("an empty {room} with nothing in it, bare floor, bare walls, no furniture, unfurnished, "
                    "same floor and walls, {quality}")
DECLUTTER_NEGATIVE_PROMPT = ("furniture, sofa, couch, chair, table, bed, desk, shelf, cabinet, rug, carpet, lamp, "
                            "plant, boxes, clutter, objects, decoration, people, text, watermark")


@dataclass(frozen=True)
class Generation:
    """An accepted attempt: the locked image at the original's size and its figures."""

    locked: Image.Image
    seed: int
    attempt: int
    integrity: integrity.IntegrityReport
    quality: quality.QualityReport
    emptiness_report: emptiness.EmptinessReport | None = None


def stage_job(job: Job, *, generate: Callable[..., Generation] | None = None) -> dict:
    """Run every step for the staging behind ``job``; return the job's result summary.

    ``generate`` replaces ``generate_checked`` for the furnishing pass (same arguments), as a
    room set's later photos do.
    """
    started = time.monotonic()
    staging = Staging.objects.select_related("style", "disclosure_profile").get(job=job)
    with job_step(job, "validate", fraction=0.05) as step:
        original = load_original(staging)
        step.data.update(width=original.width, height=original.height)
    with job_step(job, "interior", fraction=0.15) as step:
        verdict = interior.check_interior(original, labeler=registry.labeler(),
                                          threshold=settings.STAGING_INTERIOR_THRESHOLD)
        step.data.update(labels=verdict.labels_for_storage(), interior=verdict.interior)
        if not verdict.interior:
            raise NotInteriorImage(verdict.reason, details=verdict.labels_for_storage())
        room_type, source = choose_room_type(staging, original, verdict)
        services.record_room(staging, room_type=room_type, source=source, labels=verdict.labels_for_storage())
        step.data.update(room_type=room_type, source=source)
    with job_step(job, "structure", fraction=0.25) as step:
        working = original.resize(scale.generation_size(*original.size, staging.quality_mode),
                                  Image.Resampling.LANCZOS)
        maps = structure.structural_maps(working)
        area = structure.furnished_area_mask(working)
        step.data.update(segments=maps.segment_count, mask_coverage=round(area.coverage, 3),
                         mask_fell_back=area.fell_back, generation_size=list(working.size))
    original_rgb = np.asarray(original)
    full_mask = area.mask.resize(original.size, Image.Resampling.NEAREST)
    engine = registry.image_generator()
    generation = run_passes(job, staging, original_rgb, working, full_mask, maps, area, engine=engine,
                            generate=generate)
    with job_step(job, "store", fraction=0.9) as step:
        delivered = delivery.render(staging, generation.locked, original=read_stored(staging.original_image),
                                    engine=engine.provider, model=engine.model)
        services.store_renditions(staging, delivered.files)
        step.data.update(signed_by=delivered.provenance.get("signed_by"))
    files = delivered.files
    with job_step(job, "pixel_lock", fraction=0.97) as step:
        checks = [pixel_lock.measure_delivered(file.field, read_stored(getattr(staging, file.field)),
                                               original=original_rgb, mask=full_mask, excluded=file.marked)
                  for file in files if file.field in delivery.LOCKED_RENDITIONS]
        lock_share = min(check.share_within_delta_e_1 for check in checks)
        step.data.update(share_within_delta_e_1=lock_share, passed=lock_share >= settings.STAGING_PIXEL_LOCK_MIN_SHARE)
        if lock_share < settings.STAGING_PIXEL_LOCK_MIN_SHARE:
            logger.error("Staging %s: the stored files keep only %.4f of the unmasked pixels within ΔE 1",
                         staging.pk, lock_share)
    services.save_result(
        staging, seed=generation.seed, attempts=generation.attempt, integrity=generation.integrity,
        pixel_lock_share=lock_share, pixel_lock_parts=[check.as_dict() for check in checks],
        quality=generation.quality, provenance=delivered.provenance, engine=engine,
        processing_ms=int((time.monotonic() - started) * 1000),
    )
    return {"staging_id": str(staging.pk), "quality_score": round(generation.quality.score, 2),
            "integrity_score": generation.integrity.score, "pixel_lock_share": lock_share}


def run_passes(job: Job, staging: Staging, original_rgb: np.ndarray, working: Image.Image, full_mask: Image.Image,
               maps: structure.StructuralMaps, area: structure.FurnishedArea, *, engine,
               generate: Callable[..., Generation] | None = None) -> Generation:
    """The inpainting passes the staging's mode asks for; returns the generation to deliver.

    A declutter's emptied room is stored with its own figures before anything else runs, and
    ``declutter_and_stage`` then furnishes it, under its own lines, in the same area.
    """
    if staging.mode != StagingMode.STAGE:
        emptied = generate_checked(job, staging, original_rgb, working, full_mask, area,
                                   task=declutter_task(staging, maps, area))
        store_emptied(job, staging, emptied, original_rgb=original_rgb, full_mask=full_mask, engine=engine)
        if staging.mode == StagingMode.DECLUTTER:
            return emptied
        working = emptied.locked.resize(working.size, Image.Resampling.LANCZOS)
        with job_step(job, "structure", item="emptied") as step:
            maps = structure.structural_maps(working)
            step.data.update(segments=maps.segment_count)
    return (generate or generate_checked)(job, staging, original_rgb, working, full_mask, area,
                                          task=staging_task(staging, maps))


def read_stored(field) -> bytes:
    """The bytes of a stored file, as a user downloads them."""
    with default_storage.open(field.name, "rb") as stored:
        return stored.read()


def load_original(staging: Staging) -> Image.Image:
    """The original, decoded as RGB at its full size; cleaned from the untouched upload on the job's first run."""
    with Image.open(io.BytesIO(services.clean_original(staging))) as image:
        return image.convert("RGB")


def load_stored_image(field) -> Image.Image:
    """A stored image file, decoded as RGB at its full size."""
    with default_storage.open(field.name, "rb") as stored:
        image = Image.open(stored)
        image.load()
    return image.convert("RGB")


def choose_room_type(staging: Staging, photo: Image.Image, verdict: interior.InteriorVerdict) -> tuple[str, str]:
    """The given room type, else the language model's, else the labels' hint, else an assumption.

    A configured language model that fails (down, throttled, an answer out of
    shape) does not fail the staging: the labeler's answer is used and its
    source recorded.
    """
    if staging.room_type:
        return staging.room_type, RoomTypeSource.GIVEN
    try:
        model = registry.language_model()
    except EngineUnavailable:
        model = None
    if model is not None:
        try:
            answer = model.complete(LLMRequest(
                [Message("user", "Which kind of room is this photo of?", images=(ImageInput.from_pil(photo),))],
                system="You classify real-estate room photos.", schema=ROOM_TYPE_SCHEMA, schema_name="room",
                max_tokens=50,
            ))
            return answer.data["room_type"], RoomTypeSource.LANGUAGE_MODEL
        except ApplicationError as exc:
            logger.warning("Staging %s: the language model could not name the room (%s); using the labeler",
                           staging.pk, exc.code)
    if verdict.room_type_hint:
        return verdict.room_type_hint, RoomTypeSource.LABELER
    return RoomType.LIVING_ROOM, RoomTypeSource.ASSUMED


def build_prompt(staging: Staging, room_type: str) -> str:
    """The style's template with the room and the quality mode filled in, and a revision's additions."""
    detail = ("ultra detailed, 8k, sharp focus, perfect lighting" if staging.quality_mode == "premium"
              else "detailed, sharp focus")
    prompt = staging.style.prompt_template.format(room=RoomType(room_type).label.lower(), quality=detail)
    return revision_of(staging).prompt(prompt)


def build_negative_prompt(staging: Staging) -> str:
    """The style's negative prompt, and what a revision takes out."""
    return revision_of(staging).negative_prompt(staging.style.negative_prompt)


def revision_of(staging: Staging) -> revisions.Revision:
    return revisions.parse_instruction(staging.instruction) if staging.instruction else revisions.Revision((), ())


@dataclass(frozen=True)
class Task:
    """One inpainting pass: furnishing the area (staging) or emptying it (decluttering)."""

    prompt: str
    negative_prompt: str
    control: Image.Image
    declutter: bool = False

    def step(self, name: str) -> str:
        """The job step's name: staging's own, or the declutter pass's ("declutter", "declutter_integrity"...)."""
        if not self.declutter:
            return name
        return "declutter" if name == "generate" else f"declutter_{name}"


def staging_task(staging: Staging, maps: structure.StructuralMaps) -> Task:
    """Furnish the area in the staging's style, conditioned on the room's line map."""
    return Task(build_prompt(staging, staging.room_type or RoomType.LIVING_ROOM), build_negative_prompt(staging),
                maps.lines)


def declutter_task(staging: Staging, maps: structure.StructuralMaps, area: structure.FurnishedArea) -> Task:
    """Empty the area: the "empty room" prompt, conditioned on the room's lines outside the area
    (inside it the lines are mostly the clutter's outlines, which must not be drawn again)."""
    detail = "detailed, sharp focus, natural light"
    room = RoomType(staging.room_type or RoomType.LIVING_ROOM).label.lower()
    lines = Image.composite(Image.new("RGB", maps.lines.size), maps.lines.convert("RGB"),
                            area.mask.resize(maps.lines.size, Image.Resampling.NEAREST))
    return Task(DECLUTTER_PROMPT.format(room=room, quality=detail), DECLUTTER_NEGATIVE_PROMPT, lines, declutter=True)


def generate_checked(job: Job, staging: Staging, original_rgb: np.ndarray, working: Image.Image,
                     full_mask: Image.Image, area: structure.FurnishedArea, *, task: Task,
                     reference: ReferenceImage | None = None, round_name: str = "") -> Generation:
    """Inpaint ``working``'s area at native scale, check integrity (and for a declutter, that the
    area got emptier) on the raw output, upscale to the photo's size, lock, check quality; retry
    once with stronger conditioning, else fail with the last check's code (never charged).

    ``reference`` furnishes like another image; ``round_name`` prefixes the steps' items
    when a caller runs this more than once for one staging.
    """
    generator = registry.image_generator()
    chosen = scale.generation_settings(staging.quality_mode)
    seed = staging.seed if staging.seed is not None else secrets.randbelow(2**31)
    failure: ApplicationError | None = None
    for attempt, control_scale in enumerate(CONTROL_SCALES, start=1):
        item = f"{round_name}{attempt}"
        with job_step(job, task.step("generate"), item=item, fraction=0.25 + 0.25 * attempt) as step:
            result = generator.generate(ImageRequest(
                task.prompt, negative_prompt=task.negative_prompt, width=working.width, height=working.height,
                steps=chosen.steps, guidance=chosen.guidance, seed=seed + attempt - 1, init_image=working,
                mask=area.mask, control=ControlNetCondition("mlsd", task.control, scale=control_scale),
                preserve_unmasked=False, reference=reference,
            ))
            step.data.update(seed=result.seed, control_scale=control_scale, latency_ms=result.usage.latency_ms,
                             provider=result.usage.provider, model=result.usage.model,
                             reference_weight=reference.weight if reference else None)
        with job_step(job, task.step("integrity"), item=item) as step:
            report = integrity.measure_integrity(working, result.image, area.mask,
                                                 threshold=settings.STAGING_INTEGRITY_THRESHOLD,
                                                 score_boundary=not task.declutter)
            step.data.update(report.as_dict())
        if not report.passed:
            logger.info("Staging %s attempt %d: integrity %.3f", staging.pk, attempt, report.score)
            failure = ArchitecturalIntegrityFailed(
                f"The {'emptied' if task.declutter else 'staged'} image kept {report.score:.0%} of the room's "
                f"structure (threshold {settings.STAGING_INTEGRITY_THRESHOLD:.0%}) after {attempt} attempt(s).",
                details={"integrity_score": report.score, "integrity_parts": report.as_dict()},
            )
            continue
        emptied = None
        if task.declutter:
            with job_step(job, "emptiness", item=item) as step:
                emptied = emptiness.measure_emptiness(working, result.image, area.mask,
                                                      min_drop=settings.STAGING_DECLUTTER_MIN_DROP)
                step.data.update(emptied.as_dict())
            if not emptied.passed:
                logger.info("Staging %s declutter attempt %d: edge drop %.3f", staging.pk, attempt, emptied.drop)
                failure = DeclutterFailed(
                    f"The emptied image removed {emptied.drop:.0%} of the furnished area's edges (at least "
                    f"{emptied.min_drop:.0%} needed) after {attempt} attempt(s).", details=emptied.as_dict())
                continue
        with job_step(job, task.step("upscale"), item=item) as step:
            upscaled = scale.upscale(generator, result.image, mask=area.mask, size=original_rgb.shape[1::-1],
                                     prompt=task.prompt, negative_prompt=task.negative_prompt,
                                     quality_mode=staging.quality_mode, seed=result.seed)
            step.data.update(tiles=upscaled.tiles, refined_size=list(upscaled.refined_size),
                             strength=settings.STAGING_UPSCALE_STRENGTH)
        locked = pixel_lock.lock(original_rgb, np.asarray(upscaled.image), full_mask)
        with job_step(job, task.step("quality"), item=item) as step:
            graded = quality.quality_score(locked.image, mask=full_mask, integrity_score=report.score)
            step.data.update(score=graded.score, floor=settings.STAGING_QUALITY_FLOOR)
        if graded.score >= settings.STAGING_QUALITY_FLOOR:
            return Generation(locked.image, result.seed, attempt, report, graded, emptied)
        logger.info("Staging %s attempt %d: quality %.3f", staging.pk, attempt, graded.score)
        failure = QualityCheckFailed(
            f"The {'emptied' if task.declutter else 'staged'} image scored {graded.score:.2f} for quality (floor "
            f"{settings.STAGING_QUALITY_FLOOR:.2f}) after {attempt} attempt(s).",
            details={"quality_score": graded.score, "quality_parts": graded.parts},
        )
    raise failure


def store_emptied(job: Job, staging: Staging, emptied: Generation, *, original_rgb: np.ndarray,
                  full_mask: Image.Image, engine) -> None:
    """Store the emptied room (a signed lossless PNG) and record its figures with its pixel lock,
    measured on the stored file like the delivered ones."""
    with job_step(job, "store_emptied", fraction=0.6) as step:
        file = delivery.render_emptied(staging, emptied.locked, original=read_stored(staging.original_image),
                                       engine=engine.provider, model=engine.model)
        services.store_renditions(staging, [file])
        check = pixel_lock.measure_delivered(file.field, read_stored(staging.emptied_image), original=original_rgb,
                                             mask=full_mask)
        services.save_emptied(staging, seed=emptied.seed, attempts=emptied.attempt, integrity=emptied.integrity,
                              emptiness=emptied.emptiness_report, quality=emptied.quality, pixel_lock=check)
        step.data.update(share_within_delta_e_1=check.share_within_delta_e_1)
