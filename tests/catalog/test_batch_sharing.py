"""A batch is shared by the cluster's workers: each image is taken by one worker, the job's own task ends it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog import pipeline, services
from catalog.choices import ItemStatus
from catalog.models import AnalysisResult, BatchItem
from config.jobs import services as jobs
from config.jobs.models import JobEvent, JobStep
from tests.catalog.factories import ProductImageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("labeler_present")]


@pytest.fixture
def batch_of(owner, product, photo_jpeg, queued, django_capture_on_commit_callbacks):
    def make(count: int):
        images = ProductImageFactory.create_batch(count, product=product, data=photo_jpeg)
        with django_capture_on_commit_callbacks(execute=True):
            job = services.create_batch(owner, product_id=product.pk, image_ids=[i.pk for i in images])
        queued.clear()
        return jobs.claim_job(job.pk)

    return make


def test_two_workers_never_take_the_same_image(batch_of):
    job = batch_of(3)
    services.items_to_run(job)

    taken = [services.claim_item(job) for _ in range(4)]

    assert [item.position for item in taken[:3]] == [0, 1, 2] and taken[3] is None
    assert set(BatchItem.objects.filter(job=job).values_list("status", flat=True)) == {ItemStatus.PROCESSING}


def test_a_share_task_analyses_what_it_takes_and_the_job_task_ends_the_batch(batch_of):
    job = batch_of(3)
    services.items_to_run(job)
    first = services.claim_item(job)  # the job's own task is busy with the first image

    pipeline.share_analysis(str(job.pk))  # another worker takes the other two
    assert BatchItem.objects.filter(job=job, status=ItemStatus.COMPLETED).count() == 2

    pipeline.analyse_item(job, first, total_images=3)
    summary = pipeline.analyse_job(job)

    assert summary == {"total_images": 3, "processed_images": 3, "failed_images": 0}
    assert AnalysisResult.objects.filter(job=job, status="completed").count() == 3
    # Each image went through its steps once, whichever worker took it.
    assert JobStep.objects.filter(job=job, name="preprocess").count() == 3
    assert JobEvent.objects.filter(job=job, step="preprocess", status="completed").count() == 3


def test_the_job_task_queues_one_share_per_other_worker(batch_of, queued, settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 3}
    job = batch_of(5)

    pipeline.analyse_job(job)

    shares = [func for func, _, _ in queued if func == "catalog.tasks.share_analysis"]
    assert len(shares) == 2


def test_a_single_image_needs_no_share(batch_of, queued):
    pipeline.analyse_job(batch_of(1))
    assert not [func for func, _, _ in queued if func == "catalog.tasks.share_analysis"]


def test_a_share_of_a_job_that_has_ended_does_nothing(batch_of):
    job = batch_of(2)
    services.items_to_run(job)
    jobs.cancel_job(job.owner, job_id=job.pk)

    pipeline.share_analysis(str(job.pk))

    assert not AnalysisResult.objects.filter(job=job).exists()


def test_images_a_dead_worker_held_are_taken_back_once_the_job_is_quiet(batch_of):
    job = batch_of(2)
    services.items_to_run(job)
    services.claim_item(job)  # a worker took it, then died
    JobEvent.objects.create(job=job, owner=job.owner, type="step_update", step="preprocess",
                            created_at=timezone.now() - timedelta(minutes=10))

    assert services.release_stalled_items(job, idle_seconds=60) == 1
    assert not BatchItem.objects.filter(job=job, status=ItemStatus.PROCESSING).exists()


def test_images_being_worked_on_are_not_taken_back(batch_of):
    job = batch_of(2)
    services.items_to_run(job)
    services.claim_item(job)
    JobEvent.objects.create(job=job, owner=job.owner, type="step_update", step="preprocess")

    assert services.release_stalled_items(job, idle_seconds=60) == 0
