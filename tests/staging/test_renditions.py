"""Web copy, thumbnail, the lossless full-size file, JPEG encoding and the generator's working size."""

import io

import numpy as np
import pytest
from PIL import Image

from staging.renditions import encode_jpeg, encode_png, fit_within, model_size, thumbnail, web_copy


def decoded(data: bytes, fmt: str = "JPEG") -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == fmt
    return image


def noisy(size: tuple[int, int]) -> Image.Image:
    return Image.fromarray(np.random.default_rng(0).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


def test_the_web_copy_fits_1600_px_and_keeps_the_aspect_ratio():
    copy = decoded(web_copy(Image.new("RGB", (3000, 2000), "white")), "WEBP")

    assert copy.size == (1600, 1067)


def test_the_web_copy_is_lossless_at_its_size():
    photo = noisy((800, 600))

    assert np.array_equal(np.asarray(decoded(web_copy(photo), "WEBP").convert("RGB")), np.asarray(photo))


def test_the_full_size_file_is_a_lossless_png():
    photo = noisy((320, 200))

    assert np.array_equal(np.asarray(decoded(encode_png(photo), "PNG").convert("RGB")), np.asarray(photo))


def test_the_thumbnail_fits_400_px_and_keeps_a_portrait_ratio():
    copy = decoded(thumbnail(Image.new("RGB", (1200, 1800), "white")))

    assert copy.size == (267, 400)


def test_small_photos_are_never_upscaled():
    small = Image.new("RGB", (320, 240), "white")

    assert decoded(web_copy(small), "WEBP").size == (320, 240)
    assert decoded(thumbnail(small)).size == (320, 240)
    assert fit_within(small, 1000).size == (320, 240)


def test_encode_jpeg_flattens_any_mode_to_rgb():
    image = decoded(encode_jpeg(Image.new("RGBA", (50, 40), (10, 20, 30, 128)), quality=70))

    assert (image.mode, image.size) == ("RGB", (50, 40))


@pytest.mark.parametrize(("size", "short_edge", "expected"), [
    ((960, 640), 512, (768, 512)),
    ((4032, 3024), 768, (1024, 768)),
    ((1920, 1080), 512, (912, 512)),
    ((3024, 4032), 1024, (1024, 1368)),
    ((1000, 667), 512, (768, 512)),
    ((500, 500), 1024, (1024, 1024)),
    ((960, 640), 515, (768, 512)),
])
def test_the_model_size_is_multiples_of_8_with_the_short_side_given_keeping_the_aspect_ratio(size, short_edge,
                                                                                           expected):
    width, height = model_size(*size, short_edge)

    assert (width, height) == expected
    assert width % 8 == height % 8 == 0
    assert width / height == pytest.approx(size[0] / size[1], rel=0.02)


def test_a_very_long_panorama_is_squeezed_to_twice_the_short_side():
    assert model_size(10000, 50, 512) == (1024, 512)
    assert model_size(50, 10000, 512) == (512, 1024)
