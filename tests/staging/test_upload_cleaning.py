"""POST /api/stage checks the header only and stores the upload untouched; the job's validate step cleans it.

The upload is never served: every URL a staging hands out reads the cleaned
original (upright, no EXIF) or a rendition of it, and a photo whose body is
corrupt behind a sound header fails its job with the documented code, uncharged.
"""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from config.errors import ValidationFailed
from staging import services
from staging.models import Staging
from tests.files import images
from tests.staging.conftest import jpeg_bytes
from tests.staging.drawings import draw_room
from tests.staging.test_stage_create import error_of, stage
from tests.staging.test_stage_flow import run_one

pytestmark = pytest.mark.django_db

GPS = 0x8825


def served(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def test_the_upload_is_stored_untouched_and_no_url_serves_it(key_api, client, furnishing_engine, queued):
    upload = images.jpeg((90, 60), exif=images.exif_with_gps_and_orientation(6))
    response = stage(key_api, upload)
    assert response.status_code == 202
    body = response.json()
    assert body["original_image_url"] is None and body["staged_image_url"] is None
    staging = Staging.objects.get(pk=body["id"])
    assert not staging.original_image.name
    assert (staging.original_width, staging.original_height) == (60, 90)  # upright, from the header
    assert default_storage.open(services.upload_key(staging)).read() == upload
    assert key_api.get(f"/api/stage/{staging.pk}").json() == {"id": str(staging.pk), "status": "queued"}
    assert client.get(f"/staging/originals/{staging.pk}").status_code == 404


def test_the_validate_step_stores_the_original_upright_without_exif_and_deletes_the_upload(key_api, furnishing_engine,
                                                                                            queued):
    upload = images.jpeg((90, 60), exif=images.exif_with_gps_and_orientation(6))
    staging = Staging.objects.get(pk=stage(key_api, upload).json()["id"])

    content = services.clean_original(staging)

    staging.refresh_from_db()
    stored = Image.open(default_storage.open(staging.original_image.name))
    assert stored.size == (60, 90) and not stored.getexif()
    assert default_storage.open(staging.original_image.name).read() == content != upload
    assert not default_storage.exists(services.upload_key(staging))
    assert services.clean_original(staging) == content  # a second run reads what the first stored


def test_a_completed_stagings_urls_serve_only_cleaned_files(key_api, client, furnishing_engine, small_generation,
                                                            run_queued, labeler_present, settings,
                                                            django_capture_on_commit_callbacks):
    settings.STAGING_QUALITY = {**settings.STAGING_QUALITY,
                                "standard": {"short_edge": 160, "steps": 2, "guidance": 7.0}}
    upload = jpeg_bytes(draw_room(), exif=images.exif_with_gps_and_orientation(1))
    assert GPS in Image.open(io.BytesIO(upload)).getexif()
    body = run_one(key_api, upload, run_queued, django_capture_on_commit_callbacks, quality_mode="standard",
                   room_type="living_room", disclosure_profile="california")
    assert body["status"] == "completed", body
    result = body["result"]
    staging = Staging.objects.get(pk=body["id"])
    urls = [result[name] for name in ("original_image_url", "staged_image_url", "download_url", "web_image_url",
                                      "thumbnail_url")]
    permanent = result["disclosure"]["original_url"].split("://", 1)[1].split("/", 1)[1]
    files = [served(key_api, url) for url in urls] + [served(client, "/" + permanent)]
    assert all(GPS not in Image.open(io.BytesIO(data)).getexif() for data in files)
    assert upload not in files
    original = default_storage.open(staging.original_image.name).read()
    assert files[0] == files[-1] == original
    assert not default_storage.exists(services.upload_key(staging))


def test_a_photo_corrupt_behind_a_sound_header_fails_the_validate_step_uncharged(
        key_api, client, furnishing_engine, run_queued, room_jpeg, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = stage(key_api, room_jpeg[: len(room_jpeg) // 2])
    assert response.status_code == 202  # the header is sound: only the decode can tell
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1

    run_queued()

    staging = Staging.objects.get(pk=response.json()["id"])
    body = key_api.get(f"/api/stage/{staging.pk}").json()
    assert body["status"] == "failed" and body["error_code"] == "INVALID_IMAGE_FORMAT"
    assert staging.job.steps.get(name="validate").status == "failed"
    assert not furnishing_engine.requests
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0
    assert not default_storage.exists(services.upload_key(staging))
    assert client.get(f"/staging/originals/{staging.pk}").status_code == 404


def test_a_sound_photo_passes_the_validate_step(key_api, furnishing_engine, run_queued, room_jpeg, owner,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = stage(key_api, room_jpeg)
    run_queued()
    staging = Staging.objects.get(pk=response.json()["id"])
    assert staging.job.steps.get(name="validate").status == "completed"
    assert Image.open(default_storage.open(staging.original_image.name)).size == (960, 640)


def test_a_file_cut_inside_its_header_is_refused_in_the_request(key_api, furnishing_engine, queued, room_jpeg):
    response = stage(key_api, room_jpeg[:12])
    assert response.status_code == 400 and error_of(response)["code"] == "INVALID_IMAGE_FORMAT"
    assert not Staging.objects.exists() and not queued


def test_retention_deletes_an_upload_its_job_never_cleaned(key_api, furnishing_engine, queued, room_jpeg):
    staging = Staging.objects.get(pk=stage(key_api, room_jpeg).json()["id"])
    assert services.delete_expired_files() == 0 and default_storage.exists(services.upload_key(staging))
    Staging.objects.filter(pk=staging.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert services.delete_expired_files() == 1
    assert not default_storage.exists(services.upload_key(staging))


def test_a_staging_not_yet_cleaned_can_be_staged_again_from_its_upload(key_api, owner, furnishing_engine, queued,
                                                                      room_jpeg):
    source = Staging.objects.get(pk=stage(key_api, room_jpeg).json()["id"])
    again = services.restage(owner, staging_id=source.pk, style_id="scandinavian_luxe")
    assert default_storage.open(services.upload_key(again)).read() == room_jpeg and not again.original_image


def test_a_staging_refused_by_its_validate_step_cannot_be_staged_again(
        key_api, owner, furnishing_engine, run_queued, room_jpeg, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        source = stage(key_api, room_jpeg[: len(room_jpeg) // 2]).json()["id"]
    run_queued()
    with pytest.raises(ValidationFailed):
        services.restage(owner, staging_id=source, style_id="scandinavian_luxe")
