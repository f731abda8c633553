"""A room set's later photos: staged with the set's seed and the first result as their reference,
measured for consistency with it, and generated once more with a stronger reference when below
``STAGING_CONSISTENCY_MIN``. The first photo is an ordinary staging (``pipeline.stage_job``)."""

from functools import partial

import numpy as np
from django.conf import settings
from PIL import Image

from config.ai import registry
from config.ai.image.base import ReferenceImage
from config.jobs.models import Job
from config.jobs.runner import job_step
from staging import consistency, pipeline, services, structure
from staging.choices import StagingStatus
from staging.errors import RoomSetReferenceFailed
from staging.models import Staging

STRONGER = "stronger-reference-"


def waiting_for_reference(job_id: str) -> bool:
    """Whether this photo's reference is still being staged (its end queues this photo again)."""
    staging = Staging.objects.select_related("room_set__reference__job").filter(job_id=job_id).first()
    reference = staging.room_set.reference if staging and staging.room_set else None
    return reference is not None and not reference.job.is_finished


def stage_photo_job(job: Job) -> dict:
    """Stage a later photo of a room set; raises ``RoomSetReferenceFailed`` without a staged reference."""
    staging = Staging.objects.select_related("room_set__reference__job").get(job=job)
    reference = staging.room_set.reference
    if reference is None or reference.status != StagingStatus.COMPLETED:
        raise RoomSetReferenceFailed()
    image = pipeline.load_stored_image(reference.staged_image)
    mask = structure.furnished_area_mask(pipeline.load_original(reference)).mask
    summary = pipeline.stage_job(job, generate=partial(generate_consistent, reference=image, reference_mask=mask))
    staging.refresh_from_db(fields=["consistency_score"])
    services.record_set_consistency(staging.room_set)
    return summary | {"consistency": staging.consistency_score}


def generate_consistent(job: Job, staging: Staging, original_rgb: np.ndarray, working: Image.Image,
                        full_mask: Image.Image, area: structure.FurnishedArea, *, task: pipeline.Task,
                        reference: Image.Image, reference_mask: Image.Image) -> pipeline.Generation:
    """``pipeline.generate_checked`` with the reference, then the ``consistency`` step; below the
    minimum, one more round at ``STAGING_REFERENCE_WEIGHT_RETRY`` and the more consistent result kept."""
    labeler = registry.labeler()
    weights = (settings.STAGING_REFERENCE_WEIGHT, settings.STAGING_REFERENCE_WEIGHT_RETRY)
    best: tuple[pipeline.Generation, consistency.ConsistencyReport] | None = None
    for number, weight in enumerate(weights, start=1):
        generation = pipeline.generate_checked(
            job, staging, original_rgb, working, full_mask, area, task=task,
            reference=ReferenceImage(reference, weight), round_name="" if number == 1 else STRONGER)
        with job_step(job, "consistency", item=str(number)) as step:
            report = consistency.measure(generation.locked, full_mask, reference, reference_mask, labeler=labeler)
            step.data.update(report.as_dict(), reference_weight=weight, minimum=settings.STAGING_CONSISTENCY_MIN)
        if best is None or report.score > best[1].score:
            best = (generation, report)
        if report.score >= settings.STAGING_CONSISTENCY_MIN:
            break
    services.record_consistency(staging, best[1])
    return best[0]
