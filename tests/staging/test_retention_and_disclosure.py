"""Retention deletes files after 30 days; disclosure profiles shape the download and the API result."""

from datetime import timedelta

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from staging import services
from staging.models import Staging
from tests.staging.test_stage_flow import run_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def staged(key_api, furnishing_engine, small_generation, run_queued, room_jpeg, settings,
           django_capture_on_commit_callbacks):
    settings.STAGING_QUALITY = {**settings.STAGING_QUALITY,
                                "standard": {"short_edge": 160, "steps": 2, "guidance": 7.0}}

    def make(**fields) -> tuple[Staging, dict]:
        body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard",
                       room_type="living_room", **fields)
        assert body["status"] == "completed", body
        return Staging.objects.get(pk=body["id"]), body["result"]

    return make


def image_at(name: str) -> np.ndarray:
    return np.asarray(Image.open(default_storage.open(name)).convert("RGB"), dtype=np.int16)


def test_retention_removes_old_files_and_records_it(staged, key_api):
    staging, _ = staged()
    names = [staging.original_image.name, staging.staged_image.name, staging.thumbnail.name]
    Staging.objects.filter(pk=staging.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert services.delete_expired_files() == 1
    assert not any(default_storage.exists(name) for name in names)
    staging.refresh_from_db()
    assert staging.files_deleted_at is not None
    result = key_api.get(f"/api/stage/{staging.pk}").json()["result"]
    assert result["staged_image_url"] is None and result["original_image_url"] is None
    assert services.delete_expired_files() == 0


def test_retention_keeps_recent_files(staged):
    staging, _ = staged()
    assert services.delete_expired_files() == 0
    assert default_storage.exists(staging.staged_image.name)


def test_california_profile_burns_in_the_statement_and_links_the_original(staged, client):
    staging, result = staged(disclosure_profile="california")
    disclosure = result["disclosure"]
    assert disclosure["mark"] == "caption" and disclosure["mark_burned_in"] is True
    assert disclosure["original_url"].endswith(f"/staging/originals/{staging.pk}")
    assert "Virtually staged" in disclosure["caption"] and disclosure["original_url"] in disclosure["caption"]
    download, clean = image_at(staging.download_image.name), image_at(staging.staged_image.name)
    height = download.shape[0]
    assert np.abs(download[: height // 2] - clean[: height // 2]).mean() < 2  # top untouched
    assert np.abs(download[-height // 10:] - clean[-height // 10:]).mean() > 10  # statement band at the bottom
    # The permanent URL serves the unaltered upload, to anyone.
    path = disclosure["original_url"].split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == default_storage.open(staging.original_image.name).read()


def test_watermark_profile_marks_the_middle_of_the_image(staged):
    staging, result = staged(disclosure_profile="mls_watermark")
    assert result["disclosure"]["mark"] == "watermark" and result["disclosure"]["original_url"] is None
    download, clean = image_at(staging.download_image.name), image_at(staging.staged_image.name)
    h, w = download.shape[:2]
    centre = (slice(h // 3, 2 * h // 3), slice(w // 3, 2 * w // 3))
    assert np.abs(download[centre] - clean[centre]).mean() > 3


def test_description_only_profile_leaves_the_photo_unmarked_and_gives_the_words(staged):
    staging, result = staged(disclosure_profile="mls_description_only")
    disclosure = result["disclosure"]
    assert disclosure["mark_burned_in"] is False and disclosure["description_text"]
    assert np.abs(image_at(staging.download_image.name) - image_at(staging.staged_image.name)).max() <= 2


def test_without_a_profile_the_download_is_the_staged_photo(staged):
    staging, result = staged()
    assert result["disclosure"] is None and staging.download_image.name == staging.staged_image.name


def test_a_users_default_profile_applies_when_none_is_chosen(staged, owner):
    services.set_default_disclosure(owner, slug="mls_watermark")
    _, result = staged()
    assert result["disclosure"]["profile"] == "mls_watermark"


def test_an_unknown_profile_is_refused(key_api, furnishing_engine, queued, room_jpeg):
    from tests.staging.test_stage_create import stage

    response = stage(key_api, room_jpeg, disclosure_profile="nope")
    assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_none_overrides_a_users_default_profile(staged, owner):
    services.set_default_disclosure(owner, slug="mls_watermark")
    _, result = staged(disclosure_profile="none")
    assert result["disclosure"] is None
