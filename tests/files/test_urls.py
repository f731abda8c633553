"""Signed, expiring media URLs and the presigned upload flow on local storage."""

import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from config.files import presign, signing
from tests.files import images

pytestmark = pytest.mark.django_db


def test_a_signed_url_serves_the_file_until_it_expires(client, monkeypatch):
    name = default_storage.save("private/photo.jpg", ContentFile(images.jpeg()))
    url = signing.media_url(name, expires_in=60)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 61)
    assert client.get(url).status_code == 403


def test_a_tampered_token_is_refused(client):
    name = default_storage.save("private/photo.jpg", ContentFile(images.jpeg()))
    url = signing.media_url(name)
    assert client.get(url[:-3] + "abc").status_code == 403


def test_local_presigned_put_stores_exactly_at_the_granted_key(client):
    grant = presign.presigned_upload("products/u/p/abc_photo.jpg", content_type="image/jpeg", max_bytes=10_000)
    assert grant["method"] == "PUT" and grant["headers"] == {"Content-Type": "image/jpeg"}
    path = grant["upload_url"].split("://", 1)[1].split("/", 1)[1]
    response = client.generic("PUT", "/" + path, images.jpeg(), content_type="image/jpeg")
    assert response.status_code == 200
    assert presign.stat_object("products/u/p/abc_photo.jpg") == len(images.jpeg())


def test_local_presigned_put_refuses_other_types_oversize_and_expired(client, monkeypatch):
    grant = presign.presigned_upload("k/photo.jpg", content_type="image/jpeg", max_bytes=100, expires_in=60)
    path = "/" + grant["upload_url"].split("://", 1)[1].split("/", 1)[1]
    assert client.generic("PUT", path, b"x", content_type="text/html").status_code == 400
    assert client.generic("PUT", path, b"x" * 101, content_type="image/jpeg").status_code == 413
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 61)
    assert client.generic("PUT", path, b"x", content_type="image/jpeg").status_code == 403
    assert presign.stat_object("k/photo.jpg") is None
