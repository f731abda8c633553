"""Uploads: images checked by their bytes and stored, directly or through a presigned PUT, then queued."""

import hashlib
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from catalog import duplicates
from catalog.choices import CONTENT_TYPES, JobType, UploadStatus
from catalog.errors import ImageRejected, UploadAlreadyConfirmed, UploadMissing
from catalog.models import Product, ProductImage, display_name, safe_filename
from catalog.selectors import image_for, product_for
from catalog.services.analysis import ensure_usage, queue_analysis
from config.errors import InvalidUpload
from config.files import presign
from config.files.storage import files_removed_on_failure, storage_errors
from config.files.validation import ANIMATED_FORMATS, CleanImage, clean_image, read_limited
from config.jobs.models import Job

PRESIGNED_EXPIRES_IN = 3600


def start_upload(owner, *, product_id, filename: str, content_type: str,
                 file_size_bytes: int) -> tuple[ProductImage, dict]:
    """Reserve a pending image and a presigned PUT for its bytes.

    Returns the image and ``presign.presigned_upload``'s grant. Refuses
    (``ImageRejected``) types and sizes the direct upload would refuse; the
    bytes themselves are checked by ``confirm_upload``.
    """
    product = product_for(owner, product_id)
    if content_type not in CONTENT_TYPES:
        raise ImageRejected(f"content_type must be one of: {', '.join(CONTENT_TYPES)}.")
    if file_size_bytes > settings.UPLOAD_MAX_BYTES:
        raise ImageRejected(f"file_size_bytes must be at most {settings.UPLOAD_MAX_BYTES} bytes.")
    image = ProductImage(product=product, original_filename=display_name(filename), content_type=content_type,
                         file_size_bytes=file_size_bytes, s3_key=product.new_image_key(filename))
    with storage_errors():
        grant = presign.presigned_upload(image.s3_key, content_type=content_type, max_bytes=file_size_bytes,
                                         expires_in=PRESIGNED_EXPIRES_IN)
    image.save()
    return image, grant


def confirm_upload(owner, *, image_id) -> tuple[ProductImage, Job]:
    """Check the uploaded object by its bytes and queue the image's analysis.

    ``UploadMissing`` when nothing was PUT; ``ImageRejected`` (and the object
    deleted) when the bytes are not an accepted image; ``UploadAlreadyConfirmed``
    the second time; ``UsageLimitExceeded`` before anything changes.
    """
    image = image_for(owner, image_id)
    if image.upload_status == UploadStatus.UPLOADED:
        raise UploadAlreadyConfirmed()
    ensure_usage(owner, 1)
    with storage_errors():
        size = presign.stat_object(image.s3_key)
        if size is None:
            raise UploadMissing()
        try:
            if size > settings.UPLOAD_MAX_BYTES:
                raise ImageRejected(f"The file is {size} bytes; the limit is {settings.UPLOAD_MAX_BYTES}.")
            with default_storage.open(image.s3_key, "rb") as stored:
                cleaned = _clean(stored)
        except ImageRejected:
            default_storage.delete(image.s3_key)
            ProductImage.objects.filter(pk=image.pk).update(upload_status=UploadStatus.FAILED)
            raise
        # The stored copy becomes the cleaned one: upright, without GPS or other identifying EXIF.
        default_storage.delete(image.s3_key)
        stored_name = default_storage.save(image.s3_key, ContentFile(cleaned.content))
    # On failure (a usage race) the cleaned object stays: confirming again needs no new PUT.
    with transaction.atomic():
        _mark_uploaded(image, cleaned, stored_name)
        job = queue_analysis(owner, product=image.product, images=[image], job_type=JobType.SINGLE)
    return image, job


def upload_direct(owner, *, product_id, upload) -> tuple[ProductImage, Job]:
    """Store an image sent through the API, checked by content, and queue its analysis."""
    product = product_for(owner, product_id)
    if upload is None:
        raise ImageRejected("file is required.")
    ensure_usage(owner, 1)
    try:
        data = read_limited(upload, settings.UPLOAD_MAX_BYTES)
    except InvalidUpload as exc:
        raise ImageRejected(exc.message) from None
    cleaned = _clean(data)
    name = getattr(upload, "name", "") or "image"
    key = product.new_image_key(f"{PurePosixPath(safe_filename(name)).stem}.{cleaned.extension}")
    with storage_errors():
        stored_name = default_storage.save(key, ContentFile(cleaned.content))
    with files_removed_on_failure([stored_name]), transaction.atomic():
        image = ProductImage(product=product, original_filename=display_name(name), s3_key=stored_name,
                             content_type=cleaned.mime_type)
        _mark_uploaded(image, cleaned, stored_name)
        job = queue_analysis(owner, product=product, images=[image], job_type=JobType.SINGLE)
    return image, job


def _clean(source) -> CleanImage:
    try:
        # read_limited asks for the object's size, not the limit: read(n) allocates n bytes up front.
        data = source if isinstance(source, bytes) else read_limited(source, settings.UPLOAD_MAX_BYTES)
        # Seed 001 allows GIF and WebP, and product GIFs are often spins: kept whole, first frame analysed.
        return clean_image(data, allowed=tuple(CONTENT_TYPES.values()), max_bytes=settings.UPLOAD_MAX_BYTES,
                           animated=ANIMATED_FORMATS)
    except InvalidUpload as exc:
        raise ImageRejected(exc.message) from None


def _mark_uploaded(image: ProductImage, cleaned: CleanImage, stored_name: str) -> None:
    # Locking the product serialises concurrent uploads: "is there a primary image yet",
    # and two confirms of one image (the second sees the first's and stops).
    product = Product.objects.select_for_update().get(pk=image.product_id)
    if ProductImage.objects.filter(pk=image.pk, upload_status=UploadStatus.UPLOADED).exists():
        raise UploadAlreadyConfirmed()
    image.s3_key = stored_name
    image.content_type = cleaned.mime_type
    image.file_size_bytes = len(cleaned.content)
    image.width, image.height = cleaned.width, cleaned.height
    image.sha256 = hashlib.sha256(cleaned.content).hexdigest()
    image.phash = duplicates.hash_of_file(cleaned.content)  # flagged before the analysis runs
    image.upload_status = UploadStatus.UPLOADED
    image.is_primary = not product.images.filter(is_primary=True).exclude(pk=image.pk).exists()
    image.save()
