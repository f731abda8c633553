"""Upload validation by content: type, bytes, pixels, truncation, EXIF."""

import io

import pytest
from PIL import Image

from config.errors import InvalidUpload, UploadTooLarge
from config.files.validation import check_image, clean_image, read_limited
from tests.files import images


def test_a_jpeg_passes_and_keeps_its_size():
    cleaned = clean_image(images.jpeg((64, 48)))
    assert (cleaned.format, cleaned.width, cleaned.height, cleaned.mime_type) == ("JPEG", 64, 48, "image/jpeg")


def test_a_png_stays_png():
    assert clean_image(images.png()).format == "PNG"


def test_wrong_type_by_content_is_refused_whatever_its_name():
    with pytest.raises(InvalidUpload) as refused:
        clean_image(images.gif())
    assert refused.value.code == "INVALID_IMAGE_FORMAT" and "image/gif" in refused.value.details


@pytest.mark.parametrize("data", [b"", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"<html></html>",
                                  b"PK\x03\x04zipfile"])
def test_non_images_and_empty_files_are_refused(data):
    with pytest.raises(InvalidUpload):
        clean_image(data)


def test_a_truncated_jpeg_is_refused():
    data = images.jpeg((256, 256))
    with pytest.raises(InvalidUpload) as refused:
        clean_image(data[: len(data) // 2])
    assert refused.value.code == "INVALID_IMAGE_FORMAT"


def test_oversized_bytes_are_refused():
    with pytest.raises(UploadTooLarge) as refused:
        clean_image(images.jpeg((64, 64)), max_bytes=100)
    assert refused.value.code == "IMAGE_TOO_LARGE"


def test_read_limited_stops_at_the_byte_limit():
    with pytest.raises(UploadTooLarge):
        read_limited(io.BytesIO(b"x" * 101), 100)
    assert read_limited(io.BytesIO(b"x" * 100), 100) == b"x" * 100


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (100_000, 100_000)])
def test_a_pixel_bomb_is_refused_before_decoding(width, height):
    with pytest.raises(UploadTooLarge) as refused:
        clean_image(images.png_header_claiming(width, height), max_pixels=50_000_000)
    assert refused.value.code == "IMAGE_TOO_LARGE"


def test_exif_orientation_is_applied_and_gps_and_serials_removed():
    data = images.jpeg((80, 40), exif=images.exif_with_gps_and_orientation(6))
    assert Image.open(io.BytesIO(data)).getexif().get(0x8825)  # the upload carries GPS
    cleaned = clean_image(data)
    assert (cleaned.width, cleaned.height) == (40, 80)  # rotated upright
    stored = Image.open(io.BytesIO(cleaned.content))
    exif = stored.getexif()
    assert 0x8825 not in exif and 0xA431 not in exif and 0x010F not in exif
    assert b"SERIAL-123" not in cleaned.content


def test_webp_can_be_accepted_and_converted():
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "blue").save(out, "WEBP")
    cleaned = clean_image(out.getvalue(), allowed=("JPEG", "PNG", "WEBP"), convert_to="JPEG")
    assert cleaned.format == "JPEG" and cleaned.source_format == "WEBP"


def test_check_image_reads_the_header_upright_without_decoding():
    data = images.jpeg((90, 60), exif=images.exif_with_gps_and_orientation(6))
    header = check_image(data)
    assert (header.format, header.width, header.height, header.size) == ("JPEG", 60, 90, len(data))
    assert check_image(images.png((90, 60))).width == 90


def test_check_image_passes_a_corrupt_body_that_clean_image_refuses():
    whole = images.jpeg((256, 256))
    data = whole[: len(whole) // 2]
    assert check_image(data).width == 256
    with pytest.raises(InvalidUpload):
        clean_image(data)


@pytest.mark.parametrize(("data", "limits", "code"), [
    (images.gif(), {}, "INVALID_IMAGE_FORMAT"),
    (b"", {}, "INVALID_IMAGE_FORMAT"),
    (images.jpeg((64, 64))[:12], {}, "INVALID_IMAGE_FORMAT"),
    (images.jpeg((64, 64)), {"max_bytes": 100}, "IMAGE_TOO_LARGE"),
    (images.png_header_claiming(20_000, 20_000), {"max_pixels": 50_000_000}, "IMAGE_TOO_LARGE"),
])
def test_check_image_refuses_by_type_bytes_and_header_pixels(data, limits, code):
    with pytest.raises(InvalidUpload) as refused:
        check_image(data, **limits)
    assert refused.value.code == code
