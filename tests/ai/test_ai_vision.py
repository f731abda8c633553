"""Classic vision on images the tests draw, where the right answer is known."""

import cv2
import numpy as np
import pytest

from config.ai import vision


def canvas(height: int = 300, width: int = 400, colour=(245, 245, 245)) -> np.ndarray:
    image = np.empty((height, width, 3), np.uint8)
    image[:] = colour
    return image


def product_shot() -> np.ndarray:
    """A dark-brown box with some texture, on a near-white studio background."""
    image = canvas()
    cv2.rectangle(image, (120, 80), (279, 219), (90, 60, 40), thickness=-1)
    cv2.putText(image, "OAK", (150, 160), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (230, 200, 150), 3)
    return image


def test_a_known_rectangle_is_the_foreground_box():
    found = vision.foreground(product_shot())

    x, y, w, h = found.box
    assert (x, y, x + w, y + h) == pytest.approx((120, 80, 280, 220), abs=2)
    assert found.fill_ratio == pytest.approx(160 * 140 / (400 * 300), abs=0.01)


def test_a_plain_background_has_no_foreground():
    assert vision.foreground(canvas()).box is None


def test_the_foreground_box_is_in_the_photos_own_pixels_when_it_is_large():
    large = cv2.resize(product_shot(), (2000, 1500), interpolation=cv2.INTER_NEAREST)

    x, y, w, h = vision.foreground(large).box

    assert (x, y, x + w, y + h) == pytest.approx((600, 400, 1400, 1100), abs=8)


def test_a_blurred_copy_scores_lower_sharpness():
    sharp = product_shot()
    blurred = cv2.GaussianBlur(sharp, (0, 0), 3)

    assert vision.sharpness(blurred).score < vision.sharpness(sharp).score / 4


def test_sharpness_per_tile_finds_the_blurred_half():
    image = product_shot()
    image[:, 200:] = cv2.GaussianBlur(image, (0, 0), 4)[:, 200:]

    tiles = vision.sharpness(image, grid=(1, 2)).tiles

    assert tiles.shape == (1, 2)
    assert tiles[0, 1] < tiles[0, 0]


def test_exposure_counts_clipped_shadows_and_highlights():
    image = canvas(colour=(128, 128, 128))
    image[:, :100] = 0
    image[:, 300:] = 255

    measured = vision.exposure(image)

    assert (measured.shadows_clipped, measured.highlights_clipped) == (0.25, 0.25)
    assert measured.mean == pytest.approx((0.5 * 128 + 0.25 * 255) / 255, abs=0.01)


def test_the_dominant_colour_of_a_red_square_is_red():
    image = canvas(colour=(255, 255, 255))
    image[30:270, 30:370] = (230, 20, 25)

    colours = vision.dominant_colours(image, k=3)

    assert colours[0].name == "red"
    assert colours[0].fraction > 0.6
    assert colours[0].hex.startswith("#")


def test_colours_are_named_from_the_palette():
    assert [vision.colour_name(rgb) for rgb in [(0, 0, 0), (255, 255, 255), (20, 40, 120), (250, 210, 40)]] == [
        "black", "white", "navy", "yellow"]


def test_the_background_is_its_border_colour_and_uniform():
    found = vision.background(product_shot())

    assert found.name == "white"
    assert found.uniformity == 1.0


def test_a_busy_border_is_not_uniform():
    image = product_shot()
    image[:, :20] = (20, 20, 20)

    assert vision.background(image).uniformity < 0.9


def test_the_line_map_finds_the_drawn_lines():
    image = canvas(colour=(0, 0, 0))
    cv2.line(image, (40, 50), (360, 50), (255, 255, 255), 3)
    cv2.line(image, (200, 80), (200, 280), (255, 255, 255), 3)

    found = vision.line_map(image)

    horizontal = [s for s in found.segments if abs(s[1] - s[3]) < 3 and abs(s[0] - s[2]) > 250]
    vertical = [s for s in found.segments if abs(s[0] - s[2]) < 3 and abs(s[1] - s[3]) > 150]
    assert horizontal and vertical
    assert found.image.shape == (300, 400)
    assert found.image[45:56, 200].max() == 255
    assert found.image[100:250, 20:150].max() == 0


def test_the_edge_map_outlines_the_rectangle():
    edges = vision.edge_map(product_shot())

    assert edges.dtype == np.uint8
    assert edges[150, 118:123].max() == 255
    assert edges[20:60, 20:60].max() == 0


def test_analyse_reports_every_measurement():
    found = vision.analyse(product_shot())

    assert (found.width, found.height) == (400, 300)
    assert found.background.name == "white"
    assert found.foreground.box is not None
    assert found.line_count >= 4
