"""diffusers with an IP-Adapter: a reference image reaches the real pipeline (tiny random weights, CPU)."""

import importlib.util

import numpy as np
import pytest
from PIL import Image

from config.ai.errors import EngineUnavailable
from config.ai.image.base import ImageRequest, ReferenceImage
from tests.conftest import require


@pytest.fixture
def engine(tmp_path):
    require(importlib.util.find_spec("diffusers") is not None, "diffusers is not installed (requirements-ai.txt)")
    from config.ai.image.diffusers_engine import DiffusersImageGenerator
    from tests.tiny_diffusers import save_tiny_ip_adapter, tiny_components

    (tmp_path / "base").mkdir()
    base = tiny_components(tmp_path / "base", unet_in_channels=4)
    adapter = save_tiny_ip_adapter(tmp_path / "ip-adapter", base["unet"])
    return DiffusersImageGenerator.with_components(base=base, ip_adapter=str(adapter))


def request(**fields) -> ImageRequest:
    return ImageRequest("a sofa", width=64, height=64, steps=2, seed=3, **fields)


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image).astype(int)


def test_the_reference_reaches_the_pipeline_and_changes_the_image(engine, monkeypatch):
    import diffusers

    seen = []
    encode = diffusers.StableDiffusionPipeline.encode_image
    monkeypatch.setattr(diffusers.StableDiffusionPipeline, "encode_image",
                        lambda self, image, *args, **kwargs: seen.append(image) or encode(self, image, *args, **kwargs))
    red, blue = Image.new("RGB", (64, 64), (220, 20, 20)), Image.new("RGB", (64, 64), (20, 20, 220))

    plain = engine.generate(request()).image
    with_red = engine.generate(request(reference=ReferenceImage(red, 1.0))).image
    with_blue = engine.generate(request(reference=ReferenceImage(blue, 1.0))).image

    assert len(seen) == 2 and seen[0].getpixel((5, 5)) == (220, 20, 20)
    assert np.abs(pixels(with_red) - pixels(with_blue)).mean() > 0.5
    assert np.abs(pixels(with_red) - pixels(plain)).mean() > 0.5


def test_the_adapter_is_taken_off_the_unet_after_the_call(engine):
    plain = engine.generate(request()).image
    engine.generate(request(reference=ReferenceImage(Image.new("RGB", (64, 64), (220, 20, 20)), 1.0)))
    again = engine.generate(request()).image

    assert engine._part("base")["unet"].encoder_hid_proj is None
    assert np.array_equal(pixels(plain), pixels(again))


def test_without_an_ip_adapter_a_reference_is_refused(engine):
    engine.ip_adapter = None
    assert not engine.supports_reference
    with pytest.raises(EngineUnavailable, match="reference"):
        engine.generate(request(reference=ReferenceImage(Image.new("RGB", (64, 64)))))
