"""POST /api/stage: answers at once; every documented refusal, before anything is stored or counted."""

import io

import pytest
from PIL import Image

from config.accounts import services as accounts
from config.jobs.models import Job
from staging import services
from staging.models import Staging
from tests.files import images

pytestmark = pytest.mark.django_db


def stage(client, data: bytes | None, name="room.jpg", **fields):
    body = {"style": "modern_luxury", **fields}
    if data is not None:
        body["image"] = _upload(data, name)
    return client.post("/api/stage", body, format="multipart")


def _upload(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details", "request_id"}
    assert body["error"]["request_id"] == response["X-Request-ID"]
    return body["error"]


def test_a_photo_is_accepted_at_once_and_queued_on_the_gpu_cluster(key_api, room_jpeg, furnishing_engine, queued,
                                                                  settings, owner,
                                                                  django_capture_on_commit_callbacks):
    settings.JOBS_GPU_CLUSTER = "gpu"
    with django_capture_on_commit_callbacks(execute=True):
        response = stage(key_api, room_jpeg, room_type="bedroom", quality_mode="standard", property_name="1 Elm St")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["style"] == "modern_luxury" and body["room_type"] == "bedroom"
    # No original until the job's validate step has cleaned the upload (tests/staging/test_upload_cleaning.py).
    assert body["original_image_url"] is None and body["staged_image_url"] is None
    staging = Staging.objects.get(pk=body["id"])
    assert staging.job.cluster == "gpu" and queued[0][2]["cluster"] == "gpu"
    assert queued[0][0] == "staging.tasks.run_staging"
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1


@pytest.mark.parametrize(("data", "name"), [(images.gif(), "room.jpg"), (b"", "room.jpg"),
                                            (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "room.jpg")])
def test_wrong_or_empty_content_is_invalid_image_format(key_api, furnishing_engine, queued, data, name):
    response = stage(key_api, data, name)
    assert response.status_code == 400
    assert error_of(response)["code"] == "INVALID_IMAGE_FORMAT"
    assert not Staging.objects.exists() and not queued


def test_a_missing_image_is_invalid_image_format(key_api, furnishing_engine, queued):
    response = stage(key_api, None)
    assert response.status_code == 400 and error_of(response)["code"] == "INVALID_IMAGE_FORMAT"


def test_an_oversized_file_is_image_too_large(key_api, furnishing_engine, queued, room_jpeg, settings):
    settings.STAGING_MAX_UPLOAD_BYTES = 1000
    response = stage(key_api, room_jpeg)
    assert response.status_code == 413 and error_of(response)["code"] == "IMAGE_TOO_LARGE"


def test_a_pixel_bomb_is_image_too_large(key_api, furnishing_engine, queued):
    response = stage(key_api, images.png_header_claiming(30_000, 30_000), "room.png")
    assert response.status_code == 413 and error_of(response)["code"] == "IMAGE_TOO_LARGE"


def test_an_unknown_style_is_invalid_style(key_api, furnishing_engine, queued, room_jpeg):
    response = stage(key_api, room_jpeg, style="brutalist_dungeon")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "INVALID_STYLE" and "modern_luxury" in error["details"]


def test_no_image_engine_is_ai_service_unavailable_with_nothing_queued_or_counted(key_api, queued, room_jpeg, owner):
    response = stage(key_api, room_jpeg)  # default settings: AI_IMAGE_PROVIDER=none
    assert response.status_code == 503 and error_of(response)["code"] == "AI_SERVICE_UNAVAILABLE"
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0 and not Job.objects.exists() and not queued


def test_a_revoked_key_is_invalid_api_key(api, owner, room_jpeg, furnishing_engine):
    key, raw = accounts.create_api_key(owner, name="old")
    accounts.revoke_api_key(owner, key_id=key.pk)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = stage(api, room_jpeg)
    assert response.status_code == 401 and error_of(response)["code"] == "INVALID_API_KEY"


def test_no_credentials_is_invalid_api_key(api, room_jpeg):
    response = stage(api, room_jpeg)
    assert response.status_code == 401 and error_of(response)["code"] == "INVALID_API_KEY"


def test_the_eleventh_staging_in_an_hour_is_rate_limited(key_api, furnishing_engine, queued, room_jpeg, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "staging_burst": "2/h"}
    answers = [stage(key_api, room_jpeg).status_code for _ in range(3)]
    assert answers == [202, 202, 429]
    limited = stage(key_api, room_jpeg)
    assert error_of(limited)["code"] == "RATE_LIMIT_EXCEEDED" and int(limited["Retry-After"]) > 0
    assert limited["X-RateLimit-Limit"] == "2"


def test_the_daily_limit_applies_per_key(key_api, furnishing_engine, queued, room_jpeg, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "staging_daily": "1/d"}
    assert stage(key_api, room_jpeg).status_code == 202
    assert error_of(stage(key_api, room_jpeg))["code"] == "RATE_LIMIT_EXCEEDED"


def test_over_the_plan_is_usage_limit_exceeded(key_api, furnishing_engine, queued, room_jpeg, owner, settings):
    owner.monthly_usage_limit = 0
    owner.save()
    response = stage(key_api, room_jpeg)
    assert response.status_code == 429 and error_of(response)["code"] == "USAGE_LIMIT_EXCEEDED"
    assert not Staging.objects.exists() and not (settings.MEDIA_ROOT / "staging").exists()


def test_maintenance_mode_refuses_new_work(key_api, furnishing_engine, queued, room_jpeg, settings):
    settings.STAGING_MAINTENANCE_MODE = True
    response = stage(key_api, room_jpeg)
    assert response.status_code == 503 and error_of(response)["code"] == "MAINTENANCE_MODE"


def test_an_unexpected_failure_is_internal_error_without_details(key_api, furnishing_engine, room_jpeg, monkeypatch):
    from staging import services

    monkeypatch.setattr(services, "create_variants", lambda *a, **k: 1 / 0)
    response = stage(key_api, room_jpeg)
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "INTERNAL_ERROR" and "division" not in error["message"]


def test_a_jwt_works_as_well_as_a_key(api, owner, jwt_for, furnishing_engine, queued, room_jpeg):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")
    assert stage(api, room_jpeg).status_code == 202


def test_webp_is_accepted_and_stored_as_jpeg(key_api, furnishing_engine, queued):
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(out, "WEBP")
    staging = Staging.objects.get(pk=stage(key_api, out.getvalue(), "room.webp").json()["id"])
    services.clean_original(staging)  # the job's validate step
    assert staging.original_image.name.endswith(".jpg")


@pytest.mark.parametrize(("fields", "upload", "code"), [
    ({"style": "no_such_style"}, "room", "INVALID_STYLE"),
    ({}, "gif", "INVALID_IMAGE_FORMAT"),
    ({"room_type": "ballroom"}, "room", "VALIDATION_ERROR"),
    ({"disclosure_profile": "atlantis"}, "room", "VALIDATION_ERROR"),
])
def test_a_bad_request_gets_its_own_code_even_with_no_engine(key_api, queued, room_jpeg, owner, fields, upload,
                                                            code):
    # Default settings: AI_IMAGE_PROVIDER=none, yet the request's own fault is named first.
    data = room_jpeg if upload == "room" else images.gif()
    response = stage(key_api, data, **fields)
    assert response.status_code == 400 and error_of(response)["code"] == code
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0 and not Job.objects.exists()


def test_bad_requests_do_not_use_up_the_rate_limit(key_api, furnishing_engine, queued, room_jpeg, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "staging_burst": "1/h"}
    for _ in range(3):
        assert stage(key_api, images.gif()).status_code == 400
    assert stage(key_api, room_jpeg).status_code == 202


def test_an_unreachable_automatic1111_server_is_503_at_upload(key_api, queued, room_jpeg, owner, settings):
    settings.AI_IMAGE_PROVIDER = "automatic1111"
    settings.AI_IMAGE_BASE_URL = "http://127.0.0.1:9"  # the discard port: nothing answers
    settings.AI_IMAGE_MAX_RETRIES = 0
    response = stage(key_api, room_jpeg)
    assert response.status_code == 503 and error_of(response)["code"] == "AI_SERVICE_UNAVAILABLE"
    assert "unreachable" in error_of(response)["message"]
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0 and not Job.objects.exists()


def test_an_automatic1111_server_answering_its_model_list_accepts_the_upload(key_api, queued, room_jpeg, settings,
                                                                            stand_in):
    settings.AI_IMAGE_PROVIDER = "automatic1111"
    settings.AI_IMAGE_BASE_URL = stand_in.url
    settings.AI_IMAGE_MODEL = ""
    stand_in.reply([{"title": "v1-5-pruned-emaonly.safetensors", "model_name": "v1-5-pruned-emaonly"}])
    response = stage(key_api, room_jpeg)
    assert response.status_code == 202, response.content
    assert [(r.method, r.path) for r in stand_in.requests] == [("GET", "/sdapi/v1/sd-models")]


def test_diffusers_without_weights_on_disk_is_503_at_upload(key_api, queued, room_jpeg, settings, tmp_path):
    settings.AI_IMAGE_PROVIDER = "diffusers"
    settings.AI_IMAGE_MODEL = "stable-diffusion-v1-5/stable-diffusion-v1-5"
    settings.AI_MODEL_CACHE = str(tmp_path)
    response = stage(key_api, room_jpeg)
    assert response.status_code == 503 and error_of(response)["code"] == "AI_SERVICE_UNAVAILABLE"
    assert "download_models" in error_of(response)["message"] or "not installed" in error_of(response)["message"]
