"""/api/v1/batch: create (201), status, cancel (204)."""

import uuid

import pytest

from catalog.choices import STEPS
from catalog.models import BatchItem
from config.jobs import selftest
from config.jobs import services as jobs
from config.jobs.models import Job
from tests.catalog.factories import ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db

JOB_FIELDS = {"id", "user_id", "job_type", "status", "total_images", "processed_images", "failed_images",
              "celery_task_id", "started_at", "completed_at", "error_message", "steps", "result", "created_at",
              "updated_at"}
STEP_FIELDS = {"id", "step_name", "status", "started_at", "completed_at", "duration_ms", "error_message",
               "result_data"}


@pytest.fixture
def three(product, photo_jpeg):
    return ProductImageFactory.create_batch(3, product=product, data=photo_jpeg)


def test_a_batch_is_201_with_the_processing_job(alice, product, three, batch, queued, owner):
    response = batch(alice, product, three)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == JOB_FIELDS
    assert (body["job_type"], body["status"], body["user_id"]) == ("batch", "queued", str(owner.pk))
    assert (body["total_images"], body["processed_images"], body["failed_images"]) == (3, 0, 0)
    assert body["celery_task_id"] is None and body["completed_at"] is None and body["error_message"] is None
    # Every step of every image, pending, in the order they will run.
    assert len(body["steps"]) == 21 and set(body["steps"][0]) >= STEP_FIELDS
    assert [s["step_name"] for s in body["steps"][:7]] == list(STEPS)
    assert {s["status"] for s in body["steps"]} == {"pending"} and body["steps"][0]["result_data"] == {}
    assert body["steps"][0]["image_id"] == str(three[0].pk)
    assert [i.image_id for i in BatchItem.objects.filter(job_id=body["id"])] == [i.pk for i in three]
    assert queued[0][1] == (body["id"],) and len(queued) == 1
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 3  # one unit per image


def test_repeated_ids_are_analysed_once(alice, product, three, batch, queued):
    body = batch(alice, product, [three[0], three[1], three[0]]).json()
    assert body["total_images"] == 2


def test_a_batch_for_another_users_product_is_404(charlie, product, three, batch, queued):
    response = batch(charlie, product, three)
    assert response.status_code == 404 and response.json() == {"detail": "Product not found."} and not queued


def test_ids_of_another_products_images_are_422(alice, owner, product, three, batch, photo_jpeg, queued):
    elsewhere = ProductImageFactory(product=ProductFactory(owner=owner, title="Lamp"), data=photo_jpeg)
    response = batch(alice, product, [three[0], elsewhere])
    assert response.status_code == 422
    assert str(elsewhere.pk) in response.json()["detail"] and not queued and not Job.objects.exists()


def test_ids_that_do_not_exist_or_are_not_uploaded_are_422(alice, product, three, batch, queued):
    pending = ProductImageFactory(product=product, upload_status="pending")
    assert batch(alice, product, [three[0], pending]).status_code == 422
    response = alice.post("/api/v1/batch", {"product_id": str(product.pk), "image_ids": [str(uuid.uuid4())]},
                          format="json")
    assert response.status_code == 422 and "invalid" in response.json()["detail"]


@pytest.mark.parametrize("image_ids", [[], ["not-a-uuid"], "c3d4e5f6-a7b8-9012-cdef-123456789012"])
def test_malformed_image_ids_are_422(alice, product, image_ids):
    response = alice.post("/api/v1/batch", {"product_id": str(product.pk), "image_ids": image_ids}, format="json")
    assert response.status_code == 422 and set(response.json()) == {"detail"}


def test_a_batch_the_plan_cannot_cover_is_403_and_queues_nothing(alice, product, three, batch, queued, owner):
    owner.monthly_usage_limit = 2
    owner.save()
    response = batch(alice, product, three)
    assert response.status_code == 403 and not queued and not Job.objects.exists()
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0


def test_the_batch_status_reads_the_job(alice, product, three, batch, queued):
    job_id = batch(alice, product, three).json()["id"]
    response = alice.get(f"/api/v1/batch/{job_id}")
    assert response.status_code == 200
    assert response.json()["id"] == job_id and response.json()["total_images"] == 3


def test_an_unknown_batch_is_404(alice):
    assert alice.get(f"/api/v1/batch/{uuid.uuid4()}").json() == {"detail": "Job not found."}


def test_another_users_existing_batch_is_404_to_read_and_to_cancel(alice, charlie, product, three, batch, queued):
    job_id = batch(alice, product, three).json()["id"]
    assert charlie.get(f"/api/v1/batch/{job_id}").status_code == 404
    assert charlie.delete(f"/api/v1/batch/{job_id}").status_code == 404
    assert Job.objects.get(pk=job_id).status == "queued"


def test_a_job_of_another_app_is_not_a_batch(alice, owner, queued):
    job = jobs.create_job(owner, kind=selftest.KIND, task=selftest.TASK, metered=False)
    assert alice.get(f"/api/v1/batch/{job.pk}").status_code == 404
    assert alice.delete(f"/api/v1/batch/{job.pk}").status_code == 404


def test_cancel_is_204_and_gives_the_units_of_unstarted_images_back(alice, product, three, batch, queued, owner,
                                                                    django_capture_on_commit_callbacks):
    job_id = batch(alice, product, three).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):  # the job's on_finish settles it after commit
        response = alice.delete(f"/api/v1/batch/{job_id}")
    assert response.status_code == 204 and response.content == b""
    body = alice.get(f"/api/v1/batch/{job_id}").json()
    assert body["status"] == "cancelled" and body["completed_at"]
    assert set(BatchItem.objects.filter(job_id=job_id).values_list("status", flat=True)) == {"cancelled"}
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0


def test_cancelling_a_finished_batch_is_409(alice, product, three, batch, queued):
    job_id = batch(alice, product, three).json()["id"]
    assert alice.delete(f"/api/v1/batch/{job_id}").status_code == 204
    response = alice.delete(f"/api/v1/batch/{job_id}")
    assert response.status_code == 409 and set(response.json()) == {"detail"}


def test_batch_needs_a_token(api, product):
    assert api.post("/api/v1/batch", {}, format="json").status_code == 401
    assert api.delete(f"/api/v1/batch/{uuid.uuid4()}").status_code == 401
