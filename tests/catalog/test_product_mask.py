"""catalog.product_mask and the fill it gives catalog.measure, on drawn photos with exact masks and a real
photograph with a hand-traced one."""

import cv2
import numpy as np
import pytest
from PIL import Image

from catalog.compliance import check_compliance
from catalog.measure import measure
from catalog.product_mask import iou, product_mask
from tests.catalog import drawn, photos
from tests.catalog.drawn_scenes import cup_scene


def _measured(photo: np.ndarray):
    image = Image.fromarray(photo)
    return measure(image, file_size_bytes=drawn.jpeg_size(image))


@pytest.mark.parametrize("backdrop", ["white", "grey"])
@pytest.mark.parametrize("fill", [0.3, 0.6, 0.9])
def test_the_mask_of_a_cup_on_a_plain_backdrop_matches_its_drawn_mask(backdrop, fill):
    photo, truth = cup_scene(fill=fill, backdrop=backdrop)

    assert iou(product_mask(photo).mask, truth) >= 0.9


def test_the_mask_of_a_cup_on_a_wooden_table_leaves_the_table_and_its_shadow_out():
    photo, truth = cup_scene(fill=0.6, backdrop="wood")

    cut = product_mask(photo)

    assert iou(cut.mask, truth) >= 0.9
    assert cut.coverage == pytest.approx(truth.mean(), abs=0.03)


def test_a_cluttered_room_gives_a_poor_mask():
    scene = np.asarray(drawn.busy_scene(fill=0.6))
    truth = (np.asarray(drawn.product_photo(fill=0.6)) != 255).any(axis=2)

    assert iou(product_mask(scene).mask, truth) < 0.85


def test_a_blank_photo_has_no_product():
    cut = product_mask(np.full((300, 400, 3), 255, np.uint8))

    assert cut.box is None and cut.fill() == 0.0 and not cut.mask.any()


def test_iou_is_one_for_the_same_mask_and_zero_for_disjoint_ones():
    left = np.zeros((10, 10), bool)
    left[:, :5] = True

    assert iou(left, left) == 1.0
    assert iou(left, ~left) == 0.0


@pytest.mark.parametrize("fill", [0.3, 0.6, 0.9])
def test_a_cup_on_a_wooden_table_measures_the_fill_it_has(fill):
    photo, _ = cup_scene(fill=fill, backdrop="wood")

    assert _measured(photo).fill_ratio == pytest.approx(fill, abs=0.1)


def test_a_half_frame_cup_on_a_table_fails_amazons_fill_rule():
    photo, _ = cup_scene(fill=0.5, backdrop="wood")
    checks = check_compliance(_measured(photo), category="kitchen")

    fill_rule = next(c for c in checks if c.rule == "main_image_product_fill")
    assert not fill_rule.passed and fill_rule.measured == pytest.approx(0.5, abs=0.1)


def test_a_cup_filling_the_frame_on_white_passes_amazons_fill_rule():
    photo, _ = cup_scene(fill=0.9, backdrop="white")
    checks = check_compliance(_measured(photo), category="kitchen")

    assert next(c for c in checks if c.rule == "main_image_product_fill").passed


# Measured 0.892 (OpenCV 4.14; GrabCut's colour models seeded at 0): the cut takes in the saucer's
# dark shadow on the table and misses slivers of the cup's white rim. A cup on a wooden table lit
# from the side, not a plain-background shot, so below the 0.9 goal; the floor keeps it from slipping.
COFFEE_IOU_FLOOR = 0.88


def test_the_mask_of_a_real_photo_of_a_cup_on_a_table_keeps_its_measured_iou():
    photo, truth = photos.coffee()

    assert iou(product_mask(photo).mask, truth) >= COFFEE_IOU_FLOOR


def test_the_coffee_photos_box_or_whole_frame_as_a_mask_scores_below_that_floor():
    _, truth = photos.coffee()
    x, y, w, h = cv2.boundingRect(truth.astype(np.uint8))
    box = np.zeros_like(truth)
    box[y:y + h, x:x + w] = True

    assert iou(box, truth) < COFFEE_IOU_FLOOR - 0.05
    assert iou(np.ones_like(truth), truth) < 0.5
