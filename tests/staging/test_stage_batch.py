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
