"""Photos in: checked by header in the request, stored untouched, cleaned by the job's validate step."""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from config.errors import InvalidUpload
from config.files.storage import delete_files, storage_errors
from config.files.validation import CleanImage, ImageHeader, check_image, clean_image, read_limited
from staging.models import Staging

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# Stored as uploaded (after cleaning); WebP and HEIC become JPEG.
KEPT_FORMATS = ("JPEG", "PNG")


@dataclass(frozen=True)
class Photo:
    """An uploaded photo checked by its header only: the bytes untouched, not yet decoded.

    Stored under ``upload_key``, which no URL is ever made for; the job's
    validate step (``clean_original``) decodes, orients, strips and stores it
    as the staging's original.
    """

    content: bytes
    header: ImageHeader


def check_upload(upload) -> Photo:
    """Check an uploaded photo by its magic bytes, byte size and header pixels, decoding nothing.

    The full decode, orientation and EXIF strip are the job's (``clean_original``):
    a photo whose body is corrupt behind a sound header fails there, not here.
    """
    if upload is None:
        raise InvalidUpload("Image must be JPEG or PNG format.", details="No image file received")
    data = read_limited(upload, settings.STAGING_MAX_UPLOAD_BYTES)
    return checked_photo(data)


def checked_photo(data: bytes) -> Photo:
    return Photo(data, check_image(data, allowed=ACCEPTED_FORMATS, max_bytes=settings.STAGING_MAX_UPLOAD_BYTES))


def cleaned_photo(data: bytes) -> CleanImage:
    return clean_image(data, allowed=ACCEPTED_FORMATS, keep=KEPT_FORMATS, max_bytes=settings.STAGING_MAX_UPLOAD_BYTES)


def upload_key(staging: Staging) -> str:
    """Where a staging's upload waits, untouched, for its job: a key no URL is ever made for
    (no model field holds it), under its own prefix so a bucket rule can keep it private."""
    return f"staging/uploads/{staging.owner_id}/{staging.pk}"


def clean_original(staging: Staging) -> bytes:
    """Decode the staging's upload, apply its EXIF orientation, re-encode it without metadata and
    store it as the staging's original; return the original's bytes. The job's validate step.

    Safe to run twice: a staging whose original is stored reads it. Raises
    ``InvalidUpload`` or ``UploadTooLarge`` (a body that is corrupt, an animation),
    after deleting the upload; the job then fails with that code and is refunded.
    """
    if staging.original_image.name:
        with storage_errors(), default_storage.open(staging.original_image.name, "rb") as stored:
            return stored.read()
    key = upload_key(staging)
    with storage_errors(), default_storage.open(key, "rb") as upload:
        data = upload.read()
    try:
        photo = cleaned_photo(data)
    except InvalidUpload:
        delete_files([key])
        raise
    name = staging.file_key(f"original.{photo.extension}")
    with storage_errors():
        if default_storage.exists(name):  # a run that died before recording it
            default_storage.delete(name)
        staging.original_image.name = default_storage.save(name, ContentFile(photo.content))
    staging.original_width, staging.original_height = photo.width, photo.height
    staging.save(update_fields=["original_image", "original_width", "original_height"])
    delete_files([key])
    return photo.content
