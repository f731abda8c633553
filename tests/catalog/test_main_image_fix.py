"""catalog.main_image_fix: a photo made into each marketplace's main image, re-measured."""

import io

import numpy as np
import pytest
from PIL import Image

from catalog.main_image_fix import MARKETPLACES, TARGET_LONG_SIDE, fix_main_image
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
