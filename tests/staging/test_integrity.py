"""Architectural integrity and the pixel lock, on a drawn room and "generators" the tests script."""

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage.color import deltaE_ciede2000, rgb2lab

from staging.integrity import DEFAULT_THRESHOLD, measure_integrity, pixel_lock
from staging.structure import furnished_area_mask
from tests.staging.drawings import BACK_WALL, Room, add_furniture, draw_room, paint_box, repaint_everything

ROOM = Room()


@pytest.fixture(scope="module")
def photo() -> Image.Image:
    return draw_room(ROOM)


@pytest.fixture(scope="module")
def mask(photo) -> Image.Image:
    return furnished_area_mask(photo).mask


def test_furniture_inside_the_mask_passes(photo, mask):
    report = measure_integrity(photo, add_furniture(photo, mask), mask, threshold=DEFAULT_THRESHOLD)

    assert report.passed
    assert report.score >= 0.99
    assert report.line_pixels > 1000
    assert report.kept_pixels <= report.line_pixels


def test_a_resampled_and_noisy_redraw_of_the_same_room_passes(photo, mask):
    redrawn = repaint_everything(photo.resize((768, 512), Image.Resampling.BILINEAR)).resize(photo.size)

    assert measure_integrity(photo, redrawn, mask, threshold=DEFAULT_THRESHOLD).score >= 0.97


def test_erasing_the_window_fails(photo, mask):
    erased = add_furniture(paint_box(photo, ROOM.window, BACK_WALL), mask)

    report = measure_integrity(photo, erased, mask, threshold=DEFAULT_THRESHOLD)

    assert not report.passed
    assert report.score < DEFAULT_THRESHOLD - 0.03


def test_moving_a_wall_by_five_percent_of_the_width_fails(photo, mask):
    moved = draw_room(ROOM.with_left_corner_moved(round(ROOM.width * 0.05)))

    report = measure_integrity(photo, moved, mask, threshold=DEFAULT_THRESHOLD)

    assert not report.passed
    assert report.score < DEFAULT_THRESHOLD - 0.02


def test_the_threshold_decides_passing_and_is_reported(photo, mask):
    erased = paint_box(photo, ROOM.window, BACK_WALL)

    report = measure_integrity(photo, erased, mask, threshold=0.5)

    assert report.passed
    assert report.threshold == 0.5


def test_a_photo_without_lines_outside_the_mask_scores_one():
    blank = Image.new("RGB", (600, 400), (200, 195, 185))
    mask = furnished_area_mask(blank).mask

    report = measure_integrity(blank, blank, mask, threshold=DEFAULT_THRESHOLD)

    assert (report.score, report.passed, report.line_pixels) == (1.0, True, 0)


def test_integrity_refuses_images_of_different_sizes(photo, mask):
    with pytest.raises(ValueError):
        measure_integrity(photo, photo.resize((768, 512)), mask, threshold=DEFAULT_THRESHOLD)


def test_the_pixel_lock_restores_every_unmasked_pixel_exactly(photo, mask):
    locked = pixel_lock(photo, repaint_everything(photo), mask, feather_px=8)

    outside = np.asarray(mask) < 128
    assert np.array_equal(np.asarray(locked.image)[outside], np.asarray(photo)[outside])
    assert locked.share_within_delta_e_1 == 1.0


def test_the_feather_only_touches_masked_pixels(photo, mask):
    generated = repaint_everything(photo)

    locked = np.asarray(pixel_lock(photo, generated, mask, feather_px=8).image).astype(int)

    inside = (np.asarray(mask) >= 128).astype(np.uint8)
    depth = cv2.distanceTransform(inside, cv2.DIST_L2, 5)
    original, painted = np.asarray(photo).astype(int), np.asarray(generated).astype(int)
    rim, deep = (depth > 0) & (depth <= 2), depth >= 8
    # Unmasked pixels are the original's (tested above); on the mask's rim the
    # blend is mostly original, and a feather's width in it is the generator's alone.
    assert np.abs(locked[rim] - original[rim]).mean() < np.abs(locked[rim] - painted[rim]).mean()
    assert np.array_equal(locked[deep], painted[deep])


def test_the_pixel_lock_keeps_a_3_2_photo_3_2_at_its_size(photo, mask):
    locked = pixel_lock(photo, repaint_everything(photo), mask)

    assert locked.image.size == photo.size == (960, 640)
    assert locked.feather_px >= 2


def test_the_pixel_lock_refuses_a_result_of_another_size(photo, mask):
    with pytest.raises(ValueError):
        pixel_lock(photo, photo.resize((768, 512)), mask)


def test_the_delta_e_share_counts_unmasked_pixels_that_differ():
    original = Image.new("RGB", (100, 100), (120, 120, 120))
    result = Image.new("RGB", (100, 100), (200, 60, 60))
    mask = Image.new("L", (100, 100), 0)
    mask.paste(255, (0, 0, 100, 50))

    locked = pixel_lock(original, result, mask, feather_px=0)

    assert locked.share_within_delta_e_1 == 1.0
    assert np.asarray(locked.image)[:50].tolist() == np.asarray(result)[:50].tolist()
    difference = deltaE_ciede2000(rgb2lab(np.array([[[120, 120, 120]]], np.uint8)),
                                  rgb2lab(np.array([[[200, 60, 60]]], np.uint8)))
    assert float(difference[0, 0]) > 1
