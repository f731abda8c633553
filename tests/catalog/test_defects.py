"""catalog.defects: each defect from a drawn photo that has it, and none from a clean one."""

import pytest
from PIL import Image, ImageEnhance

from catalog.defects import DefectType, Severity, detect_defects
from catalog.measure import measure
from tests.catalog import drawn


def defects_of(image: Image.Image) -> dict:
    found = detect_defects(measure(image, file_size_bytes=drawn.jpeg_size(image)))
    assert len({defect.defect_type for defect in found}) == len(found), found
    return {defect.defect_type: defect for defect in found}


def test_a_clean_product_photo_has_no_defects():
    assert defects_of(drawn.product_photo()) == {}


def test_dark_pale_and_grey_backed_products_have_no_defects():
    for photo in (drawn.product_photo(colour=(25, 25, 28)), drawn.product_photo(colour=(245, 245, 245)),
                  drawn.product_photo(background=drawn.GREY)):
        assert defects_of(photo) == {}


def test_a_blurred_copy_is_a_blur_of_the_whole_photo():
    blur = defects_of(drawn.blurred(drawn.product_photo()))[DefectType.BLUR]

    assert blur.severity == Severity.HIGH and blur.bounding_box is None
    assert 0.9 <= blur.confidence <= 1.0
    assert "sharpness" in blur.description


def test_confidence_grows_with_the_distance_past_the_threshold():
    photo = drawn.product_photo()
    slight = defects_of(drawn.blurred(photo, radius=1.5))[DefectType.BLUR]
    heavy = defects_of(drawn.blurred(photo, radius=6))[DefectType.BLUR]

    assert 0.5 <= slight.confidence < heavy.confidence


def test_a_blurred_half_is_a_blur_boxed_on_that_half():
    photo = drawn.blurred_region(drawn.product_photo(), (0, 0, 600, 1200))

    blur = defects_of(photo)[DefectType.BLUR]

    box = blur.bounding_box
    assert box is not None and box["x"] + box["width"] <= 620 and box["height"] > 900
    assert blur.severity in (Severity.MEDIUM, Severity.HIGH)


@pytest.mark.parametrize(("size", "severity"), [((400, 300), Severity.HIGH), ((800, 600), Severity.MEDIUM)])
def test_a_small_image_is_low_resolution(size, severity):
    low = defects_of(drawn.product_photo(size))[DefectType.LOW_RESOLUTION]

    assert low.severity == severity and low.confidence == 1.0
    assert f"{size[0]} x {size[1]}" in low.description


def test_a_product_touching_the_edge_is_cropped_with_its_box():
    cropped = defects_of(drawn.product_photo(fill=0.6, shift=(0.3, 0.0)))[DefectType.CROPPED]

    assert cropped.severity == Severity.MEDIUM and "right" in cropped.description
    assert cropped.bounding_box["x"] + cropped.bounding_box["width"] == pytest.approx(1200, abs=3)


def test_a_product_cut_at_two_edges_is_badly_cropped():
    cropped = defects_of(drawn.product_photo(fill=0.6, shift=(0.3, 0.3)))[DefectType.CROPPED]

    assert cropped.severity == Severity.HIGH and "right and bottom edges" in cropped.description


def test_a_cluttered_scene_is_a_busy_background_and_not_a_crop():
    found = defects_of(drawn.busy_scene())

    assert found[DefectType.BUSY_BACKGROUND].severity == Severity.HIGH
    assert DefectType.CROPPED not in found


def test_a_dark_photo_is_under_exposed():
    dark = ImageEnhance.Brightness(drawn.product_photo()).enhance(0.15)

    found = defects_of(dark)

    exposure = found[DefectType.EXPOSURE]
    assert exposure.description.startswith("Under-exposed")
    assert exposure.severity in (Severity.MEDIUM, Severity.HIGH)
    # Its edges are faint but crisp: darkness is not blur.
    assert DefectType.BLUR not in found


def test_a_blown_out_product_is_over_exposed():
    pale = drawn.product_photo(background=drawn.GREY, colour=(230, 225, 205))

    exposure = defects_of(ImageEnhance.Brightness(pale).enhance(1.5))[DefectType.EXPOSURE]

    assert exposure.description.startswith("Over-exposed") and exposure.severity == Severity.HIGH


def test_a_blank_frame_is_not_called_blurred():
    assert DefectType.BLUR not in defects_of(Image.new("RGB", (1200, 1200), (200, 200, 200)))
