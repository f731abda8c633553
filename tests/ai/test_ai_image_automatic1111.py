"""The AUTOMATIC1111 provider against a stand-in web UI API on 127.0.0.1."""

import base64
import io

import numpy as np
import pytest
from django.test import override_settings
from PIL import Image

from config.ai import registry
from config.ai.errors import EngineUnavailable
from config.ai.image.base import ControlNetCondition, ImageRequest, ReferenceImage


def a1111_settings(url: str, **overrides):
    values = {
        "AI_IMAGE_PROVIDER": "automatic1111", "AI_IMAGE_BASE_URL": url, "AI_IMAGE_MODEL": "",
        "AI_IMAGE_TIMEOUT": 5.0, "AI_IMAGE_MAX_RETRIES": 2, "AI_RETRY_BACKOFF": 0.25,
        "AI_IMAGE_CONTROLNET_MLSD": "lllyasviel/control_v11p_sd15_mlsd",
    }
    return override_settings(**(values | overrides))


@pytest.fixture
def a1111(stand_in):
    with a1111_settings(stand_in.url):
        yield registry.image_generator()


def png_base64(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def decode(encoded: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(encoded)))


def generated(size=(64, 64), colour=(0, 0, 255)) -> dict:
    return {"images": [png_base64(Image.new("RGB", size, colour))], "parameters": {}, "info": '{"seed": 7}'}


def test_txt2img_posts_the_documented_payload(stand_in, a1111):
    stand_in.reply(generated())

    result = a1111.generate(ImageRequest("a sofa", negative_prompt="blurry", width=64, height=64, steps=12,
                                         guidance=6.5, seed=7))

    sent = stand_in.requests[0]
    assert (sent.method, sent.path) == ("POST", "/sdapi/v1/txt2img")
    assert {key: sent.body[key] for key in ("prompt", "negative_prompt", "seed", "steps", "cfg_scale", "width",
                                            "height", "batch_size")} == {
        "prompt": "a sofa", "negative_prompt": "blurry", "seed": 7, "steps": 12, "cfg_scale": 6.5,
        "width": 64, "height": 64, "batch_size": 1,
    }
    assert "override_settings" not in sent.body
    assert (result.image.size, result.seed) == ((64, 64), 7)
    assert (result.usage.provider, result.usage.attempts) == ("automatic1111", 1)


def test_a_configured_checkpoint_overrides_the_loaded_one(stand_in):
    stand_in.reply(generated())
    with a1111_settings(stand_in.url, AI_IMAGE_MODEL="v1-5-pruned-emaonly.safetensors"):
        registry.image_generator().generate(ImageRequest("a sofa", width=64, height=64, seed=1))

    assert stand_in.requests[0].body["override_settings"] == {"sd_model_checkpoint": "v1-5-pruned-emaonly.safetensors"}


def test_inpainting_posts_init_image_and_mask_and_keeps_unmasked_pixels(stand_in, a1111):
    room = Image.new("RGB", (64, 64), (200, 180, 150))
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (16, 16, 48, 48))
    stand_in.reply(generated(colour=(0, 0, 255)))

    result = a1111.generate(ImageRequest("a sofa", width=64, height=64, seed=3, init_image=room, mask=mask))

    sent = stand_in.requests[0]
    assert sent.path == "/sdapi/v1/img2img"
    assert np.array_equal(np.asarray(decode(sent.body["init_images"][0])), np.asarray(room))
    assert np.array_equal(np.asarray(decode(sent.body["mask"])), np.asarray(mask))
    assert sent.body["denoising_strength"] == 1.0
    assert sent.body["inpainting_fill"] == 1
    pixels = np.asarray(result.image)
    assert (pixels[:16] == (200, 180, 150)).all()
    assert (pixels[20:44, 20:44] == (0, 0, 255)).all()


def test_controlnet_goes_in_alwayson_scripts(stand_in, a1111):
    lines = Image.new("RGB", (64, 64))
    stand_in.reply(generated())

    a1111.generate(ImageRequest("a sofa", width=64, height=64, seed=1, init_image=lines, strength=0.5,
                                control=ControlNetCondition("mlsd", lines, scale=0.8)))

    sent = stand_in.requests[0].body
    assert sent["denoising_strength"] == 0.5
    unit = sent["alwayson_scripts"]["controlnet"]["args"][0]
    assert {key: unit[key] for key in ("enabled", "module", "model", "weight")} == {
        "enabled": True, "module": "none", "model": "control_v11p_sd15_mlsd", "weight": 0.8,
    }
    assert decode(unit["image"]).size == (64, 64)


def test_a_reference_image_is_a_second_controlnet_unit(stand_in, a1111):
    lines, reference = Image.new("RGB", (64, 64)), Image.new("RGB", (32, 32), (200, 30, 40))
    stand_in.reply(generated())

    assert a1111.supports_reference
    a1111.generate(ImageRequest("a sofa", width=64, height=64, seed=1, init_image=lines, strength=0.5,
                                control=ControlNetCondition("mlsd", lines), reference=ReferenceImage(reference, 0.9)))

    control, unit = stand_in.requests[0].body["alwayson_scripts"]["controlnet"]["args"]
    assert control["module"] == "none"
    assert {key: unit[key] for key in ("enabled", "module", "model", "weight", "resize_mode")} == {
        "enabled": True, "module": "reference_only", "model": "None", "weight": 0.9, "resize_mode": "Just Resize",
    }
    sent = decode(unit["image"])
    assert sent.size == (64, 64) and sent.convert("RGB").getpixel((10, 10)) == (200, 30, 40)


def test_an_ip_adapter_module_is_sent_with_its_model(stand_in):
    with a1111_settings(stand_in.url, AI_IMAGE_REFERENCE_MODULE="ip-adapter_clip_sd15",
                        AI_IMAGE_REFERENCE_MODEL="ip-adapter_sd15"):
        stand_in.reply(generated())
        registry.image_generator().generate(ImageRequest("a sofa", width=64, height=64, seed=1,
                                                         reference=ReferenceImage(Image.new("RGB", (64, 64)))))
    (unit,) = stand_in.requests[0].body["alwayson_scripts"]["controlnet"]["args"]
    assert (unit["module"], unit["model"], unit["weight"]) == ("ip-adapter_clip_sd15", "ip-adapter_sd15", 0.6)


def test_without_a_reference_module_a_reference_is_refused_before_any_request(stand_in):
    with a1111_settings(stand_in.url, AI_IMAGE_REFERENCE_MODULE=""):
        engine = registry.image_generator()
        assert not engine.supports_reference
        with pytest.raises(EngineUnavailable, match="reference"):
            engine.generate(ImageRequest("a sofa", width=64, height=64,
                                         reference=ReferenceImage(Image.new("RGB", (64, 64)))))
    assert not stand_in.requests


def test_429_is_retried_after_the_retry_after_wait(stand_in, a1111, waits):
    stand_in.reply({"detail": "busy"}, status=429, headers={"Retry-After": "2"})
    stand_in.reply(generated())

    result = a1111.generate(ImageRequest("a sofa", width=64, height=64))

    assert waits == [2.0]
    assert result.usage.attempts == 2


def test_500_is_retried_with_backoff(stand_in, a1111, waits):
    stand_in.reply({"error": "OutOfMemoryError"}, status=500)
    stand_in.reply(generated())

    a1111.generate(ImageRequest("a sofa", width=64, height=64))

    assert waits == [0.25]


def test_a_slow_server_times_out_as_unavailable(stand_in):
    stand_in.reply(generated(), delay=3)
    with a1111_settings(stand_in.url, AI_IMAGE_TIMEOUT=0.3), pytest.raises(EngineUnavailable, match="did not answer"):
        registry.image_generator().generate(ImageRequest("a sofa", width=64, height=64))
    assert len(stand_in.requests) == 1


def test_status_lists_the_web_uis_models(stand_in):
    stand_in.reply([{"title": "v1-5-pruned-emaonly.safetensors [6ce0161689]", "model_name": "v1-5-pruned-emaonly"}])
    with a1111_settings(stand_in.url, AI_IMAGE_MODEL="v1-5-pruned-emaonly"):
        report = registry.status_report()["image_generation"]

    assert (report["provider"], report["status"]) == ("automatic1111", "ready")
    assert stand_in.requests[0].path == "/sdapi/v1/sd-models"
