"""The diffusers provider running the real pipelines on CPU with tiny random-weight models.

Every component is built here, so nothing is downloaded; 64x64 images and two
steps keep each generation well under a second.
"""

import numpy as np
import pytest
from django.test import override_settings
from PIL import Image, ImageDraw

from config.ai import registry
from config.ai.errors import EngineUnavailable
from config.ai.image.base import ControlNetCondition, ImageRequest
from tests.tiny_diffusers import SIZE, tiny_components, tiny_controlnet

pytestmark = pytest.mark.usefixtures("ai_packages")


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    base = tiny_components(tmp_path_factory.mktemp("base"), unet_in_channels=4)
    inpaint = tiny_components(tmp_path_factory.mktemp("inpaint"), unet_in_channels=9)
    return {"base": base, "inpaint": inpaint, "controlnets": {"mlsd": tiny_controlnet(), "canny": tiny_controlnet()}}


@pytest.fixture(scope="module")
def engine(parts):
    from config.ai.image.diffusers_engine import DiffusersImageGenerator

    return DiffusersImageGenerator.with_components(
        base=parts["base"], inpaint=parts["inpaint"], controlnets=parts["controlnets"]
    )


def room() -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE), (190, 170, 140))
    ImageDraw.Draw(image).rectangle((8, 40, 56, 60), fill=(90, 60, 40))
    return image


def square_mask() -> Image.Image:
    mask = Image.new("L", (SIZE, SIZE), 0)
    mask.paste(255, (16, 16, 48, 48))
    return mask


def request(**fields) -> ImageRequest:
    return ImageRequest(**({"prompt": "a sofa", "width": SIZE, "height": SIZE, "steps": 2, "seed": 5} | fields))


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.int16)


def test_txt2img_makes_the_requested_size_and_the_seed_repeats_it(engine):
    first = engine.generate(request())
    again = engine.generate(request())
    other = engine.generate(request(seed=6))

    assert first.image.size == (SIZE, SIZE)
    assert np.array_equal(pixels(first.image), pixels(again.image))
    assert not np.array_equal(pixels(first.image), pixels(other.image))
    assert (first.seed, first.usage.provider, first.usage.model) == (5, "diffusers", "in-memory")


def test_a_missing_seed_is_chosen_and_returned(engine):
    result = engine.generate(request(seed=None))

    assert np.array_equal(pixels(result.image), pixels(engine.generate(request(seed=result.seed)).image))


def test_img2img_starts_from_the_init_image_and_repeats_with_the_seed(engine):
    first = engine.generate(request(init_image=room(), strength=0.5))
    again = engine.generate(request(init_image=room(), strength=0.5))

    assert first.image.size == (SIZE, SIZE)
    assert np.array_equal(pixels(first.image), pixels(again.image))
    assert not np.array_equal(pixels(first.image), pixels(engine.generate(request()).image))


def test_inpainting_keeps_every_unmasked_pixel(engine):
    result = engine.generate(request(init_image=room(), mask=square_mask()))

    outside = pixels(square_mask()) == 0
    assert result.image.size == (SIZE, SIZE)
    assert np.array_equal(pixels(result.image)[outside], pixels(room())[outside])
    assert not np.array_equal(pixels(result.image)[~outside], pixels(room())[~outside])


@pytest.mark.parametrize("fields", [{}, {"init_image": room(), "strength": 0.5},
                                    {"init_image": room(), "mask": square_mask()}],
                         ids=["txt2img", "img2img", "inpaint"])
@pytest.mark.parametrize("kind", ["mlsd", "canny"])
def test_controlnet_conditions_every_mode(engine, fields, kind):
    control = ControlNetCondition.from_photo(kind, room())

    plain = engine.generate(request(**fields))
    conditioned = engine.generate(request(**fields, control=control))

    assert conditioned.image.size == (SIZE, SIZE)
    assert not np.array_equal(pixels(plain.image), pixels(conditioned.image))
    assert np.array_equal(pixels(conditioned.image), pixels(engine.generate(request(**fields, control=control)).image))


def test_weights_in_folders_load_offline_through_the_registry(parts, tmp_path):
    import diffusers

    folders = {"base": tmp_path / "base", "inpaint": tmp_path / "inpaint", "mlsd": tmp_path / "mlsd"}
    for key in ("base", "inpaint"):
        diffusers.StableDiffusionPipeline(
            **parts[key], safety_checker=None, feature_extractor=None, requires_safety_checker=False
        ).save_pretrained(folders[key])
    parts["controlnets"]["mlsd"].save_pretrained(folders["mlsd"])

    with override_settings(
        AI_IMAGE_PROVIDER="diffusers", AI_IMAGE_MODEL=str(folders["base"]),
        AI_IMAGE_INPAINT_MODEL=str(folders["inpaint"]), AI_IMAGE_CONTROLNET_MLSD=str(folders["mlsd"]),
        AI_IMAGE_CONTROLNET_CANNY="", AI_IMAGE_CONTROLNET_DEPTH="", AI_IMAGE_DEVICE="cpu",
    ):
        generator = registry.image_generator()
        assert registry.status_report()["image_generation"]["status"] == "ready"
        control = ControlNetCondition.from_photo("mlsd", room())
        result = generator.generate(request(init_image=room(), mask=square_mask(), control=control))

    assert result.image.size == (SIZE, SIZE)
    assert result.usage.model == str(folders["base"])


def test_absent_weights_are_reported_and_fail_at_once(tmp_path):
    with override_settings(
        AI_IMAGE_PROVIDER="diffusers", AI_IMAGE_MODEL="stable-diffusion-v1-5/stable-diffusion-v1-5",
        AI_MODEL_CACHE=str(tmp_path), AI_IMAGE_DEVICE="cpu",
    ):
        report = registry.status_report()["image_generation"]
        with pytest.raises(EngineUnavailable, match="not present"):
            registry.image_generator().generate(request())

    assert report["status"] == "weights not present"
    assert "download_models" in report["detail"]
