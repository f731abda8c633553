"""The staging pipeline end to end, in process: upload, worker run, result, figures, files."""

import importlib.util

import numpy as np
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from config.jobs import services as jobs
from config.jobs.models import Job
from staging.models import Staging
from tests.staging.conftest import ScriptedGenerator, jpeg_bytes
from tests.staging.drawings import draw_room, repaint_everything
from tests.staging.test_stage_create import stage

pytestmark = pytest.mark.django_db

LABELER = importlib.util.find_spec("efficientnet_lite_pytorch") is not None


def run_one(client, upload: bytes, run_queued, capture, **fields) -> dict:
    with capture(execute=True):
        response = stage(client, upload, **fields)
    assert response.status_code == 202, response.content
    run_queued()
    return client.get(f"/api/stage/{response.json()['id']}").json()


@pytest.fixture
def labeler_present():
    from tests.conftest import require

    require(LABELER, "the local labeler is not installed (requirements-ai.txt)")


def pixels(image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.int16)


def test_the_full_flow_with_a_tiny_diffusers_engine(key_api, tiny_diffusers, small_generation, run_queued, settings,
                                                    room_jpeg, owner, labeler_present,
                                                    django_capture_on_commit_callbacks):
    # Random weights cannot keep a room's lines; integrity has its own tests below.
    settings.STAGING_INTEGRITY_THRESHOLD = 0.0
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "completed", body
    result = body["result"]
    staging = Staging.objects.get(pk=body["id"])
    for field in ("staged_image", "web_image", "thumbnail", "download_image", "original_image"):
        assert default_storage.exists(getattr(staging, field).name), field
    staged = Image.open(default_storage.open(staging.staged_image.name))
    assert staged.size == (960, 640)  # the original's size and 3:2 ratio, never cropped
    assert 0 <= result["quality_score"] <= 1 and set(result["quality_parts"]) >= {"sharpness", "exposure", "noise"}
    assert isinstance(result["integrity_score"], float) and result["architectural_integrity"] is True
    assert result["pixel_lock_share"] >= 0.995
    assert result["engine"] == "diffusers" and result["seed"] is not None
    steps = list(staging.job.steps.values_list("name", flat=True))
    assert steps == ["validate", "interior", "structure", "generate", "integrity", "pixel_lock", "quality", "store"]
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1


def test_pixels_outside_the_mask_match_the_original_even_when_the_engine_repaints_everything(
        key_api, use_engine, small_generation, run_queued, room_jpeg, labeler_present, settings,
        django_capture_on_commit_callbacks):
    settings.STAGING_QUALITY = {**settings.STAGING_QUALITY, "standard": {"long_edge": 480, "steps": 2}}
    use_engine(ScriptedGenerator(lambda r: repaint_everything(r.sized_init())))
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "completed", body
    staging = Staging.objects.get(pk=body["id"])
    original = pixels(Image.open(default_storage.open(staging.original_image.name)))
    staged = pixels(Image.open(default_storage.open(staging.staged_image.name)))
    from staging import structure

    mask = structure.furnished_area_mask(Image.fromarray(original.astype(np.uint8)).resize((480, 320))).mask
    outside = np.asarray(mask.resize((960, 640), Image.Resampling.NEAREST)) == 0
    # JPEG storage of the result adds its own small error; the lock itself is exact (unit-tested).
    assert np.abs(staged[outside] - original[outside]).mean() < 3
    assert staging.pixel_lock_share >= 0.995


def test_a_generator_that_erases_the_window_is_retried_then_fails(key_api, window_erasing_engine, small_generation,
                                                                  run_queued, room_jpeg, owner, labeler_present,
                                                                  settings, django_capture_on_commit_callbacks):
    settings.STAGING_QUALITY = {**settings.STAGING_QUALITY, "standard": {"long_edge": 480, "steps": 2}}
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "failed" and body["error_code"] == "ARCHITECTURAL_INTEGRITY_FAILED"
    scales = [request.control.scale for request in window_erasing_engine.requests]
    assert len(scales) == 2 and scales[1] > scales[0]
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0  # a failed staging never counts


def test_a_generator_that_only_furnishes_the_floor_passes(key_api, furnishing_engine, small_generation, run_queued,
                                                         room_jpeg, labeler_present, settings,
                                                         django_capture_on_commit_callbacks):
    settings.STAGING_QUALITY = {**settings.STAGING_QUALITY, "standard": {"long_edge": 480, "steps": 2}}
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "completed", body
    assert body["result"]["integrity_score"] >= settings.STAGING_INTEGRITY_THRESHOLD
    assert len(furnishing_engine.requests) == 1


def test_an_outdoor_photo_fails_with_not_interior_image(key_api, furnishing_engine, small_generation, run_queued,
                                                        owner, labeler_present, django_capture_on_commit_callbacks):
    from skimage import data

    body = run_one(key_api, jpeg_bytes(Image.fromarray(data.rocket())), run_queued,
                   django_capture_on_commit_callbacks)
    assert body["status"] == "failed" and body["error_code"] == "NOT_INTERIOR_IMAGE"
    assert not furnishing_engine.requests
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0


def test_room_type_falls_back_to_an_assumption_marked_as_such(key_api, furnishing_engine, small_generation,
                                                             run_queued, room_jpeg, labeler_present,
                                                             django_capture_on_commit_callbacks):
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    result = body["result"]
    assert (result["room_type"], result["room_type_source"]) in {("living_room", "assumed")} | {
        (result["room_type"], "labeler")}


def test_a_job_past_its_timeout_reads_processing_timeout(key_api, furnishing_engine, queued, room_jpeg, settings):
    from datetime import timedelta

    from django.utils import timezone

    staging_id = stage(key_api, room_jpeg).json()["id"]
    job = Staging.objects.get(pk=staging_id).job
    jobs.claim_job(job.pk)
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(seconds=job.timeout_seconds + 120))
    jobs.sweep_stuck_jobs()
    body = key_api.get(f"/api/stage/{staging_id}").json()
    assert body["status"] == "failed" and body["error_code"] == "PROCESSING_TIMEOUT"


def test_progress_is_shown_while_processing(key_api, furnishing_engine, queued, room_jpeg):
    staging_id = stage(key_api, room_jpeg).json()["id"]
    job = Staging.objects.get(pk=staging_id).job
    jobs.claim_job(job.pk)
    jobs.set_progress(job, fraction=0.4, step="generate")
    body = key_api.get(f"/api/stage/{staging_id}").json()
    assert body == {"id": staging_id, "status": "processing", "progress": 0.4, "current_step": "generate"}


def test_another_users_staging_is_404(key_api, api, other_user, jwt_for, furnishing_engine, queued, room_jpeg):
    staging_id = stage(key_api, room_jpeg).json()["id"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(other_user)}")
    response = api.get(f"/api/stage/{staging_id}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"


def test_a_drawn_room_stays_the_same_size_when_premium(key_api, furnishing_engine, small_generation, run_queued,
                                                      labeler_present, django_capture_on_commit_callbacks):
    upload = jpeg_bytes(draw_room().resize((600, 400)))
    body = run_one(key_api, upload, run_queued, django_capture_on_commit_callbacks)
    staging = Staging.objects.get(pk=body["id"])
    assert Image.open(default_storage.open(staging.staged_image.name)).size == (600, 400)
