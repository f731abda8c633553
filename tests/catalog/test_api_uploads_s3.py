"""The presigned flow on S3 (django-storages) against moto's S3 server: the same client steps."""

from urllib.parse import urlsplit

import pytest

from catalog.models import ProductImage
from config.files.signing import is_remote_storage
from config.jobs.models import Job
from tests.catalog.conftest import put_to
from tests.catalog.test_api_uploads import confirm, presigned

pytestmark = pytest.mark.django_db


def test_the_upload_url_is_a_presigned_put_to_the_bucket(alice, product, photo_jpeg, s3, moto_server):
    assert is_remote_storage()
    _, bucket = s3
    body = presigned(alice, product, data=photo_jpeg).json()
    url = urlsplit(body["upload_url"])
    assert f"{url.scheme}://{url.netloc}" == moto_server and url.path == f"/{bucket}/{body['s3_key']}"
    assert "Signature" in url.query


def test_the_presigned_flow_on_s3(alice, product, photo_jpeg, s3, queued, owner,
                                  django_capture_on_commit_callbacks):
    client, bucket = s3
    body = presigned(alice, product, filename="headphones_front.jpg", data=photo_jpeg).json()
    assert body["s3_key"].startswith(f"products/{owner.pk}/{product.pk}/")
    assert put_to(body["upload_url"], photo_jpeg, "image/jpeg") == 200
    assert client.head_object(Bucket=bucket, Key=body["s3_key"])["ContentLength"] == len(photo_jpeg)

    response = confirm(alice, body["image_id"], django_capture_on_commit_callbacks)
    assert response.status_code == 200 and response.json()["status"] == "queued"
    image = ProductImage.objects.get(pk=body["image_id"])
    assert (image.upload_status, image.width, image.height, image.s3_key) == ("uploaded", 640, 640, body["s3_key"])
    stored = client.get_object(Bucket=bucket, Key=image.s3_key)["Body"].read()
    assert stored[:3] == b"\xff\xd8\xff" and image.file_size_bytes == len(stored)
    assert Job.objects.filter(pk=response.json()["job_id"]).exists() and len(queued) == 1


def test_confirming_on_s3_before_the_put_is_422(alice, product, s3, queued, django_capture_on_commit_callbacks):
    body = presigned(alice, product).json()
    response = confirm(alice, body["image_id"], django_capture_on_commit_callbacks)
    assert response.status_code == 422 and not queued
    assert ProductImage.objects.get(pk=body["image_id"]).upload_status == "pending"


def test_confirming_a_non_image_on_s3_is_422_and_deletes_the_object(alice, product, s3, queued,
                                                                    django_capture_on_commit_callbacks):
    client, bucket = s3
    data = b"%PDF-1.4 this is a document"
    body = presigned(alice, product, filename="photo.jpg", data=data).json()
    assert put_to(body["upload_url"], data, "image/jpeg") == 200
    response = confirm(alice, body["image_id"], django_capture_on_commit_callbacks)
    assert response.status_code == 422 and not queued
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    assert ProductImage.objects.get(pk=body["image_id"]).upload_status == "failed"


def test_the_direct_upload_stores_on_s3(alice, product, photo_jpeg, s3, upload):
    client, bucket = s3
    image = ProductImage.objects.get(pk=upload(alice, product, photo_jpeg)["image_id"])
    assert client.head_object(Bucket=bucket, Key=image.s3_key)["ContentLength"] == image.file_size_bytes
