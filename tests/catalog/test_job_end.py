"""A catalog job's end settles its rows and its units, whoever ends it (the job's ``on_finish``).

Each job here is caught mid-run: it was claimed, its first image (of a batch)
was analysed, the next one is being analysed, the rest wait. Then something
other than the task ends it, and nothing may be left ``processing``,
``pending`` or ``running``, and every unit of an image not analysed goes back
exactly once.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog import services
from catalog.choices import AnalysisStatus, ItemStatus, ProductStatus, UploadStatus
from catalog.models import AnalysisResult, BatchItem, Product, ProductImage
from catalog.services.analysis import ON_FINISH
from config.jobs import services as jobs
from config.jobs.choices import JobStatus
from config.jobs.ending import settle_ended_job
from config.jobs.hooks import on_task_finished
from config.jobs.models import Job
from tests.catalog.factories import BatchItemFactory, ProductImageFactory

pytestmark = pytest.mark.django_db

FINAL_ITEMS = {ItemStatus.COMPLETED, ItemStatus.FAILED, ItemStatus.CANCELLED}
FINAL_ANALYSES = {AnalysisStatus.COMPLETED, AnalysisStatus.FAILED}
IMAGES = {"single": 1, "batch": 3}
ANALYSED = {"single": 0, "batch": 1}  # before the job ends; the next image is being analysed


def usage(user) -> int:
    user.refresh_from_db()
    return user.usage_this_cycle


@pytest.fixture
def running_job(owner, product, photo_jpeg, queued, django_capture_on_commit_callbacks):
    """A claimed job: a batch has its first image analysed, its second being analysed and its third waiting."""

    def make(kind: str) -> Job:
        images = ProductImageFactory.create_batch(IMAGES[kind], product=product, data=photo_jpeg)
        with django_capture_on_commit_callbacks(execute=True):
            if kind == "single":
                job = services.retry_analysis(owner, image_id=images[0].pk)
            else:
                job = services.create_batch(owner, product_id=product.pk, image_ids=[i.pk for i in images])
        job = jobs.claim_job(job.pk)
        items = services.items_to_run(job)
        for item in items[:ANALYSED[kind]]:
            services.finish_item(item, services.start_item(item, model_version="test"), processing_ms=5)
        services.start_item(items[ANALYSED[kind]], model_version="test")
        return job

    return make


def end_by_sweep(job: Job, owner) -> None:
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=2))
    jobs.sweep_stuck_jobs()


def end_by_recovery(job: Job, owner) -> None:
    host = jobs.current_worker().rpartition(":")[0]
    Job.objects.filter(pk=job.pk).update(worker=f"{host}:999999999", attempts=job.max_attempts)
    jobs.recover_lost_jobs()


def end_by_failure_hook(job: Job, owner) -> None:
    class Task:
        success = False
        args = (str(job.pk),)
        result = "Traceback: the worker was killed"

    on_task_finished(Task())


def end_by_cancel(job: Job, owner) -> None:
    services.cancel_batch(owner, job_id=job.pk)


def assert_settled(job: Job, owner, *, kind: str, status: str) -> None:
    job.refresh_from_db()
    assert job.status == status
    items = BatchItem.objects.filter(job=job)
    assert items.count() == IMAGES[kind] and set(items.values_list("status", flat=True)) <= FINAL_ITEMS
    assert set(AnalysisResult.objects.filter(job=job).values_list("status", flat=True)) <= FINAL_ANALYSES
    assert set(ProductImage.objects.values_list("upload_status", flat=True)) == {UploadStatus.UPLOADED}
    analysed = ANALYSED[kind]
    assert items.filter(status=ItemStatus.COMPLETED).count() == analysed
    assert Product.objects.get().status == ProductStatus.DRAFT  # the owner's to change, whatever the end
    # Only the analysed images keep their unit; the others' went back, once.
    assert usage(owner) == analysed
    assert not items.exclude(status=ItemStatus.COMPLETED).filter(usage_counted=True).exists()


def end_then_settle_again(end, job: Job, owner, capture) -> None:
    with capture(execute=True):
        end(job, owner)
    # The sweep meets the job again, and the end is settled a second time: nothing more goes back.
    with capture(execute=True):
        jobs.sweep_stuck_jobs()
    settle_ended_job(job.pk)


@pytest.mark.parametrize("kind", ["single", "batch"])
def test_a_job_the_sweep_fails_leaves_every_row_final_and_refunds_once(
        kind, running_job, owner, django_capture_on_commit_callbacks):
    job = running_job(kind)
    end_then_settle_again(end_by_sweep, job, owner, django_capture_on_commit_callbacks)
    assert_settled(job, owner, kind=kind, status=JobStatus.FAILED)


@pytest.mark.parametrize("kind", ["single", "batch"])
def test_a_job_whose_worker_died_on_its_last_attempt_leaves_every_row_final_and_refunds_once(
        kind, running_job, owner, django_capture_on_commit_callbacks):
    job = running_job(kind)
    end_then_settle_again(end_by_recovery, job, owner, django_capture_on_commit_callbacks)
    assert_settled(job, owner, kind=kind, status=JobStatus.FAILED)


@pytest.mark.parametrize("kind", ["single", "batch"])
def test_a_job_the_failure_hook_fails_leaves_every_row_final_and_refunds_once(
        kind, running_job, owner, django_capture_on_commit_callbacks):
    job = running_job(kind)
    end_then_settle_again(end_by_failure_hook, job, owner, django_capture_on_commit_callbacks)
    assert_settled(job, owner, kind=kind, status=JobStatus.FAILED)


@pytest.mark.parametrize("kind", ["single", "batch"])
def test_a_job_the_user_cancels_mid_run_leaves_every_row_final_and_refunds_once(
        kind, running_job, owner, django_capture_on_commit_callbacks):
    job = running_job(kind)
    end_then_settle_again(end_by_cancel, job, owner, django_capture_on_commit_callbacks)
    assert_settled(job, owner, kind=kind, status=JobStatus.CANCELLED)


def test_the_image_being_analysed_when_its_job_failed_is_failed_with_the_jobs_error(
        running_job, owner, django_capture_on_commit_callbacks):
    job = running_job("batch")
    with django_capture_on_commit_callbacks(execute=True):
        end_by_sweep(job, owner)
    job.refresh_from_db()
    current = BatchItem.objects.get(job=job, position=1)
    assert (current.status, current.error) == (ItemStatus.FAILED, job.error_message)
    analysis = AnalysisResult.objects.get(job=job, image_id=current.image_id)
    assert (analysis.status, analysis.error_message) == (AnalysisStatus.FAILED, job.error_message)
    assert BatchItem.objects.get(job=job, position=2).status == ItemStatus.CANCELLED  # it never started


def test_the_image_being_analysed_when_its_job_was_cancelled_is_cancelled(
        running_job, owner, django_capture_on_commit_callbacks):
    job = running_job("single")
    with django_capture_on_commit_callbacks(execute=True):
        end_by_cancel(job, owner)
    assert BatchItem.objects.get(job=job).status == ItemStatus.CANCELLED
    assert AnalysisResult.objects.get(job=job).error_message == "The job was cancelled."


def test_a_job_retried_by_recovery_is_not_settled_while_attempts_remain(
        running_job, owner, django_capture_on_commit_callbacks):
    job = running_job("single")
    host = jobs.current_worker().rpartition(":")[0]
    Job.objects.filter(pk=job.pk).update(worker=f"{host}:999999999")
    with django_capture_on_commit_callbacks(execute=True):
        jobs.recover_lost_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and usage(owner) == 1
    assert BatchItem.objects.get(job=job).usage_counted


def test_every_way_of_queueing_an_analysis_gives_the_job_its_on_finish(owner, product, photo_jpeg, queued):
    image, other = ProductImageFactory.create_batch(2, product=product, data=photo_jpeg)
    single = services.retry_analysis(owner, image_id=image.pk)
    batch = services.create_batch(owner, product_id=product.pk, image_ids=[other.pk])
    jobs.cancel_job(owner, job_id=single.pk)
    jobs.cancel_job(owner, job_id=batch.pk)
    (rerun,) = services.rerun_images([image, other])
    assert {job.on_finish for job in (single, batch, rerun)} == {ON_FINISH}


def test_settling_an_unfinished_job_changes_nothing(owner):
    item = BatchItemFactory(job__owner=owner, status=ItemStatus.PROCESSING, usage_counted=True)
    services.settle_job(item.job)
    item.refresh_from_db()
    assert item.status == ItemStatus.PROCESSING and item.usage_counted
