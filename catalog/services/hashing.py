"""Perceptual hashes for photos stored before hashing existed (new photos are hashed on upload)."""

from django.core.files.storage import default_storage
from PIL import UnidentifiedImageError

from catalog import duplicates
from catalog.choices import UploadStatus
from catalog.models import ProductImage


def hash_unhashed_photos(*, limit: int | None = None) -> tuple[int, int]:
    """Hash uploaded photos that have no ``phash`` yet; returns (hashed, unreadable).

    Safe to run again and beside uploads: each row is written only while its hash is still blank.
    A file that is missing or no longer decodes is counted and left blank (its next analysis says why).
    """
    hashed = unreadable = 0
    pending = ProductImage.objects.filter(upload_status=UploadStatus.UPLOADED, phash="").values_list("pk", "s3_key")
    for image_id, key in pending[:limit] if limit else pending.iterator():
        try:
            with default_storage.open(key, "rb") as stored:
                phash = duplicates.hash_of_file(stored.read())
        except (OSError, UnidentifiedImageError, ValueError, SyntaxError):
            unreadable += 1
            continue
        hashed += ProductImage.objects.filter(pk=image_id, phash="").update(phash=phash)
    return hashed, unreadable
