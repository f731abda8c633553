"""Disclosure marks on the image and the words for the listing's description."""

import numpy as np
import pytest

from staging.disclosure import MAX_BAND_SHARE, apply_disclosure, caption_text
from tests.staging.drawings import draw_room

URL = "https://stagecraft.example.com/originals/0f3c2a9e-photo-of-the-empty-living-room.jpg"


@pytest.fixture(scope="module")
def photo():
    return draw_room()


def changed_rows(before, after) -> np.ndarray:
    difference = np.asarray(before).astype(int) != np.asarray(after).astype(int)
    return np.flatnonzero(difference.any(axis=(1, 2)))


def test_a_caption_changes_only_a_band_at_the_bottom_and_keeps_the_size(photo):
    marked = apply_disclosure(photo, mark="caption", statement="Virtually staged", link_to_original=False).image

    rows = changed_rows(photo, marked)
    assert marked.size == photo.size and marked.mode == "RGB"
    assert rows.size and rows.max() == photo.height - 1
    assert rows.min() >= photo.height * (1 - MAX_BAND_SHARE)
    assert np.array_equal(rows, np.arange(rows.min(), photo.height))


def test_the_caption_band_is_darker_than_the_photo_under_it(photo):
    marked = apply_disclosure(photo, mark="caption", statement="Virtually staged", link_to_original=False).image

    band = changed_rows(photo, marked).min()
    assert np.asarray(marked)[band:].mean() < np.asarray(photo)[band:].mean() - 40


def test_linking_the_original_makes_the_band_taller(photo):
    short = apply_disclosure(photo, mark="caption", statement="Virtually staged", link_to_original=False).image
    linked = apply_disclosure(photo, mark="caption", statement="Virtually staged", original_url=URL,
                              link_to_original=True).image

    assert changed_rows(photo, linked).min() < changed_rows(photo, short).min()
    assert changed_rows(photo, linked).min() >= photo.height * (1 - MAX_BAND_SHARE)


def test_a_watermark_changes_pixels_across_the_centre_and_keeps_the_size(photo):
    marked = apply_disclosure(photo, mark="watermark", statement="Virtually staged", link_to_original=False).image

    height, width = photo.height, photo.width
    centre = np.s_[height // 3:2 * height // 3, width // 3:2 * width // 3]
    difference = np.asarray(photo)[centre].astype(int) != np.asarray(marked)[centre].astype(int)
    assert marked.size == photo.size
    assert difference.any(axis=2).mean() > 0.05
    assert changed_rows(photo, marked).max() == height - 1


def test_no_mark_leaves_every_pixel_as_it_was(photo):
    marked = apply_disclosure(photo, mark="none", statement="Virtually staged", original_url=URL,
                              link_to_original=True).image

    assert marked is not photo
    assert np.array_equal(np.asarray(marked), np.asarray(photo))


def test_a_small_image_still_gets_a_band_within_bounds(photo):
    small = photo.resize((300, 200))

    marked = apply_disclosure(small, mark="caption", statement="Virtually staged", original_url=URL,
                              link_to_original=True).image

    assert marked.size == (300, 200)
    assert changed_rows(small, marked).size


def test_an_unknown_mark_is_refused(photo):
    with pytest.raises(ValueError):
        apply_disclosure(photo, mark="sticker", statement="Virtually staged", link_to_original=False)


def test_the_caption_text_joins_the_required_words_the_statement_and_the_link():
    text = caption_text("Virtually staged", URL, "Furniture is not included")

    assert text == f"Furniture is not included. Virtually staged. Original photo: {URL}"


def test_the_caption_text_does_not_repeat_a_statement_the_description_carries():
    assert caption_text("Virtually staged", None, "Photo virtually staged.") == "Photo virtually staged."


def test_the_caption_text_is_the_statement_alone_without_description_or_link():
    assert caption_text("Virtually staged", None, "") == "Virtually staged."
