"""Marketplace main-image fixes: queueing one, and storing the fixed photo as a new image of the product."""

import hashlib
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet

from catalog.choices import ANALYSIS_KINDS, AnalysisStatus, ItemStatus, JobType, UploadStatus
from catalog.errors import ImageNotUploaded, InvalidProductIds, NothingSelected, NothingToFix
from catalog.main_image_fix import MARKETPLACES, FixedImage
from catalog.models import AnalysisResult, BatchItem, Product, ProductImage
from catalog.selectors import product_for
from catalog.services.analysis import MAX_BATCH_IMAGES, ON_FINISH, job_kind
from config.errors import NotFound, ValidationFailed
from config.jobs import services as jobs
from config.jobs.models import Job

TASK = "catalog.tasks.run_fix"
FIX_ALL_TASK = "catalog.tasks.run_fix_all"


def queue_fix(owner, *, product_id, image_id, marketplace: str, shadow: bool = False) -> Job:
    """Queue a job making a ``marketplace`` main image from one uploaded image of ``owner``'s product.

    ``NotFound`` for another user's product, or an image that is not of this
    product; ``ImageNotUploaded`` before its bytes arrived. The job is not
    metered: the fixed image's analysis is part of the fix. ``shadow`` keeps a soft contact shadow
    under the product (``main_image_fix.contact_shadow``).
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
                                   "marketplace": marketplace, "shadow": shadow, "charged": False})


def queue_fix_all(owner, *, marketplace: str, product_ids: list | None = None, batch_id=None,
                  shadow: bool = False) -> Job:
    """Queue one job fixing the failing main images of ``owner``'s products for ``marketplace``.

    Every product by default; only ``product_ids`` (``NothingSelected`` when empty,
    ``InvalidProductIds`` naming the ids that are not the owner's), or only the
    products whose photos the analysis job ``batch_id`` analysed (``NotFound``
    for another user's or a missing one). Not both: ``ValidationFailed``.
    ``shadow`` as for ``queue_fix``.

    A main image is a product's primary photo; it fails when its latest completed analysis fails a
    required rule of the marketplace. Photos already fixed for it are left out; at most
    ``MAX_BATCH_IMAGES`` per job, oldest products first. ``NothingToFix`` when none is left.
    """
    products = chosen_products(owner, product_ids=product_ids, batch_id=batch_id)
    image_ids = failing_main_images(owner, marketplace=marketplace, products=products)[:MAX_BATCH_IMAGES]
    if not image_ids:
        raise NothingToFix()
    chosen = {"product_ids": list(dict.fromkeys(str(pk) for pk in product_ids))} if product_ids is not None \
        else {"batch_id": str(batch_id)} if batch_id is not None else {}
    return jobs.create_job(owner, kind=job_kind(JobType.FIX_ALL), task=FIX_ALL_TASK, metered=False,
                           on_finish=ON_FINISH, timeout_seconds=settings.Q_CLUSTER["timeout"],
                           params={"image_ids": image_ids, "marketplace": marketplace, "shadow": shadow,
                                   "charged": False, **chosen})


def chosen_products(owner, *, product_ids: list | None, batch_id) -> QuerySet[Product] | None:
    """The products a fix-all is limited to (see ``queue_fix_all``); None for all of the owner's."""
    if product_ids is not None and batch_id is not None:
        raise ValidationFailed("Give product_ids or batch_id, not both.")
    if batch_id is not None:
        batch = Job.objects.for_user(owner).filter(pk=batch_id, kind__in=ANALYSIS_KINDS).first()
        if batch is None:
            raise NotFound("Batch not found.")
        return Product.objects.filter(images__batch_items__job=batch).distinct()
    if product_ids is None:
        return None
    wanted = list(dict.fromkeys(str(product_id) for product_id in product_ids))
    if not wanted:
        raise NothingSelected()
    if len(wanted) > MAX_BATCH_IMAGES:
        raise InvalidProductIds(f"A fix takes 1 to {MAX_BATCH_IMAGES} product IDs.")
    found = {str(pk) for pk in Product.objects.for_user(owner).filter(pk__in=wanted).values_list("pk", flat=True)}
    invalid = [product_id for product_id in wanted if product_id not in found]
    if invalid:
        # One answer for a missing product and another user's: the ids say nothing about other catalogs.
        raise InvalidProductIds(f"Some product IDs are invalid: {', '.join(invalid)}.", details={"invalid": invalid})
    return Product.objects.filter(pk__in=wanted)


def failing_main_images(owner, *, marketplace: str, products: QuerySet[Product] | None = None) -> list[str]:
    """Ids of ``owner``'s primary photos (of ``products`` when given) whose latest completed analysis fails
    ``marketplace``'s rules."""
    primaries = ProductImage.objects.for_user(owner).filter(
        is_primary=True, upload_status=UploadStatus.UPLOADED, fixed_from=None).exclude(
        fixes__fixed_for=marketplace).order_by("product__created_at")
    if products is not None:
        primaries = primaries.filter(product__in=products)
    failing = []
    for image in primaries:
        latest = AnalysisResult.objects.filter(image=image, status=AnalysisStatus.COMPLETED) \
            .order_by("-created_at").first()
        if latest is not None and latest.compliance_checks.filter(
                marketplace=MARKETPLACES[marketplace], passed=False, advisory=False).exists():
            failing.append(str(image.pk))
    return failing


def store_fixed_image(job: Job, source: ProductImage, *, fixed: FixedImage, marketplace: str,
                      position: int = 0) -> BatchItem:
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
        return BatchItem.objects.create(job=job, image=image, position=position, status=ItemStatus.PENDING)
