"""A catalog job's end: its images, analyses, units of usage and products settled, whoever ended it.

``settle_job`` is the ``on_finish`` of every catalog job (see
``config.jobs.ending``): the task completing or failing it, the minute sweep,
lost-worker recovery, django-q2's failure hook and a user's cancel all reach
it, after the end commits. Nothing here assumes the task ended normally.
"""

from django.utils import timezone

from catalog.choices import AnalysisStatus, ItemStatus, ProductStatus
from catalog.models import AnalysisResult, BatchItem, Product
from config.accounts import services as accounts
from config.jobs.choices import FINISHED_STATUSES, JobStatus
from config.jobs.models import Job

CANCELLED_MESSAGE = "The job was cancelled."
UNFINISHED = [ItemStatus.PENDING, ItemStatus.PROCESSING]


def settle_job(job: Job) -> None:
    """Close the books of a finished job.

    Images that never started are cancelled. The image being analysed when the
    job ended is cancelled with it, or failed with the job's error when the job
    failed (a timeout, a dead worker); its open analysis fails likewise. Units of
    images not analysed go back, and products the job was processing become
    active or draft.

    Safe to run more than once and from any process: every write is
    conditional on the row still being unfinished, so a unit goes back at most once.
    """
    if not job.is_finished:
        return
    items = BatchItem.objects.filter(job=job)
    failed = job.status == JobStatus.FAILED
    message = (job.error_message or "The job failed.") if failed else CANCELLED_MESSAGE
    if failed:
        items.filter(status=ItemStatus.PROCESSING).update(status=ItemStatus.FAILED, error=message[:2000])
    items.filter(status__in=UNFINISHED).update(status=ItemStatus.CANCELLED)
    AnalysisResult.objects.filter(job=job, status__in=[AnalysisStatus.PENDING, AnalysisStatus.RUNNING]).update(
        status=AnalysisStatus.FAILED, error_message=message[:2000], updated_at=timezone.now())
    refund_items(items.exclude(status=ItemStatus.COMPLETED), owner_id=job.owner_id)
    settle_products(job)


def settle_products(job: Job) -> None:
    """Move the job's products out of ``processing`` once none of their images is still waiting.

    The pipeline calls it too, before the job's completion event, so a page
    reloading on that event already sees the product's new status.
    """
    for product_id in set(BatchItem.objects.filter(job=job).values_list("image__product_id", flat=True)):
        _settle_product(product_id)


def refund_items(items, *, owner_id) -> None:
    """Give back the unit each of ``items`` still holds."""
    # One conditional update per item, so a unit goes back at most once however many callers race.
    for item_id in items.filter(usage_counted=True).values_list("pk", flat=True):
        if BatchItem.objects.filter(pk=item_id, usage_counted=True).update(usage_counted=False):
            accounts.refund_usage(owner_id)


def _settle_product(product_id) -> None:
    busy = BatchItem.objects.filter(image__product_id=product_id).exclude(job__status__in=FINISHED_STATUSES) \
        .filter(status__in=UNFINISHED).exists()
    if busy:
        return
    analysed = AnalysisResult.objects.filter(image__product_id=product_id, status=AnalysisStatus.COMPLETED).exists()
    Product.objects.filter(pk=product_id, status=ProductStatus.PROCESSING).update(
        status=ProductStatus.ACTIVE if analysed else ProductStatus.DRAFT)
