"""Sessions expire after 30 days with every file they stored: photos, annotation drawings, the aerial image."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from floorplans import files, services
from floorplans.models import FloorplanSession, RoomPhoto
from tests.files.images import png
from tests.floorplans.factories import FloorplanSessionFactory, RoomFactory, four_photos

pytestmark = pytest.mark.django_db


def test_expiry_removes_the_session_with_its_photos_drawings_and_aerial_image(owner):
    expired = FloorplanSessionFactory(owner=owner)
    photos = four_photos(RoomFactory(session=expired))
    drawing = files.store_annotation(expired, png())
    services.store_satellite_result(expired, bounds={"width": 40, "height": 30, "shape": "rectangle"}, image=png())
    aerial = FloorplanSession.objects.get(pk=expired.pk).house_bounds["satelliteImage"]
    kept = four_photos(RoomFactory(session=FloorplanSessionFactory(owner=owner)))
    FloorplanSession.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    stored = [photo.image.name for photo in photos] + [drawing, aerial]
    assert sorted(files.session_files(expired)) == sorted(stored)

    assert services.purge_expired_sessions() == 1
    assert not any(default_storage.exists(name) for name in stored)
    assert not FloorplanSession.objects.filter(pk=expired.pk).exists()
    assert all(default_storage.exists(photo.image.name) for photo in kept)
    assert RoomPhoto.objects.count() == 4


def test_a_session_that_never_stored_a_file_expires_too(owner):
    FloorplanSessionFactory(owner=owner, expires_at=timezone.now() - timedelta(days=1))
    assert services.purge_expired_sessions() == 1 and not FloorplanSession.objects.exists()
