"""catalog.measure on drawn product photos with known framing."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from catalog.measure import measure
from tests.catalog import drawn


def measured(image: Image.Image):
    return measure(image, file_size_bytes=drawn.jpeg_size(image))


def test_a_product_on_white_measures_its_size_background_and_fill():
    m = measured(drawn.product_photo((1200, 1000), fill=0.9))

    assert (m.width, m.height, m.megapixels) == (1200, 1000, 1.2)
    assert m.file_size_bytes > 0
    assert m.background_rgb == (255, 255, 255) and m.background_is_white
    assert m.background_uniformity == pytest.approx(1.0)
    assert m.fill_ratio == pytest.approx(0.9, abs=0.01)
    assert m.foreground_box == pytest.approx({"x": 60, "y": 50, "width": 1080, "height": 900}, abs=3)
    assert not m.foreground_touches_edge


def test_the_dominant_colour_of_a_red_product_is_red_not_its_white_background():
    m = measured(drawn.product_photo())

    assert m.colours[0]["name"] == "red"
    assert m.colours[0]["hex"].startswith("#")
    assert sum(colour["share"] for colour in m.colours) == pytest.approx(1.0, abs=0.01)
    assert "white" not in {colour["name"] for colour in m.colours}


def test_fill_is_the_box_side_over_the_frame_side():
    m = measured(drawn.product_photo(fill=0.6))

    assert m.fill_ratio == pytest.approx(0.6, abs=0.01)


def test_a_grey_background_is_measured_and_is_not_white():
    m = measured(drawn.product_photo(background=drawn.GREY))

    assert m.background_rgb == pytest.approx((128, 128, 128), abs=1)
    assert not m.background_is_white
    assert m.fill_ratio == pytest.approx(0.9, abs=0.01)


def test_a_product_reaching_into_the_border_keeps_a_white_background():
    m = measured(drawn.product_photo(fill=0.95))

    assert m.background_is_white and m.fill_ratio == pytest.approx(0.95, abs=0.01)


def test_a_product_past_the_frame_touches_the_edge():
    m = measured(drawn.product_photo(fill=0.6, shift=(0.3, 0.0)))

    assert m.foreground_touches_edge
    box = m.foreground_box
    assert box["x"] + box["width"] == pytest.approx(1200, abs=3)


def test_boxes_are_in_the_originals_pixels_and_resolution_is_the_originals():
    m = measured(drawn.product_photo((2400, 1600), fill=0.5))

    assert (m.width, m.height) == (2400, 1600)
    assert m.foreground_box == pytest.approx({"x": 600, "y": 400, "width": 1200, "height": 800}, abs=6)
    for tile in m.sharpness_tiles:
        assert tile["x"] >= 0 and tile["x"] + tile["width"] <= 2400


def test_a_blurred_copy_is_less_sharp_overall_and_per_tile():
    photo = drawn.product_photo()
    sharp, soft = measured(photo), measured(drawn.blurred(photo))

    assert soft.sharpness < sharp.sharpness / 10
    assert soft.sharpness_tiles_min < sharp.sharpness_tiles_min / 10


def test_a_transparent_background_is_measured_as_white():
    rgb = np.asarray(drawn.product_photo()).copy()
    transparent = (rgb == 255).all(axis=2)
    rgb[transparent] = 0  # what a naive RGB conversion would show: black
    alpha = np.where(transparent, 0, 255).astype(np.uint8)
    cutout = Image.fromarray(np.dstack([rgb, alpha]), "RGBA")

    m = measure(cutout, file_size_bytes=1)

    assert m.background_is_white and m.fill_ratio == pytest.approx(0.9, abs=0.01)


def test_the_exif_orientation_is_applied():
    photo = drawn.product_photo((1200, 800))
    exif = photo.getexif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to view
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", exif=exif)
    tagged = Image.open(buffer)

    m = measure(tagged, file_size_bytes=1)

    assert (m.width, m.height) == (800, 1200)


def test_to_dict_is_json_ready():
    data = measured(drawn.product_photo()).to_dict()

    assert json.loads(json.dumps(data))["background_rgb"] == [255, 255, 255]
    assert {"sharpness", "colours", "foreground_box", "fill_ratio", "clipped_highlights"} <= set(data)


@pytest.mark.parametrize("image", [Image.new("RGB", (1, 1), "white"), Image.new("L", (3, 2), 90),
                                   Image.new("CMYK", (300, 200), (0, 255, 255, 0))])
def test_icons_grey_and_cmyk_images_are_measured(image):
    m = measure(image, file_size_bytes=1)

    assert (m.width, m.height) == image.size and m.foreground_box is None
