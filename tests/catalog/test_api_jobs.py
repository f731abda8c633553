"""/api/v1/jobs and /api/v1/jobs/{id}: every job of the user, in seed 001's ProcessingJobResponse shape."""

import uuid

import pytest

from config.jobs import selftest
from config.jobs import services as jobs
from config.jobs.models import Job
from tests.catalog.factories import ProductImageFactory
from tests.catalog.test_api_batch import JOB_FIELDS, STEP_FIELDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog_job(alice, product, photo_jpeg, batch, queued):
    images = ProductImageFactory.create_batch(2, product=product, data=photo_jpeg)
    return Job.objects.get(pk=batch(alice, product, images).json()["id"])


@pytest.fixture
def selftest_job(owner, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return jobs.create_job(owner, kind=selftest.KIND, task=selftest.TASK, metered=False,
                               params={"ticks": 1, "delay": 0})


def test_the_list_holds_every_kind_of_job_newest_first(alice, catalog_job, selftest_job):
    response = alice.get("/api/v1/jobs")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "total"} and body["total"] == 2
    assert [item["id"] for item in body["items"]] == [str(selftest_job.pk), str(catalog_job.pk)]
    assert all(set(item) == JOB_FIELDS for item in body["items"])
    other, batch = body["items"]
    assert (other["job_type"], other["total_images"], other["processed_images"]) == ("platform.selftest", 0, 0)
    assert (batch["job_type"], batch["total_images"]) == ("batch", 2)


def test_the_list_filters_by_status_and_pages_with_limit_and_offset(alice, owner, catalog_job, queued):
    for _ in range(3):
        jobs.create_job(owner, kind=selftest.KIND, task=selftest.TASK, metered=False)
    jobs.cancel_job(owner, job_id=catalog_job.pk)
    cancelled = alice.get("/api/v1/jobs?status=cancelled").json()
    assert cancelled["total"] == 1 and cancelled["items"][0]["id"] == str(catalog_job.pk)
    page = alice.get("/api/v1/jobs?limit=2&offset=1").json()
    assert page["total"] == 4 and len(page["items"]) == 2
    assert alice.get("/api/v1/jobs?status=").json()["total"] == 4


def test_an_unknown_status_filter_is_refused(alice):
    # Refused by the selector (catalog.selectors.jobs_for), not answered with an empty list.
    response = alice.get("/api/v1/jobs?status=finished")
    assert response.status_code == 422 and "status must be one of" in response.json()["detail"]


@pytest.mark.parametrize("query", ["status=done", "limit=0", "limit=101", "offset=-1"])
def test_bad_list_parameters_are_422(alice, query):
    assert alice.get(f"/api/v1/jobs?{query}").status_code == 422


def test_the_list_shows_only_the_users_jobs(charlie, catalog_job):
    assert charlie.get("/api/v1/jobs").json() == {"items": [], "total": 0}


def test_the_detail_has_every_step(alice, catalog_job):
    body = alice.get(f"/api/v1/jobs/{catalog_job.pk}").json()
    assert set(body) == JOB_FIELDS and len(body["steps"]) == 14
    assert set(body["steps"][0]) >= STEP_FIELDS and body["updated_at"] >= body["created_at"]


def test_a_job_of_another_app_has_its_steps_too(alice, selftest_job, run_queued):
    run_queued()
    body = alice.get(f"/api/v1/jobs/{selftest_job.pk}").json()
    assert body["status"] == "completed" and body["steps"]
    assert {s["status"] for s in body["steps"]} == {"completed"} and body["completed_at"]


def test_another_users_job_is_404(charlie, catalog_job):
    assert charlie.get(f"/api/v1/jobs/{catalog_job.pk}").status_code == 404
    assert charlie.get(f"/api/v1/jobs/{uuid.uuid4()}").json() == {"detail": "Job not found."}


def test_jobs_need_a_token(api):
    assert api.get("/api/v1/jobs").status_code == 401
