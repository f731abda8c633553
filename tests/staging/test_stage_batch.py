"""POST /api/stage/batch and GET /api/stage/batch/{id}."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from staging.models import Batch, Staging
from tests.files import images

pytestmark = pytest.mark.django_db


def batch(client, files, **fields):
    body = {"style": "classic_elegance", "property_name": "12 Oak Lane", **fields,
            "images[]": [SimpleUploadedFile(f"room{i}.jpg", data) for i, data in enumerate(files)]}
    return client.post("/api/stage/batch", body, format="multipart")


def test_a_batch_queues_one_staging_per_photo(key_api, room_jpeg, furnishing_engine, queued, owner,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = batch(key_api, [room_jpeg, room_jpeg, room_jpeg])
    assert response.status_code == 201
    body = response.json()
    assert body["total_images"] == 3 and body["processing_status"] == "queued"
    assert body["estimated_completion_time"] and len(body["individual_stagings"]) == 3
    assert all(item["status"] == "queued" for item in body["individual_stagings"])
    assert Staging.objects.filter(batch_id=body["batch_id"], property_name="12 Oak Lane").count() == 3
    assert len(queued) == 3
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 3
    detail = key_api.get(f"/api/stage/batch/{body['batch_id']}").json()
    assert detail["batch_id"] == body["batch_id"] and len(detail["individual_stagings"]) == 3


def test_one_bad_photo_refuses_the_whole_batch(key_api, room_jpeg, furnishing_engine, queued, settings):
    response = batch(key_api, [room_jpeg, images.gif()])
    assert response.status_code == 400 and response.json()["error"]["code"] == "INVALID_IMAGE_FORMAT"
    assert not Batch.objects.exists() and not Staging.objects.exists()
    assert not (settings.MEDIA_ROOT / "staging").exists()


def test_a_batch_larger_than_the_remaining_plan_is_refused(key_api, room_jpeg, furnishing_engine, queued, owner):
    owner.monthly_usage_limit = 1
    owner.save()
    response = batch(key_api, [room_jpeg, room_jpeg])
    assert response.status_code == 429 and response.json()["error"]["code"] == "USAGE_LIMIT_EXCEEDED"
    assert not Staging.objects.exists()


def test_a_batch_without_photos_is_invalid_image_format(key_api, furnishing_engine, queued):
    response = batch(key_api, [])
    assert response.status_code == 400 and response.json()["error"]["code"] == "INVALID_IMAGE_FORMAT"


def test_another_users_batch_is_404(key_api, api, other_user, jwt_for, room_jpeg, furnishing_engine, queued):
    batch_id = batch(key_api, [room_jpeg]).json()["batch_id"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(other_user)}")
    assert api.get(f"/api/stage/batch/{batch_id}").status_code == 404


def test_a_batch_of_twenty_photos_on_a_fresh_key_is_one_request(key_api, room_jpeg, furnishing_engine, queued, owner):
    response = batch(key_api, [room_jpeg] * 20)
    assert response.status_code == 201, response.content
    assert response.json()["total_images"] == 20
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 20  # plan usage counts photos


def test_a_batch_counts_once_against_the_hourly_limit(key_api, room_jpeg, furnishing_engine, queued, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "staging_burst": "2/h"}
    assert batch(key_api, [room_jpeg] * 3).status_code == 201
    assert batch(key_api, [room_jpeg] * 3).status_code == 201
    assert batch(key_api, [room_jpeg]).status_code == 429


def test_a_failed_staging_of_a_batch_refunds_its_photo(key_api, room_jpeg, furnishing_engine, queued, owner):
    from config.jobs import services as jobs

    body = batch(key_api, [room_jpeg, room_jpeg]).json()
    first = Staging.objects.get(pk=body["individual_stagings"][0]["id"])
    jobs.fail_job(first.job, "ARCHITECTURAL_INTEGRITY_FAILED", "walls moved")
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1
