"""A catalog job's end: its images, analyses and units of usage settled, whoever ended it.

``settle_job`` is the ``on_finish`` of every catalog job (see
``config.jobs.ending``): the task completing or failing it, the minute sweep,
lost-worker recovery, django-q2's failure hook and a user's cancel all reach
it, after the end commits. Nothing here assumes the task ended normally.
"""

from django.utils import timezone

from catalog.choices import AnalysisStatus, ItemStatus
from catalog.models import AnalysisResult, BatchItem
from config.accounts import services as accounts
from config.jobs.choices import JobStatus
from config.jobs.models import Job

CANCELLED_MESSAGE = "The job was cancelled."
UNFINISHED = [ItemStatus.PENDING, ItemStatus.PROCESSING]


def settle_job(job: Job) -> None:
    """Close the books of a finished job.

    Images that never started are cancelled. The image being analysed when the
    job ended is cancelled with it, or failed with the job's error when the job
    failed (a timeout, a dead worker); its open analysis fails likewise. Units of
    images not analysed go back. A product's status is its owner's to change
    (draft, active, archived): no analysis moves it.

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


def refund_items(items, *, owner_id) -> None:
    """Give back the unit each of ``items`` still holds."""
    # One conditional update per item, so a unit goes back at most once however many callers race.
    for item_id in items.filter(usage_counted=True).values_list("pk", flat=True):
        if BatchItem.objects.filter(pk=item_id, usage_counted=True).update(usage_counted=False):
            accounts.refund_usage(owner_id)
