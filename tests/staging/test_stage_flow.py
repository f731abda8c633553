"""The staging pipeline end to end, in process: upload, worker run, result, figures, files."""

import numpy as np
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from config.jobs import services as jobs
from config.jobs.models import Job
from staging.models import Staging
from tests.staging.calibration import BAD, GOOD, OUTPUTS, CalibrationPhoto
from tests.staging.conftest import ScriptedGenerator, jpeg_bytes
from tests.staging.drawings import draw_room
from tests.staging.test_stage_create import stage

pytestmark = pytest.mark.django_db

def run_one(client, upload: bytes, run_queued, capture, **fields) -> dict:
    with capture(execute=True):
        response = stage(client, upload, **fields)
    assert response.status_code == 202, response.content
    run_queued()
    return client.get(f"/api/stage/{response.json()['id']}").json()


def pixels(image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.int16)


def test_the_full_flow_with_a_tiny_diffusers_engine(key_api, tiny_diffusers, small_generation, run_queued, settings,
                                                    room_jpeg, owner, labeler_present,
                                                    django_capture_on_commit_callbacks):
    # Random weights draw no room: the measurements are switched off here and
    # have their own tests below; this one follows the real pipeline's plumbing.
    settings.STAGING_INTEGRITY_THRESHOLD = 0.0
    settings.STAGING_QUALITY_FLOOR = 0.0
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "completed", body
    result = body["result"]
    staging = Staging.objects.get(pk=body["id"])
    for field in ("staged_image", "web_image", "thumbnail", "download_image", "original_image"):
        assert default_storage.exists(getattr(staging, field).name), field
    staged = Image.open(default_storage.open(staging.staged_image.name))
    assert staged.size == (960, 640) and staged.format == "PNG"  # the original's size, never cropped
    assert 0 <= result["quality_score"] <= 1 and result["quality_parts"]
    assert isinstance(result["integrity_score"], float) and result["integrity_parts"]["threshold"] == 0.0
    assert result["pixel_lock_share"] >= 0.99
    assert {part["rendition"] for part in result["pixel_lock_parts"]} == {"download_image", "web_image"}
    assert result["engine"] == "diffusers" and result["seed"] is not None
    steps = list(staging.job.steps.values_list("name", flat=True))
    assert steps == ["validate", "interior", "structure", "generate", "integrity", "upscale", "quality", "store",
                     "pixel_lock"]
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1


def scripted(output: str):
    """An engine answering the calibration manipulation ``output`` of whatever it is given."""
    _, make = OUTPUTS[output]
    return ScriptedGenerator(lambda r: make(CalibrationPhoto("drawn_room", r.sized_init(), r.sized_mask())))


@pytest.mark.parametrize("output", [name for name, (kind, _) in OUTPUTS.items() if kind == GOOD])
def test_outputs_that_keep_the_room_complete_through_the_pipeline(output, key_api, use_engine, working_size,
                                                                  run_queued, room_jpeg, labeler_present,
                                                                  django_capture_on_commit_callbacks):
    engine = use_engine(scripted(output))
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "completed", body
    result = body["result"]
    assert result["architectural_integrity"] is True
    assert result["integrity_score"] >= (0.95 if output == "identity" else 0.55)
    assert len(engine.requests) == 1


@pytest.mark.parametrize("output", [name for name, (kind, _) in OUTPUTS.items() if kind == BAD])
def test_outputs_that_lose_the_room_are_refused_after_one_retry_and_not_charged(
        output, key_api, use_engine, working_size, run_queued, room_jpeg, owner, labeler_present,
        django_capture_on_commit_callbacks):
    engine = use_engine(scripted(output))
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "failed" and body["error_code"] == "ARCHITECTURAL_INTEGRITY_FAILED", body
    scales = [request.control.scale for request in engine.requests]
    assert len(scales) == 2 and scales[1] > scales[0]
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0


def test_pixels_outside_the_mask_match_the_original_even_when_the_engine_repaints_everything(
        key_api, use_engine, working_size, run_queued, room_jpeg, labeler_present,
        django_capture_on_commit_callbacks):
    use_engine(scripted("restyled"))
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "completed", body
    staging = Staging.objects.get(pk=body["id"])
    original = pixels(Image.open(default_storage.open(staging.original_image.name)))
    staged = pixels(Image.open(default_storage.open(staging.staged_image.name)))
    from staging import structure

    mask = structure.furnished_area_mask(Image.fromarray(original.astype(np.uint8)).resize((480, 320))).mask
    outside = np.asarray(mask.resize((960, 640), Image.Resampling.NEAREST)) == 0
    assert np.array_equal(staged[outside], original[outside])
    assert staging.pixel_lock_share == 1.0


def test_a_lossy_encoder_shows_in_the_pixel_lock_share(key_api, furnishing_engine, working_size, run_queued,
                                                        room_jpeg, labeler_present, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    from staging import renditions

    lossless = renditions.encode_png
    # A deliberately lossy encoder: the PNG of a 32-colour palette copy.
    monkeypatch.setattr(renditions, "encode_png",
                        lambda image, xmp="": lossless(image.quantize(32).convert("RGB"), xmp=xmp))
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "completed", body
    result = body["result"]
    assert result["pixel_lock_share"] < 0.9
    shares = {part["rendition"]: part["share_within_delta_e_1"] for part in result["pixel_lock_parts"]}
    assert shares["download_image"] < 0.9 and shares["web_image"] >= 0.99
    step = Staging.objects.get(pk=body["id"]).job.steps.get(name="pixel_lock")
    assert step.result_data["passed"] is False


def test_a_failing_language_model_falls_back_to_the_labelers_room_type(
        key_api, furnishing_engine, working_size, run_queued, room_jpeg, labeler_present, monkeypatch,
        django_capture_on_commit_callbacks):
    from config.ai import registry
    from config.ai.errors import EngineUnavailable

    class Down:
        def complete(self, request):
            raise EngineUnavailable("anthropic answered HTTP 529: overloaded")

    monkeypatch.setattr(registry, "language_model", lambda: Down())
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "completed", body
    assert body["result"]["room_type_source"] in {"labeler", "assumed"}


def test_a_generator_that_erases_the_window_is_retried_when_the_threshold_is_strict(
        key_api, window_erasing_engine, working_size, run_queued, room_jpeg, owner, labeler_present, settings,
        django_capture_on_commit_callbacks):
    settings.STAGING_INTEGRITY_THRESHOLD = 0.95
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "failed" and body["error_code"] == "ARCHITECTURAL_INTEGRITY_FAILED"
    assert len(window_erasing_engine.requests) == 2
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0  # a failed staging never counts


def test_a_generator_that_only_furnishes_the_floor_passes(key_api, furnishing_engine, working_size, run_queued,
                                                         room_jpeg, labeler_present, settings,
                                                         django_capture_on_commit_callbacks):
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "completed", body
    assert body["result"]["integrity_score"] >= 0.95
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


def test_room_type_falls_back_to_an_assumption_marked_as_such(key_api, furnishing_engine, working_size,
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


def test_a_drawn_room_stays_the_same_size_when_premium(key_api, furnishing_engine, working_size, run_queued,
                                                      labeler_present, django_capture_on_commit_callbacks):
    upload = jpeg_bytes(draw_room().resize((600, 400)))
    body = run_one(key_api, upload, run_queued, django_capture_on_commit_callbacks)
    staging = Staging.objects.get(pk=body["id"])
    assert Image.open(default_storage.open(staging.staged_image.name)).size == (600, 400)


def test_a_completed_staging_sends_staging_completed_to_the_owners_webhooks(
        key_api, furnishing_engine, working_size, run_queued, room_jpeg, owner, labeler_present,
        django_capture_on_commit_callbacks):
    from config.webhooks import services as webhooks
    from config.webhooks.models import WebhookDelivery

    webhooks.create_endpoint(owner, url="https://hooks.example.com/staging", events=["staging.completed"])
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "completed", body
    delivery = WebhookDelivery.objects.get(event_type="staging.completed")
    assert delivery.payload["data"]["id"] == body["id"] and delivery.payload["data"]["status"] == "completed"
    assert delivery.payload["data"]["result"]["integrity_score"] == body["result"]["integrity_score"]


def test_a_failed_staging_sends_no_staging_completed(key_api, use_engine, working_size, run_queued, room_jpeg, owner,
                                                    labeler_present, django_capture_on_commit_callbacks):
    from config.webhooks import services as webhooks
    from config.webhooks.models import WebhookDelivery

    webhooks.create_endpoint(owner, url="https://hooks.example.com/staging", events=[])
    use_engine(ScriptedGenerator(lambda r: OUTPUTS["noise"][1](CalibrationPhoto("x", r.sized_init(), r.sized_mask()))))
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "failed"
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == ["job.failed"]
