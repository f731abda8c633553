"""The pixel lock: built exactly, and measured again on the files as they are stored."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from staging import pixel_lock, renditions
from staging.disclosure import apply_disclosure
from tests.staging import calibration
from tests.staging.drawings import add_furniture, repaint_everything


@pytest.fixture(scope="module")
def room():
    return calibration.photo("drawn_room")


@pytest.fixture(scope="module")
def locked(room) -> Image.Image:
    return pixel_lock.lock(room.image, repaint_everything(add_furniture(room.image, room.mask)), room.mask).image


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def test_the_lock_restores_every_unmasked_pixel_exactly(room, locked):
    outside = np.asarray(room.mask) < 128
    assert np.array_equal(np.asarray(locked)[outside], np.asarray(room.image)[outside])


def test_the_feather_only_touches_masked_pixels(room):
    generated = repaint_everything(room.image)

    result = np.asarray(pixel_lock.lock(room.image, generated, room.mask, feather_px=8).image).astype(int)

    inside = (np.asarray(room.mask) >= 128).astype(np.uint8)
    depth = cv2.distanceTransform(inside, cv2.DIST_L2, 5)
    original, painted = np.asarray(room.image).astype(int), np.asarray(generated).astype(int)
    rim, deep = (depth > 0) & (depth <= 2), depth >= 8
    assert np.abs(result[rim] - original[rim]).mean() < np.abs(result[rim] - painted[rim]).mean()
    assert np.array_equal(result[deep], painted[deep])


def test_the_lock_refuses_a_result_of_another_size(room):
    with pytest.raises(ValueError):
        pixel_lock.lock(room.image, room.image.resize((768, 512)), room.mask)


def test_the_stored_full_size_png_keeps_every_unmasked_pixel(room, locked):
    check = pixel_lock.measure_delivered("download_image", renditions.encode_png(locked), original=room.image,
                                         mask=room.mask)

    assert check.share_within_delta_e_1 == 1.0
    assert check.compared_pixels == int((np.asarray(room.mask) < 128).sum())


def test_the_stored_web_copy_keeps_every_unmasked_pixel_at_its_size():
    big = calibration.photo("drawn_room_wide")
    image = big.image.resize((2400, 1600), Image.Resampling.LANCZOS)
    mask = big.mask.resize(image.size, Image.Resampling.NEAREST)
    staged = pixel_lock.lock(image, repaint_everything(image), mask).image

    check = pixel_lock.measure_delivered("web_image", renditions.web_copy(staged), original=image, mask=mask)

    assert (check.width, check.height) == (1600, 1067)
    assert check.share_within_delta_e_1 >= 0.999


def test_a_lossy_jpeg_of_the_result_fails_the_lock(room, locked):
    check = pixel_lock.measure_delivered("download_image", encoded(locked, "JPEG", quality=60), original=room.image,
                                         mask=room.mask)

    assert check.share_within_delta_e_1 < 0.9


def test_the_old_quality_92_jpeg_download_fails_the_lock_too():
    photo = calibration.photo("astronaut")
    staged = pixel_lock.lock(photo.image, add_furniture(photo.image, photo.mask), photo.mask).image

    check = pixel_lock.measure_delivered("download_image", renditions.encode_jpeg(staged), original=photo.image,
                                         mask=photo.mask)

    assert check.share_within_delta_e_1 < 0.99


def test_a_colour_profile_mistake_fails_the_lock(room, locked):
    # What a wrong gamma or a dropped ICC conversion does to every pixel.
    shifted = np.clip(255 * (np.asarray(locked) / 255.0) ** 0.9, 0, 255).astype(np.uint8)

    check = pixel_lock.measure_delivered("download_image", renditions.encode_png(Image.fromarray(shifted)),
                                         original=room.image, mask=room.mask)

    assert check.share_within_delta_e_1 < 0.5


def test_a_resize_mistake_in_the_web_copy_fails_the_lock():
    photo = calibration.photo("astronaut")
    image = photo.image.resize((2048, 2048), Image.Resampling.LANCZOS)
    mask = photo.mask.resize(image.size, Image.Resampling.NEAREST)
    wrong = image.resize((1600, 1600), Image.Resampling.NEAREST)

    check = pixel_lock.measure_delivered("web_image", encoded(wrong, "WEBP", lossless=True), original=image,
                                         mask=mask)

    assert check.share_within_delta_e_1 < 0.95


def test_a_rendition_of_an_unexpected_size_is_refused(room, locked):
    with pytest.raises(ValueError):
        pixel_lock.measure_delivered("web_image", renditions.encode_png(locked.resize((500, 300))),
                                     original=room.image, mask=room.mask)


def test_the_disclosure_band_is_left_out_of_the_download_measurement(room, locked):
    disclosed = apply_disclosure(locked, mark="watermark", statement="Virtually staged", link_to_original=False)
    content = renditions.encode_png(disclosed.image)

    counted = pixel_lock.measure_delivered("download_image", content, original=room.image, mask=room.mask)
    excluded = pixel_lock.measure_delivered("download_image", content, original=room.image, mask=room.mask,
                                            excluded=disclosed.marked)

    assert counted.share_within_delta_e_1 < 0.99
    assert excluded.share_within_delta_e_1 == 1.0


def test_identical_pixels_are_exact_and_differing_ones_are_measured():
    before = np.full((100, 100, 3), 120, np.uint8)
    after = before.copy()
    after[:10] = (200, 60, 60)
    region = np.ones((100, 100), bool)

    assert pixel_lock.share_within_delta_e_1(before, before, region) == 1.0
    assert pixel_lock.share_within_delta_e_1(before, after, region) == pytest.approx(0.9)


def test_a_large_difference_is_estimated_on_a_sample_close_to_the_truth(monkeypatch):
    rng = np.random.default_rng(3)
    before = rng.integers(0, 256, (600, 600, 3), dtype=np.uint8)
    after = before.copy()
    after[:300] = np.clip(after[:300].astype(int) + 25, 0, 255).astype(np.uint8)
    region = np.ones((600, 600), bool)
    exact = pixel_lock.share_within_delta_e_1(before, after, region)

    monkeypatch.setattr(pixel_lock, "DELTA_E_SAMPLE", 20_000)

    assert pixel_lock.share_within_delta_e_1(before, after, region) == pytest.approx(exact, abs=0.01)
