"""Marketplace main-image fixes: queueing one, and storing the fixed photo as a new image of the product."""

import hashlib
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from catalog.choices import ItemStatus, JobType, UploadStatus
from catalog.errors import ImageNotUploaded
from catalog.main_image_fix import FixedImage
from catalog.models import BatchItem, ProductImage
from catalog.selectors import product_for
from catalog.services.analysis import ON_FINISH, job_kind
from config.errors import NotFound
from config.jobs import services as jobs
from config.jobs.models import Job

TASK = "catalog.tasks.run_fix"


def queue_fix(owner, *, product_id, image_id, marketplace: str) -> Job:
    """Queue a job making a ``marketplace`` main image from one uploaded image of ``owner``'s product.

    ``NotFound`` for another user's product, or an image that is not of this
    product; ``ImageNotUploaded`` before its bytes arrived. The job is not
    metered: the fixed image's analysis is part of the fix.
    """
    product = product_for(owner, product_id)
    image = product.images.filter(pk=image_id).first()
    if image is None:
        raise NotFound("Image not found.")
    if image.upload_status != UploadStatus.UPLOADED:
        raise ImageNotUploaded()
    return jobs.create_job(owner, kind=job_kind(JobType.FIX), task=TASK, metered=False, on_finish=ON_FINISH,
                           timeout_seconds=settings.Q_CLUSTER["timeout"],
                           params={"product_id": str(product.pk), "image_id": str(image.pk),
                                   "marketplace": marketplace, "charged": False})


def store_fixed_image(job: Job, source: ProductImage, *, fixed: FixedImage, marketplace: str) -> BatchItem:
    """Store ``fixed`` as a new image of ``source``'s product, linked to its source, as the job's one item.

    The source is never overwritten. One transaction: a stored image always has its item, so a retried
    job finds it instead of storing a second one.
    """
    stem = PurePosixPath(source.original_filename).stem or "image"
    filename = f"{stem}_{marketplace}.jpg"
    with transaction.atomic():
        image = ProductImage(product=source.product, original_filename=filename, content_type="image/jpeg",
                             file_size_bytes=len(fixed.jpeg), width=fixed.width, height=fixed.height,
                             upload_status=UploadStatus.UPLOADED, sha256=hashlib.sha256(fixed.jpeg).hexdigest(),
                             fixed_from=source, fixed_for=marketplace)
        image.s3_key = default_storage.save(source.product.new_image_key(filename), ContentFile(fixed.jpeg))
        image.save()
        return BatchItem.objects.create(job=job, image=image, position=0, status=ItemStatus.PENDING)
