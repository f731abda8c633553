"""/api/v1/uploads: presigned URL + PUT + confirm on local storage, and the direct upload."""

import time
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import BatchItem, ProductImage
from config.files import presign
from config.jobs.models import Job
from tests.catalog.conftest import encoded, put_to
from tests.files import images

pytestmark = pytest.mark.django_db


def presigned(client, product, *, filename="photo.jpg", content_type="image/jpeg", size=None, data=b""):
    return client.post("/api/v1/uploads/presigned-url", {
        "product_id": str(product.pk), "filename": filename, "content_type": content_type,
        "file_size_bytes": size if size is not None else len(data) or 1000,
    }, format="json")


def confirm(client, image_id, capture):
    with capture(execute=True):
        return client.post("/api/v1/uploads/confirm", {"image_id": str(image_id)}, format="json")


def direct(client, product, data: bytes | None, name="photo.jpg", capture=None):
    body = {"product_id": str(product.pk)}
    if data is not None:
        body["file"] = SimpleUploadedFile(name, data)
    if capture is None:
        return client.post("/api/v1/uploads/direct", body, format="multipart")
    with capture(execute=True):
        return client.post("/api/v1/uploads/direct", body, format="multipart")


def test_the_presigned_flow_on_local_storage(alice, product, photo_jpeg, queued, owner,
                                             django_capture_on_commit_callbacks):
    grant = presigned(alice, product, filename="headphones_front.jpg", data=photo_jpeg)
    assert grant.status_code == 200
    body = grant.json()
    assert body["expires_in"] == 3600 and body["method"] == "PUT"
    assert body["s3_key"].startswith(f"products/{owner.pk}/{product.pk}/")
    assert body["s3_key"].endswith("_headphones_front.jpg")
    image = ProductImage.objects.get(pk=body["image_id"])
    assert (image.upload_status, image.s3_key, image.is_primary) == ("pending", body["s3_key"], False)

    assert put_to(body["upload_url"], photo_jpeg, "image/jpeg") == 200
    response = confirm(alice, body["image_id"], django_capture_on_commit_callbacks)
    assert response.status_code == 200
    answer = response.json()
    assert answer == {"image_id": body["image_id"], "job_id": answer["job_id"], "status": "queued",
                      "message": "Image processing started"}
    image.refresh_from_db()
    assert (image.upload_status, image.is_primary, image.width, image.height) == ("uploaded", True, 640, 640)
    assert len(image.sha256) == 64 and image.content_type == "image/jpeg"
    job = Job.objects.get(pk=answer["job_id"])
    assert job.kind == "catalog.single" and job.status == "queued"
    assert [item.image_id for item in BatchItem.objects.filter(job=job)] == [image.pk]
    assert queued[0][0] == "catalog.tasks.run_analysis" and queued[0][1] == (str(job.pk),)
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1


def test_the_upload_url_refuses_a_put_after_it_expires(alice, product, photo_jpeg, monkeypatch):
    body = presigned(alice, product, data=photo_jpeg).json()
    later = time.time() + 3601
    monkeypatch.setattr(presign, "time", SimpleNamespace(time=lambda: later))
    assert put_to(body["upload_url"], photo_jpeg, "image/jpeg") == 403
    assert not default_storage.exists(body["s3_key"])


def test_the_upload_url_accepts_only_the_declared_size(alice, product, photo_jpeg):
    body = presigned(alice, product, size=100).json()
    assert put_to(body["upload_url"], photo_jpeg, "image/jpeg") == 413


def test_a_path_in_the_filename_cannot_choose_the_key(alice, product, owner, photo_jpeg):
    body = presigned(alice, product, filename="../../../etc/cron.d/evil.jpg", data=photo_jpeg).json()
    key = body["s3_key"]
    assert key.startswith(f"products/{owner.pk}/{product.pk}/") and key.endswith("_evil.jpg")
    assert ".." not in key and key.count("/") == 3
    assert ProductImage.objects.get(pk=body["image_id"]).original_filename == "evil.jpg"


@pytest.mark.parametrize("filename", ["..", "...", "/", "..\\..\\"])
def test_a_filename_without_a_name_still_gets_a_safe_key(alice, product, filename):
    key = presigned(alice, product, filename=filename).json()["s3_key"]
    assert key.rsplit("/", 1)[1].endswith("_image") and ".." not in key


@pytest.mark.parametrize("content_type", ["image/svg+xml", "application/pdf", "image/heic", "text/html"])
def test_a_type_the_direct_upload_refuses_is_422(alice, product, content_type):
    response = presigned(alice, product, content_type=content_type)
    assert response.status_code == 422
    assert "content_type" in response.json()["detail"] and not ProductImage.objects.exists()


def test_a_size_over_50_mb_is_422(alice, product):
    response = presigned(alice, product, size=50 * 1024 * 1024 + 1)
    assert response.status_code == 422 and not ProductImage.objects.exists()


@pytest.mark.parametrize("body", [{"filename": "a.jpg"}, {"product_id": "not-a-uuid", "filename": "a.jpg",
                                                         "content_type": "image/jpeg", "file_size_bytes": 10}])
def test_a_presign_request_with_missing_or_bad_fields_is_422(alice, body):
    assert alice.post("/api/v1/uploads/presigned-url", body, format="json").status_code == 422


def test_presigning_for_another_users_product_is_404(charlie, product):
    assert presigned(charlie, product).status_code == 404


def test_confirming_before_the_put_is_422_and_keeps_the_image_pending(alice, product, queued,
                                                                     django_capture_on_commit_callbacks):
    body = presigned(alice, product).json()
    response = confirm(alice, body["image_id"], django_capture_on_commit_callbacks)
    assert response.status_code == 422 and "PUT the file" in response.json()["detail"]
    assert ProductImage.objects.get(pk=body["image_id"]).upload_status == "pending"
    assert not queued and not Job.objects.exists()


@pytest.mark.parametrize("data", [b"%PDF-1.4 not an image at all", b"",
                                  b"<svg xmlns='http://www.w3.org/2000/svg'/>"])
def test_confirming_a_non_image_is_422_and_deletes_the_object(alice, product, queued, data, owner,
                                                             django_capture_on_commit_callbacks):
    body = presigned(alice, product, size=100).json()
    default_storage.save(body["s3_key"], ContentFile(data))  # what the PUT stored
    response = confirm(alice, body["image_id"], django_capture_on_commit_callbacks)
    assert response.status_code == 422 and set(response.json()) == {"detail"}
    assert not default_storage.exists(body["s3_key"])
    assert ProductImage.objects.get(pk=body["image_id"]).upload_status == "failed"
    assert not queued
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0


def test_confirming_a_truncated_jpeg_is_422(alice, product, photo_jpeg, queued, django_capture_on_commit_callbacks):
    body = presigned(alice, product, data=photo_jpeg).json()
    put_to(body["upload_url"], photo_jpeg[: len(photo_jpeg) // 2], "image/jpeg")
    assert confirm(alice, body["image_id"], django_capture_on_commit_callbacks).status_code == 422
    assert not default_storage.exists(body["s3_key"])


def test_the_content_decides_the_type_not_the_declaration(alice, product, queued,
                                                         django_capture_on_commit_callbacks):
    png = images.png((80, 60))
    body = presigned(alice, product, filename="photo.jpg", content_type="image/jpeg", data=png).json()
    put_to(body["upload_url"], png, "image/jpeg")
    assert confirm(alice, body["image_id"], django_capture_on_commit_callbacks).status_code == 200
    assert ProductImage.objects.get(pk=body["image_id"]).content_type == "image/png"


def test_confirm_strips_gps_and_applies_the_orientation(alice, product, queued, django_capture_on_commit_callbacks):
    upload = images.jpeg((90, 60), exif=images.exif_with_gps_and_orientation(6))
    body = presigned(alice, product, data=upload).json()
    put_to(body["upload_url"], upload, "image/jpeg")
    confirm(alice, body["image_id"], django_capture_on_commit_callbacks)
    stored = Image.open(default_storage.open(body["s3_key"]))
    assert stored.size == (60, 90) and 0x8825 not in stored.getexif()


def test_confirming_twice_is_409(alice, product, photo_jpeg, queued, django_capture_on_commit_callbacks):
    body = presigned(alice, product, data=photo_jpeg).json()
    put_to(body["upload_url"], photo_jpeg, "image/jpeg")
    assert confirm(alice, body["image_id"], django_capture_on_commit_callbacks).status_code == 200
    response = confirm(alice, body["image_id"], django_capture_on_commit_callbacks)
    assert response.status_code == 409 and Job.objects.count() == 1


def test_confirming_another_users_image_is_404(alice, charlie, product, photo_jpeg,
                                               django_capture_on_commit_callbacks):
    body = presigned(alice, product, data=photo_jpeg).json()
    put_to(body["upload_url"], photo_jpeg, "image/jpeg")
    assert confirm(charlie, body["image_id"], django_capture_on_commit_callbacks).status_code == 404


def test_confirm_with_the_plan_spent_is_403_and_changes_nothing(alice, product, photo_jpeg, owner, queued,
                                                               django_capture_on_commit_callbacks):
    body = presigned(alice, product, data=photo_jpeg).json()
    put_to(body["upload_url"], photo_jpeg, "image/jpeg")
    owner.monthly_usage_limit = 0
    owner.save()
    response = confirm(alice, body["image_id"], django_capture_on_commit_callbacks)
    assert response.status_code == 403 and "limit" in response.json()["detail"]
    assert ProductImage.objects.get(pk=body["image_id"]).upload_status == "pending" and not queued


def test_the_direct_upload_stores_checks_and_queues(alice, product, photo_jpeg, queued, owner,
                                                    django_capture_on_commit_callbacks):
    response = direct(alice, product, photo_jpeg, "front view.jpg", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "queued" and body["message"] == "Image uploaded and processing started"
    image = ProductImage.objects.get(pk=body["image_id"])
    assert image.upload_status == "uploaded" and image.is_primary and image.original_filename == "front view.jpg"
    assert image.s3_key.startswith(f"products/{owner.pk}/{product.pk}/") and image.s3_key.endswith("_front_view.jpg")
    assert default_storage.exists(image.s3_key) and len(queued) == 1


def test_only_the_first_image_is_primary(alice, product, photo_jpeg, queued):
    first = direct(alice, product, photo_jpeg).json()["image_id"]
    second = direct(alice, product, photo_jpeg).json()["image_id"]
    assert ProductImage.objects.get(pk=first).is_primary and not ProductImage.objects.get(pk=second).is_primary


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp"),
                                                   ("GIF", "image/gif")])
def test_png_webp_and_gif_are_accepted_by_content(alice, product, queued, fmt, content_type):
    data = encoded(Image.new("RGB", (40, 30), (20, 120, 200)), fmt)
    body = direct(alice, product, data, "photo.jpg").json()
    assert ProductImage.objects.get(pk=body["image_id"]).content_type == content_type


@pytest.mark.parametrize("data", [b"GIF89a but not really", b"\x00" * 100, encoded(Image.new("RGB", (8, 8)), "BMP")])
def test_a_direct_upload_that_is_not_an_accepted_image_is_422(alice, product, queued, data, settings):
    response = direct(alice, product, data)
    assert response.status_code == 422 and not ProductImage.objects.exists() and not queued
    assert not (settings.MEDIA_ROOT / "products").exists()


def test_a_direct_upload_without_a_file_is_422(alice, product, queued):
    assert direct(alice, product, None).status_code == 422


def test_a_direct_upload_over_the_size_limit_is_422(alice, product, photo_jpeg, queued, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = direct(alice, product, photo_jpeg)
    assert response.status_code == 422 and "1000" in response.json()["detail"]


def test_a_direct_upload_to_another_users_product_is_404(charlie, product, photo_jpeg, queued):
    assert direct(charlie, product, photo_jpeg).status_code == 404 and not queued


def test_a_direct_upload_with_the_plan_spent_is_403_before_storing(alice, product, photo_jpeg, owner, queued,
                                                                   settings):
    owner.monthly_usage_limit = 0
    owner.save()
    response = direct(alice, product, photo_jpeg)
    assert response.status_code == 403
    assert not ProductImage.objects.exists() and not (settings.MEDIA_ROOT / "products").exists()


def test_the_31st_upload_request_in_a_minute_is_429(alice, product, photo_jpeg, queued, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "catalog_upload": "2/m"}
    assert presigned(alice, product).status_code == 200
    assert direct(alice, product, photo_jpeg).status_code == 200
    limited = alice.post("/api/v1/uploads/confirm", {"image_id": "c3d4e5f6-a7b8-9012-cdef-123456789012"},
                         format="json")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert alice.get("/api/v1/products").status_code == 200  # reads have their own budget


def test_a_storage_failure_is_502(alice, product, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(presign, "presigned_upload", broken)
    response = presigned(alice, product)
    assert response.status_code == 502 and "disk" not in response.json()["detail"]
    assert not ProductImage.objects.exists()


def test_uploads_need_a_token(api, product):
    assert presigned(api, product).status_code == 401
    assert api.post("/api/v1/uploads/confirm", {}, format="json").status_code == 401
