"""catalog.main_image_fix: a photo made into each marketplace's main image, re-measured."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from catalog.main_image_fix import MARKETPLACES, TARGET_LONG_SIDE, contact_shadow, fix_main_image, refined_alpha
from catalog.product_mask import iou, product_mask
from tests.catalog import drawn
from tests.catalog.drawn_scenes import cup_scene


@pytest.fixture(scope="module")
def cup_on_table() -> Image.Image:
    photo, _ = cup_scene((3000, 2250), fill=0.5, backdrop="wood")
    return Image.fromarray(photo)


@pytest.mark.parametrize("marketplace", sorted(MARKETPLACES))
def test_a_cup_on_a_table_fixed_for_each_marketplace_passes_its_rules(cup_on_table, marketplace):
    fixed = fix_main_image(cup_on_table, marketplace)

    assert fixed.unmet == []
    assert fixed.checks and all(c.marketplace == MARKETPLACES[marketplace] for c in fixed.checks)
    assert all(c.passed for c in fixed.checks if not c.advisory)


def test_the_amazon_fix_is_a_square_srgb_jpeg_on_pure_white_filled_to_85_percent(cup_on_table):
    fixed = fix_main_image(cup_on_table, "amazon")

    image = Image.open(io.BytesIO(fixed.jpeg))
    assert image.format == "JPEG" and image.info.get("icc_profile")
    assert image.size == (fixed.width, fixed.height) and fixed.width == fixed.height
    pixels = np.asarray(image)
    assert (pixels[:20, :20] >= 254).all() and (pixels[-20:, -20:] >= 254).all()
    fill = next(c for c in fixed.checks if c.rule == "main_image_product_fill")
    assert 0.85 <= fill.measured <= 0.92


def test_the_same_photo_before_the_fix_fails_amazon(cup_on_table):
    from catalog.compliance import check_compliance
    from catalog.measure import measure

    checks = check_compliance(measure(cup_on_table, file_size_bytes=drawn.jpeg_size(cup_on_table)), category="")
    failed = {c.rule for c in checks if c.marketplace == "amazon" and not c.passed}

    assert {"main_image_white_background", "main_image_product_fill"} <= failed


def test_a_large_source_is_shrunk_to_the_zoom_target_not_beyond():
    photo, _ = cup_scene((4000, 3000), fill=0.9, backdrop="white")

    fixed = fix_main_image(Image.fromarray(photo), "ebay")

    assert max(fixed.width, fixed.height) == TARGET_LONG_SIDE


def test_a_source_too_small_for_zoom_is_not_enlarged_and_names_the_rule():
    photo, _ = cup_scene((600, 450), fill=0.5, backdrop="white")

    fixed = fix_main_image(Image.fromarray(photo), "amazon")

    assert [c.rule for c in fixed.unmet] == ["zoom_longest_side"]
    assert fixed.unmet[0].measured < 1000 and fixed.unmet[0].threshold == 1000
    assert max(fixed.width, fixed.height) < 450


def test_a_cluttered_scene_reports_that_no_product_could_be_cut_out():
    fixed = fix_main_image(drawn.busy_scene(fill=0.6), "amazon")

    assert "product_cutout" in {c.rule for c in fixed.unmet}


def test_a_product_cropped_by_the_frame_reports_the_cutout_rule():
    fixed = fix_main_image(drawn.product_photo((1600, 1600), fill=0.6, shift=(0.35, 0.0)), "ebay")

    assert [c.rule for c in fixed.unmet] == ["product_cutout"]


def test_an_unknown_marketplace_is_refused(cup_on_table):
    with pytest.raises(KeyError):
        fix_main_image(cup_on_table, "etsy")


def test_a_blank_photo_has_nothing_to_fix():
    with pytest.raises(ValueError):
        fix_main_image(Image.new("RGB", (800, 600), "white"), "amazon")


@pytest.fixture(scope="module")
def cup_on_white_fixed_both_ways() -> tuple[np.ndarray, np.ndarray]:
    photo, _ = cup_scene((2400, 1800), fill=0.6, backdrop="white")
    plain, shadowed = (fix_main_image(Image.fromarray(photo), "amazon", shadow=shadow) for shadow in (False, True))
    return (np.asarray(Image.open(io.BytesIO(plain.jpeg))).astype(int),
            np.asarray(Image.open(io.BytesIO(shadowed.jpeg))).astype(int))


def _bottom_of_product(pixels: np.ndarray) -> int:
    """The last row of the no-shadow fix's centre column that is not white."""
    return int(np.flatnonzero(pixels[:, pixels.shape[1] // 2].min(axis=1) < 250)[-1])


def test_a_fix_with_shadow_darkens_just_below_the_product_in_grey_and_fades_to_white(cup_on_white_fixed_both_ways):
    plain, shadowed = cup_on_white_fixed_both_ways
    bottom, centre = _bottom_of_product(plain), plain.shape[1] // 2
    height = plain.shape[0]

    below = shadowed[bottom + 2:bottom + 6, centre - 20:centre + 20]
    assert below.max() < 245  # darker than white just under the product
    assert np.abs(below[..., 0] - below[..., 2]).max() <= 4  # neutral grey
    # Pure white again within a bounded distance: the shadow reaches at most 60 % of the margin.
    reach = bottom + 1 + int(0.6 * (height - 1 - bottom))
    assert (shadowed[reach + 2:] >= 254).all()
    column = shadowed[bottom + 2:reach, centre].min(axis=1)
    assert (np.diff(column) >= -2).all()  # it only fades (JPEG noise aside)


def test_a_fix_with_shadow_keeps_the_frame_edges_pure_white_and_passes_the_rules(cup_on_white_fixed_both_ways):
    _, shadowed = cup_on_white_fixed_both_ways

    for edge in (shadowed[:8], shadowed[-8:], shadowed[:, :8], shadowed[:, -8:]):
        assert (edge >= 254).all()
    photo, _ = cup_scene((2400, 1800), fill=0.6, backdrop="white")
    fixed = fix_main_image(Image.fromarray(photo), "amazon", shadow=True)
    assert fixed.unmet == []


def test_a_fix_without_shadow_leaves_the_floor_white(cup_on_white_fixed_both_ways):
    plain, _ = cup_on_white_fixed_both_ways
    bottom, centre = _bottom_of_product(plain), plain.shape[1] // 2

    assert (plain[bottom + 3:, centre - 20:centre + 20] >= 252).all()  # JPEG's ringing by the edge aside


def test_the_contact_shadow_is_bounded_below_the_footprint_and_zero_elsewhere():
    alpha = np.zeros((400, 300), np.float32)
    alpha[100:300, 100:200] = 1.0  # a box standing on row 299, 100 rows of margin below it

    darkening = contact_shadow(alpha)

    assert darkening[300:306, 150].min() > 0.1
    assert not darkening[300 + 61:].any()  # at most 60 % of the margin
    assert not darkening[:, :60].any() and not darkening[:, 240:].any()  # about as wide as the footprint
    assert not darkening[:250].any()  # nothing above the product's bottom band


def test_no_margin_below_the_product_casts_no_shadow():
    alpha = np.zeros((200, 200), np.float32)
    alpha[50:, 50:150] = 1.0

    assert not contact_shadow(alpha).any()


def _edge_band(truth: np.ndarray, width: int) -> np.ndarray:
    kernel = np.ones((2 * width + 1, 2 * width + 1), np.uint8)
    mask = truth.astype(np.uint8)
    return cv2.dilate(mask, kernel).astype(bool) & ~cv2.erode(mask, kernel).astype(bool)


@pytest.mark.parametrize("backdrop", ["white", "wood"])
def test_the_refined_alpha_is_soft_along_the_outline_only_and_keeps_the_cut(backdrop):
    photo, truth = cup_scene((1600, 1200), fill=0.6, backdrop=backdrop)
    cut = product_mask(photo)

    alpha = refined_alpha(photo, cut.mask)

    soft = (alpha > 0.05) & (alpha < 0.95)
    band = _edge_band(truth, 2)
    assert soft[band].mean() >= 0.3  # the outline is a ramp, not a step
    assert soft[~_edge_band(truth, 12)].mean() <= 0.002  # away from it, product or backdrop outright
    assert iou(alpha >= 0.5, truth) >= 0.9
    # The hard cut it starts from has no ramp at all: the measure above can fail.
    assert not ((cut.mask > 0.05) & (cut.mask < 0.95))[band].any()
