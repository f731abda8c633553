"""The PNG renderer: the SVG's sheet at a true scale in pixels, white, with the disclaimer."""

import io

import numpy as np
import pytest
from PIL import Image

from config.errors import ValidationFailed
from floorplans.render_png import render_png
from tests.floorplans.sample_drawing import MEASURED_WALL_FT, sample_drawing

QUARTER_FEET_PER_INCH = 4.0  # the sample fits tabloid at 1/4" = 1'-0", so it is drawn at that scale
LIMIT = 50_000_000


def _pixels(data: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return np.asarray(image.convert("L"))


def _thick_vertical_run(pixels: np.ndarray, thickness: int) -> int:
    """Longest vertical black run shared by ``thickness`` neighbouring columns (walls, not thin lines)."""
    black = pixels < 128
    runs = np.zeros(black.shape[1], dtype=int)
    for column in range(black.shape[1]):
        best = current = 0
        for dark in black[:, column]:
            current = current + 1 if dark else 0
            best = max(best, current)
        runs[column] = best
    windows = np.lib.stride_tricks.sliding_window_view(runs, thickness)
    return int(windows.min(axis=1).max())


@pytest.mark.parametrize("dpi", [100, 200])
def test_a_12_ft_wall_is_three_paper_inches_at_the_requested_dpi(dpi):
    pixels = _pixels(render_png(sample_drawing(), dpi=dpi, max_pixels=LIMIT))
    expected = MEASURED_WALL_FT / QUARTER_FEET_PER_INCH * dpi
    assert abs(_thick_vertical_run(pixels, thickness=5) - expected) <= 2


def test_the_background_is_white_and_the_dpi_is_recorded():
    data = render_png(sample_drawing(), dpi=150, max_pixels=LIMIT)
    image = Image.open(io.BytesIO(data))
    assert round(image.info["dpi"][0]) == 150
    pixels = _pixels(data)
    assert pixels[0, 0] == 255 and pixels[-1, -1] == 255
    assert 0.8 < (pixels == 255).mean() < 0.99  # mostly paper, some ink


def test_the_disclaimer_is_drawn_in_the_legend_and_the_plan_is_the_same_without_it():
    with_it = _pixels(render_png(sample_drawing(), dpi=150, max_pixels=LIMIT))
    bare = sample_drawing()
    bare.disclaimer = ""
    without = _pixels(render_png(bare, dpi=150, max_pixels=LIMIT))
    # The legend loses its last line, so the sheet is shorter; the plan above it is identical.
    assert without.shape[0] < with_it.shape[0] and without.shape[1] == with_it.shape[1]
    rows = without.shape[0] // 2
    assert np.array_equal(with_it[:rows], without[:rows])
    assert np.count_nonzero(with_it[rows:] < 128) > np.count_nonzero(without[rows:] < 128)


def test_an_image_over_the_pixel_limit_is_refused_naming_dpi():
    with pytest.raises(ValidationFailed) as raised:
        render_png(sample_drawing(), dpi=600, max_pixels=1_000_000)
    assert raised.value.details == {"field": "dpi"} and "dpi" in raised.value.message
