"""Queueing analyses: one image, a batch, a retry, a staff re-run; and cancelling a catalog job."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from catalog.choices import KIND_PREFIX, STEPS, ItemStatus, JobType, UploadStatus
from catalog.errors import AnalysisInProgress, ImageNotUploaded, InvalidImageIds
from catalog.models import BatchItem, Product, ProductImage
from catalog.selectors import image_for, product_for
from config.accounts import services as accounts
from config.errors import NotFound, UsageLimitExceeded
from config.jobs import services as jobs
from config.jobs.choices import FINISHED_STATUSES
from config.jobs.models import Job, JobStep

TASK = "catalog.tasks.run_analysis"
# Stored on every catalog job (like TASK): moving the function needs a data migration of unfinished jobs.
ON_FINISH = "catalog.ending.on_job_finished"
MAX_BATCH_IMAGES = 100


def job_kind(job_type: str) -> str:
    return f"{KIND_PREFIX}{job_type}"


def queue_analysis(owner, *, product: Product, images: list[ProductImage], job_type: str = JobType.SINGLE,
                   charge: bool = True) -> Job:
    """Queue one job analysing ``images`` (uploaded images of ``product``), one unit of usage each.

    Everything is one transaction; the task is enqueued once it commits. The
    job's steps are created ``pending`` so the job reads complete from the start.
    However the job ends, ``settling.settle_job`` closes its books.
    ``charge=False`` (staff re-runs) takes no usage.
    """
    with transaction.atomic():
        if charge:
            accounts.consume_usage(owner, len(images))
        job = jobs.create_job(owner, kind=job_kind(job_type), task=TASK, metered=False, on_finish=ON_FINISH,
                              timeout_seconds=settings.Q_CLUSTER["timeout"],
                              params={"product_id": str(product.pk), "charged": charge})
        BatchItem.objects.bulk_create([BatchItem(job=job, image=image, position=position, usage_counted=charge)
                                       for position, image in enumerate(images)])
        JobStep.objects.bulk_create([JobStep(job=job, name=step, item=str(image.pk))
                                     for image in images for step in STEPS])
    return job


def retry_analysis(owner, *, image_id) -> Job:
    """Analyse an uploaded image again in a new job (``AnalysisInProgress`` while one is queued or running)."""
    image = image_for(owner, image_id)
    if image.upload_status != UploadStatus.UPLOADED:
        raise ImageNotUploaded()
    if is_being_analysed(image):
        raise AnalysisInProgress()
    return queue_analysis(owner, product=image.product, images=[image], job_type=JobType.SINGLE)


def is_being_analysed(image: ProductImage) -> bool:
    return BatchItem.objects.filter(image=image, status__in=[ItemStatus.PENDING, ItemStatus.PROCESSING]) \
        .exclude(job__status__in=FINISHED_STATUSES).exists()


def create_batch(owner, *, product_id, image_ids: list) -> Job:
    """Queue one job for several uploaded images of one product, in the given order.

    ``NotFound`` for another user's product; ``InvalidImageIds`` when an id is
    not an uploaded image of the product; ``UsageLimitExceeded`` when the plan
    cannot cover every image.
    """
    product = product_for(owner, product_id)
    wanted = list(dict.fromkeys(str(image_id) for image_id in image_ids))
    if not wanted or len(wanted) > MAX_BATCH_IMAGES:
        raise InvalidImageIds(f"A batch takes 1 to {MAX_BATCH_IMAGES} image IDs.")
    found = {str(image.pk): image for image in product.images.filter(pk__in=wanted,
                                                                      upload_status=UploadStatus.UPLOADED)}
    invalid = [image_id for image_id in wanted if image_id not in found]
    if invalid:
        raise InvalidImageIds(f"Some image IDs are invalid: {', '.join(invalid)}.", details={"invalid": invalid})
    return queue_analysis(owner, product=product, images=[found[i] for i in wanted], job_type=JobType.BATCH)


def cancel_batch(owner, *, job_id) -> Job:
    """Cancel one of ``owner``'s catalog jobs: unstarted images never run; their units go back.

    The image being analysed stops at its next step; the job's ``on_finish``
    settles the rest once the cancel commits. ``Conflict`` if the job has finished.
    """
    if not Job.objects.for_user(owner).filter(pk=job_id, kind__startswith=KIND_PREFIX).exists():
        raise NotFound("Job not found.")
    return jobs.cancel_job(owner, job_id=job_id)


def rerun_images(images: Iterable[ProductImage]) -> list[Job]:
    """Staff re-run: one uncharged job per product for its uploaded, idle images."""
    by_product: dict = {}
    for image in images:
        if image.upload_status == UploadStatus.UPLOADED and not is_being_analysed(image):
            by_product.setdefault(image.product_id, []).append(image)
    queued = []
    for product_id, group in by_product.items():
        product = Product.objects.select_related("owner").get(pk=product_id)
        job_type = JobType.BATCH if len(group) > 1 else JobType.SINGLE
        queued.append(queue_analysis(product.owner, product=product, images=group, job_type=job_type, charge=False))
    return queued


def ensure_usage(owner, units: int) -> None:
    """Refuse early, before anything is stored; ``consume_usage`` is the race-free check."""
    if owner.usage_remaining < units:
        raise UsageLimitExceeded(f"Monthly limit of {owner.usage_limit} reached; it resets on "
                                 f"{owner.cycle_resets_at:%Y-%m-%d}.")
