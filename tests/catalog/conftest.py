"""Catalog fixtures: signed-in clients, a product, drawn product photos, inline task runs, S3 on moto."""

import io
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from tests.catalog.drawn import product_photo
from tests.catalog.factories import ProductFactory
from tests.conftest import require


def encoded(image: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


@pytest.fixture
def photo_jpeg() -> bytes:
    """A drawn product (red box with a printed label) on a white backdrop, as a JPEG upload."""
    return encoded(product_photo((640, 640), fill=0.7), quality=92)


@pytest.fixture
def client_for(jwt_for):
    """An API client signed in as ``user`` with a JWT, as integrators call the API."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(user)}")
        return client

    return make


@pytest.fixture
def alice(client_for, owner) -> APIClient:
    return client_for(owner)


@pytest.fixture
def charlie(client_for, other_user) -> APIClient:
    return client_for(other_user)


@pytest.fixture
def product(owner):
    return ProductFactory(owner=owner, title="Wireless Bluetooth Headphones",
                          description="Premium over-ear headphones with ANC.", category="electronics")


@pytest.fixture
def batch(django_capture_on_commit_callbacks):
    """POST /api/v1/batch for these images; the response (tasks captured by ``queued``)."""

    def send(client, product, images, **body):
        payload = {"product_id": str(product.pk), "image_ids": [str(image.pk) for image in images], **body}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/api/v1/batch", payload, format="json")

    return send


def events_of(job_id) -> list[dict]:
    """The job's stream as WebSocket clients receive it."""
    from config.jobs.models import JobEvent

    return [event.as_message() for event in JobEvent.objects.filter(job_id=job_id).select_related("job")]


@pytest.fixture
def upload(queued, django_capture_on_commit_callbacks):
    """Upload an image through the direct endpoint; returns the response body (task captured, not run)."""

    def send(client, product, data: bytes, name: str = "photo.jpg"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/uploads/direct",
                                   {"product_id": str(product.pk), "file": SimpleUploadedFile(name, data)},
                                   format="multipart")
        assert response.status_code == 200, response.content
        return response.json()

    return send


def put_to(upload_url: str, data: bytes, content_type: str):
    """PUT the bytes where the presigned URL says, as a client would.

    The app's own signed URLs (local storage) go through Django's test client;
    anything else (S3) over real HTTP.
    """
    from django.conf import settings
    from django.test import Client

    if upload_url.startswith(settings.SITE_URL):
        return Client().put(urlsplit(upload_url).path, data=data, content_type=content_type).status_code
    import httpx

    return httpx.put(upload_url, content=data, headers={"Content-Type": content_type}, timeout=10).status_code


@pytest.fixture
def labeler_present():
    import importlib.util

    require(importlib.util.find_spec("efficientnet_lite_pytorch") is not None
            and importlib.util.find_spec("sentence_transformers") is not None,
            "the local models are not installed (requirements-ai.txt)")


@pytest.fixture(scope="session")
def moto_server():
    """moto's S3 stand-in on a free local port, for the whole session."""
    require(_installed("moto"), 'moto is not installed (pip install "moto[server]")')
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(moto_server, settings, monkeypatch):
    """Media on S3 (django-storages) against moto: a fresh bucket per test."""
    import uuid

    import boto3

    bucket = f"catalog-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1").create_bucket(Bucket=bucket)
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_ENDPOINT_URL = moto_server
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_DEFAULT_ACL = None
    settings.AWS_QUERYSTRING_AUTH = True
    settings.AWS_S3_FILE_OVERWRITE = False
    # Last: changing STORAGES resets default_storage, which then reads the settings above.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}
    return boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1"), bucket


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None
