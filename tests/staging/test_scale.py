"""Native-scale generation and the tiled upscale to the delivered size (staging/scale.py)."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from staging import scale
from staging.models import Staging
from tests.staging.conftest import ScriptedGenerator
from tests.staging.drawings import draw_room
from tests.staging.test_stage_flow import run_one

pytestmark = pytest.mark.django_db


def a1111_image(size=(64, 64)) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", size, (150, 120, 90)).save(buffer, format="PNG")
    return {"images": [base64.b64encode(buffer.getvalue()).decode()], "parameters": {}, "info": "{}"}


@pytest.fixture
def measures_off(settings):
    # A flat engine answer draws no room: the sizes the engine is asked for are under test here.
    settings.STAGING_INTEGRITY_THRESHOLD = 0.0
    settings.STAGING_QUALITY_FLOOR = 0.0


@pytest.mark.parametrize(("family", "quality_mode", "size", "steps", "guidance"), [
    ("sd15", "standard", (768, 512), 25, 7.0),
    ("sd15", "premium", (1152, 768), 40, 7.5),
    ("sdxl", "standard", (1536, 1024), 25, 7.0),
    ("sdxl", "premium", (1536, 1024), 40, 7.5),
])
def test_automatic1111_is_asked_for_the_model_familys_native_size(family, quality_mode, size, steps, guidance,
                                                                  key_api, stand_in, settings, room_jpeg,
                                                                  measures_off, run_queued, labeler_present,
                                                                  django_capture_on_commit_callbacks):
    settings.AI_IMAGE_PROVIDER, settings.AI_IMAGE_BASE_URL, settings.AI_IMAGE_MODEL = "automatic1111", stand_in.url, ""
    settings.AI_IMAGE_MODEL_FAMILY = family
    stand_in.reply([{"title": "model.safetensors", "model_name": "model"}])
    for _ in range(12):
        stand_in.reply(a1111_image())
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode=quality_mode)
    assert body["status"] == "completed", body
    posts = [r.body for r in stand_in.requests if r.path == "/sdapi/v1/img2img"]
    first = posts[0]
    assert (first["width"], first["height"], first["steps"], first["cfg_scale"]) == (*size, steps, guidance)
    assert first["denoising_strength"] == 1.0 and "mask" in first
    tiles = posts[1:]
    if size[0] < 960:
        # 960x640 from 768x512: the tiled pass redraws 512 px tiles lightly, under the mask only.
        assert tiles and all((t["width"], t["height"]) == (512, 512) for t in tiles)
        assert all(t["denoising_strength"] == 0.3 and "mask" in t for t in tiles)
    else:
        assert not tiles  # generated larger than the photo: resized down, no tiles


def test_the_diffusers_pipelines_get_the_configured_size_steps_and_guidance(key_api, tiny_diffusers, settings,
                                                                            room_jpeg, measures_off, run_queued,
                                                                            labeler_present, monkeypatch,
                                                                            django_capture_on_commit_callbacks):
    settings.STAGING_QUALITY = {**settings.STAGING_QUALITY,
                                "standard": {"short_edge": 64, "steps": 3, "guidance": 5.5}}
    inputs = []
    real = type(tiny_diffusers)._arguments

    def recorded(engine, request, seed):
        arguments = real(engine, request, seed)
        inputs.append(arguments)
        return arguments

    monkeypatch.setattr(type(tiny_diffusers), "_arguments", recorded)
    body = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard")
    assert body["status"] == "completed", body
    first, tiles = inputs[0], inputs[1:]
    assert (first["width"], first["height"], first["num_inference_steps"], first["guidance_scale"]) == (96, 64, 3,
                                                                                                         5.5)
    assert first["image"].size == (96, 64) and first["mask_image"].size == (96, 64)
    # 96x64 refined at twice its size (STAGING_UPSCALE_MAX_FACTOR) in 64 px tiles, then resized to 960x640.
    assert tiles and all((t["width"], t["height"], t["strength"]) == (64, 64, 0.3) for t in tiles)
    assert all(t["num_inference_steps"] == 4 for t in tiles)  # at least one denoising step at strength 0.3
    step = Staging.objects.get(pk=body["id"]).job.steps.get(name="upscale").result_data
    assert step["tiles"] == len(tiles) and step["refined_size"] == [192, 128]


def half_mask(size) -> Image.Image:
    mask = np.zeros((size[1], size[0]), np.uint8)
    mask[size[1] // 2:] = 255
    return Image.fromarray(mask)


def test_only_tiles_that_touch_the_mask_are_redrawn_and_the_result_has_the_photos_size(settings):
    settings.AI_IMAGE_MODEL_FAMILY = "sd15"
    engine = ScriptedGenerator(lambda r: r.sized_init())
    generated = draw_room().resize((192, 128))
    upscaled = scale.upscale(engine, generated, mask=half_mask((192, 128)), size=(400, 260), prompt="room",
                             negative_prompt="", quality_mode="standard", seed=5)
    assert upscaled.image.size == (400, 260) and upscaled.refined_size == (384, 256)
    # 384x256 in 128 px tiles overlapping by 16: 4 columns x 3 rows, the top row outside the mask.
    assert upscaled.tiles == len(engine.requests) == 8
    assert all(r.size == (128, 128) and r.mask is not None and r.strength == 0.3 for r in engine.requests)
    assert [r.seed for r in engine.requests] == list(range(5, 13))


def test_an_engine_that_returns_each_tile_unchanged_leaves_the_resized_image_without_seams(settings):
    engine = ScriptedGenerator(lambda r: r.sized_init())
    generated = draw_room().resize((192, 128))
    upscaled = scale.upscale(engine, generated, mask=half_mask((192, 128)), size=(384, 256), prompt="room",
                             negative_prompt="", quality_mode="standard", seed=1)
    plain = np.asarray(generated.resize((384, 256), Image.Resampling.LANCZOS), np.int16)
    assert np.abs(np.asarray(upscaled.image, np.int16) - plain).max() <= 1


def test_strength_zero_is_a_plain_resize_without_engine_calls(settings):
    settings.STAGING_UPSCALE_STRENGTH = 0.0
    engine = ScriptedGenerator(lambda r: r.sized_init())
    upscaled = scale.upscale(engine, draw_room().resize((192, 128)), mask=half_mask((192, 128)), size=(960, 640),
                             prompt="room", negative_prompt="", quality_mode="standard", seed=1)
    assert upscaled.tiles == 0 and not engine.requests and upscaled.image.size == (960, 640)


def test_a_mode_without_its_own_size_takes_the_familys_native_one(settings):
    settings.STAGING_QUALITY = {**settings.STAGING_QUALITY, "premium": {"short_edge": 0, "steps": 40,
                                                                        "guidance": 7.5}}
    settings.AI_IMAGE_MODEL_FAMILY = "sd15"
    assert scale.generation_size(4032, 3024, "premium") == (1024, 768)
    settings.AI_IMAGE_MODEL_FAMILY = "sdxl"
    assert scale.generation_size(4032, 3024, "premium") == (1368, 1024)


def settings_with(monkeypatch, tmp_path, **env: str) -> dict:
    """config/settings.py executed afresh with this environment (nothing else is touched)."""
    import os
    import runpy

    import config.settings

    for name in [name for name in os.environ if name.startswith(("AI_IMAGE_", "STAGING_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("STAGECRAFT_VAR_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(config.settings.__file__)


def test_the_generation_settings_have_documented_defaults_and_refuse_bad_values(monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    defaults = settings_with(monkeypatch, tmp_path)
    assert defaults["AI_IMAGE_MODEL_FAMILY"] == "sd15"
    assert defaults["STAGING_QUALITY"] == {"standard": {"short_edge": 0, "steps": 25, "guidance": 7.0},
                                           "premium": {"short_edge": 0, "steps": 40, "guidance": 7.5}}
    assert (defaults["STAGING_UPSCALE_STRENGTH"], defaults["STAGING_UPSCALE_MAX_FACTOR"]) == (0.3, 2.0)
    assert settings_with(monkeypatch, tmp_path, STAGING_PREMIUM_GUIDANCE="9")["STAGING_QUALITY"]["premium"][
        "guidance"] == 9.0
    for env, message in [({"AI_IMAGE_MODEL_FAMILY": "sd3"}, "sd15 or sdxl"),
                         ({"AI_IMAGE_MODEL_FAMILY": "sdxl", "AI_IMAGE_PROVIDER": "diffusers"}, "automatic1111"),
                         ({"STAGING_STANDARD_SHORT_EDGE": "500"}, "multiple of 8"),
                         ({"STAGING_PREMIUM_GUIDANCE": "0"}, "positive"),
                         ({"STAGING_UPSCALE_STRENGTH": "1.5"}, "between 0 and 1")]:
        with pytest.raises(ImproperlyConfigured, match=message):
            settings_with(monkeypatch, tmp_path, **env)
