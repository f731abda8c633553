"""Animated GIF and WebP (seed 001 allows both): kept whole, checked frame by frame, first frame analysed.

Other callers of ``clean_image`` keep refusing animations; staging still answers
a GIF with INVALID_IMAGE_FORMAT.
"""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import AnalysisResult, ProductImage
from config.errors import InvalidUpload
from config.files import validation
from config.files.validation import clean_image
from tests.catalog.conftest import encoded, put_to
from tests.catalog.drawn import product_photo
from tests.catalog.test_api_analysis import SEED_FIELDS

pytestmark = pytest.mark.django_db

BLUE, GREEN = (20, 60, 200), (30, 160, 60)


def animation(fmt: str, first: Image.Image | None = None, *, frames: int = 3, size=(40, 30), **options) -> bytes:
    """``frames`` frames of distinct colours (``first`` as the first), looping, 100 ms each."""
    colours = [(200, 30, 30), BLUE, GREEN, (240, 200, 0), (90, 0, 120)]
    images = [first or Image.new("RGB", size, colours[0])]
    images += [Image.new("RGB", images[0].size, colours[i % len(colours)]) for i in range(1, frames)]
    return encoded(images[0], fmt, save_all=True, append_images=images[1:], duration=100, loop=0, **options)


def direct(client, product, data: bytes, name: str):
    body = {"product_id": str(product.pk), "file": SimpleUploadedFile(name, data)}
    return client.post("/api/v1/uploads/direct", body, format="multipart")


def stored(image: ProductImage) -> Image.Image:
    with default_storage.open(image.s3_key, "rb") as file:
        return Image.open(io.BytesIO(file.read()))


def test_an_animated_gif_is_accepted_and_stored_with_every_frame_without_its_comment(alice, product, queued):
    response = direct(alice, product, animation("GIF", comment=b"shot at 52.37N 4.89E"), "spin.gif")

    assert response.status_code == 200, response.json()
    image = ProductImage.objects.get(pk=response.json()["image_id"])
    assert (image.content_type, image.width, image.height) == ("image/gif", 40, 30) and image.s3_key.endswith(".gif")
    kept = stored(image)
    assert (kept.format, kept.n_frames, kept.info.get("loop")) == ("GIF", 3, 0) and "comment" not in kept.info


def test_an_animated_webp_is_accepted_and_stored_with_every_frame_without_its_exif(alice, product, queued):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    response = direct(alice, product, animation("WEBP", frames=4, exif=exif.tobytes()), "spin.webp")

    assert response.status_code == 200, response.json()
    kept = stored(ProductImage.objects.get(pk=response.json()["image_id"]))
    assert (kept.format, kept.n_frames) == ("WEBP", 4) and "exif" not in kept.info


def test_an_animated_gif_confirmed_after_a_presigned_put_is_accepted(alice, product, queued,
                                                                     django_capture_on_commit_callbacks):
    data = animation("GIF")
    grant = alice.post("/api/v1/uploads/presigned-url", {"product_id": str(product.pk), "filename": "spin.gif",
                                                         "content_type": "image/gif", "file_size_bytes": len(data)},
                       format="json").json()
    assert put_to(grant["upload_url"], data, "image/gif") == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post("/api/v1/uploads/confirm", {"image_id": grant["image_id"]}, format="json")

    assert response.status_code == 200, response.json()
    assert stored(ProductImage.objects.get(pk=grant["image_id"])).n_frames == 3


def test_the_analysis_of_an_animation_is_of_its_first_frame_and_says_so(alice, product, upload, run_queued,
                                                                        labeler_present):
    # The product on white first, then frames of solid colour: measured from them, nothing would be white.
    data = animation("GIF", product_photo((320, 320), fill=0.7), frames=3)
    image_id = upload(alice, product, data, "spin.gif")["image_id"]
    run_queued()

    body = alice.get(f"/api/v1/analysis/{image_id}").json()
    assert body["status"] == "completed" and set(body) >= SEED_FIELDS
    assert (body["frames"], body["analysed_frame"]) == (3, 0)
    assert body["measurements"]["background_is_white"] is True
    assert ("color", "red") in {(a["attribute_name"], a["attribute_value"]) for a in body["extracted_attributes"]}
    preprocess = next(s for s in alice.get(f"/api/v1/jobs/{body['job_id']}").json()["steps"]
                      if s["step_name"] == "preprocess")
    assert (preprocess["result_data"]["frames"], preprocess["result_data"]["analysed_frame"]) == (3, 0)


def test_the_analysis_of_a_still_says_one_frame(alice, product, photo_jpeg, upload, run_queued, labeler_present):
    image_id = upload(alice, product, photo_jpeg)["image_id"]
    run_queued()

    body = alice.get(f"/api/v1/analysis/{image_id}").json()
    assert (body["frames"], body["analysed_frame"]) == (1, 0)


def test_an_analysis_that_has_not_loaded_its_image_has_no_frame_count(alice, product, photo_jpeg, queued):
    image = ProductImage.objects.get(pk=direct(alice, product, photo_jpeg, "photo.jpg").json()["image_id"])
    AnalysisResult.objects.create(image=image)

    body = alice.get(f"/api/v1/analysis/{image.pk}").json()
    assert (body["frames"], body["analysed_frame"]) == (None, None)


def test_an_animation_over_the_pixel_limit_for_all_its_frames_is_422_and_stores_nothing(alice, product, queued,
                                                                                        settings):
    settings.UPLOAD_MAX_PIXELS = 2500  # one 40 x 30 frame fits; three do not

    response = direct(alice, product, animation("GIF"), "spin.gif")

    assert response.status_code == 422 and "2500" in response.json()["detail"]
    assert not ProductImage.objects.exists() and not queued


def test_an_animation_with_too_many_frames_is_422(alice, product, queued, monkeypatch):
    monkeypatch.setattr(validation, "MAX_FRAMES", 2)

    response = direct(alice, product, animation("WEBP"), "spin.webp")

    assert response.status_code == 422 and "2 frames" in response.json()["detail"]


def test_a_truncated_animation_is_422(alice, product, queued):
    data = animation("GIF", Image.effect_noise((120, 90), 80).convert("RGB"), frames=4)

    response = direct(alice, product, data[: len(data) * 3 // 4], "spin.gif")

    assert response.status_code == 422 and not ProductImage.objects.exists()


def test_other_callers_still_refuse_animations():
    for fmt in ("GIF", "WEBP"):
        with pytest.raises(InvalidUpload, match="not an animation"):
            clean_image(animation(fmt), allowed=("GIF", "WEBP"))
    still = clean_image(encoded(Image.new("RGB", (8, 8)), "GIF"), allowed=("GIF",), animated=("GIF",))
    assert still.frames == 1


def test_staging_still_refuses_an_animated_gif_as_an_invalid_format():
    from staging.services import check_upload

    with pytest.raises(InvalidUpload) as refused:
        check_upload(SimpleUploadedFile("room.gif", animation("GIF")))
    assert refused.value.code == "INVALID_IMAGE_FORMAT"
