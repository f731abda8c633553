"""The staging pipeline: from a stored room photo to a staged, checked, disclosed result.

Each step is a ``job_step`` (a JobStep row and live events). The real work
sits in the neighbouring modules: ``interior`` (is this a room, which room),
``structure`` (line maps and the furnished-area mask), ``integrity`` (did the
walls, windows and doors survive; the pixel lock), ``quality`` and
``renditions``/``disclosure``. No HTTP in here.
"""

import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image

from config.ai import registry
from config.ai.errors import EngineUnavailable
from config.ai.image.base import ControlNetCondition, ImageRequest
from config.ai.llm.base import ImageInput, LLMRequest, Message
from config.jobs.models import Job
from config.jobs.runner import job_step
from staging import integrity, interior, quality, renditions, services, structure
from staging.choices import RoomType, RoomTypeSource
from staging.errors import ArchitecturalIntegrityFailed, NotInteriorImage
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


@dataclass(frozen=True)
class Generation:
    image: Image.Image
    seed: int
    attempt: int
    report: integrity.IntegrityReport


def stage_job(job: Job) -> dict:
    """Run every step for the staging behind ``job``; return the job's result summary."""
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
        mode = settings.STAGING_QUALITY[staging.quality_mode]
        working = original.resize(renditions.model_size(*original.size, mode["long_edge"]), Image.Resampling.LANCZOS)
        maps = structure.structural_maps(working)
        area = structure.furnished_area_mask(working)
        step.data.update(segments=maps.segment_count, mask_coverage=round(area.coverage, 3),
                         mask_fell_back=area.fell_back)
    generation = generate_checked(job, staging, working, maps, area, steps=mode["steps"])
    with job_step(job, "pixel_lock", fraction=0.85) as step:
        full = generation.image.resize(original.size, Image.Resampling.LANCZOS)
        full_mask = area.mask.resize(original.size, Image.Resampling.NEAREST)
        locked = integrity.pixel_lock(original, full, full_mask)
        step.data.update(share_within_delta_e_1=round(locked.share_within_delta_e_1, 5))
    with job_step(job, "quality", fraction=0.9) as step:
        report = quality.quality_score(locked.image, integrity_score=generation.report.score)
        step.data.update(score=round(report.score, 3))
    with job_step(job, "store", fraction=0.98):
        services.save_result(
            staging, image=locked.image, seed=generation.seed, attempts=generation.attempt,
            integrity=generation.report, pixel_lock_share=locked.share_within_delta_e_1, quality=report,
            engine=registry.image_generator(), processing_ms=int((time.monotonic() - started) * 1000),
        )
    return {"staging_id": str(staging.pk), "quality_score": round(report.score, 2),
            "integrity_score": round(generation.report.score, 3)}


def load_original(staging: Staging) -> Image.Image:
    """The stored original, decoded as RGB at its full size."""
    with default_storage.open(staging.original_image.name, "rb") as stored:
        image = Image.open(stored)
        image.load()
    return image.convert("RGB")


def choose_room_type(staging: Staging, photo: Image.Image, verdict: interior.InteriorVerdict) -> tuple[str, str]:
    """The given room type, else the language model's, else the labels' hint, else an assumption."""
    if staging.room_type:
        return staging.room_type, RoomTypeSource.GIVEN
    try:
        model = registry.language_model()
    except EngineUnavailable:
        model = None
    if model is not None:
        answer = model.complete(LLMRequest(
            [Message("user", "Which kind of room is this photo of?", images=(ImageInput.from_pil(photo),))],
            system="You classify real-estate room photos.", schema=ROOM_TYPE_SCHEMA, schema_name="room",
            max_tokens=50,
        ))
        return answer.data["room_type"], RoomTypeSource.LANGUAGE_MODEL
    if verdict.room_type_hint:
        return verdict.room_type_hint, RoomTypeSource.LABELER
    return RoomType.LIVING_ROOM, RoomTypeSource.ASSUMED


def build_prompt(staging: Staging, room_type: str) -> str:
    """The style's template with the room and the quality mode filled in."""
    detail = ("ultra detailed, 8k, sharp focus, perfect lighting" if staging.quality_mode == "premium"
              else "detailed, sharp focus")
    return staging.style.prompt_template.format(room=RoomType(room_type).label.lower(), quality=detail)


def generate_checked(job: Job, staging: Staging, working: Image.Image, maps: structure.StructuralMaps,
                     area: structure.FurnishedArea, *, steps: int) -> Generation:
    """Generate, measure integrity, retry once with stronger conditioning, else fail."""
    generator = registry.image_generator()
    prompt = build_prompt(staging, staging.room_type or RoomType.LIVING_ROOM)
    seed = staging.seed if staging.seed is not None else secrets.randbelow(2**31)
    report = None
    for attempt, scale in enumerate(CONTROL_SCALES, start=1):
        with job_step(job, "generate", item=str(attempt), fraction=0.25 + 0.25 * attempt) as step:
            result = generator.generate(ImageRequest(
                prompt, negative_prompt=staging.style.negative_prompt, width=working.width, height=working.height,
                steps=steps, seed=seed + attempt - 1, init_image=working, mask=area.mask,
                control=ControlNetCondition("mlsd", maps.lines, scale=scale), preserve_unmasked=False,
            ))
            step.data.update(seed=result.seed, control_scale=scale, latency_ms=result.usage.latency_ms,
                             provider=result.usage.provider, model=result.usage.model)
        with job_step(job, "integrity", item=str(attempt)) as step:
            report = integrity.measure_integrity(working, result.image, area.mask,
                                                 threshold=settings.STAGING_INTEGRITY_THRESHOLD)
            step.data.update(score=round(report.score, 4), passed=report.passed)
        if report.passed:
            return Generation(result.image, result.seed, attempt, report)
        logger.info("Staging %s attempt %d kept %.3f of the structure", staging.pk, attempt, report.score)
    raise ArchitecturalIntegrityFailed(
        f"Only {report.score:.0%} of the room's structural lines survived (threshold "
        f"{settings.STAGING_INTEGRITY_THRESHOLD:.0%}) after {len(CONTROL_SCALES)} attempts.",
        details={"integrity_score": round(report.score, 4)},
    )
