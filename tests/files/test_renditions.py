"""Shared renditions: a JPEG of any content, however busy, encodes."""

import io

import numpy as np
from PIL import Image

from config.files.renditions import encode_jpeg


def test_a_smooth_image_encodes_as_progressive_jpeg():
    gradient = Image.fromarray(np.tile(np.arange(256, dtype=np.uint8), (256, 1))).convert("RGB")
    data = encode_jpeg(gradient)
    with Image.open(io.BytesIO(data)) as decoded:
        assert decoded.format == "JPEG" and decoded.info.get("progressive") == 1


def test_pure_noise_encodes_although_it_outgrows_the_progressive_buffer():
    noise = Image.fromarray(np.random.default_rng(3).integers(0, 256, (256, 256, 3), dtype=np.uint8))
    data = encode_jpeg(noise)
    with Image.open(io.BytesIO(data)) as decoded:
        assert decoded.size == (256, 256) and len(data) > 256 * 256  # more than the byte a pixel Pillow allows
