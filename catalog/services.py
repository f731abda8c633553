"""Every write the catalog performs; the API, the pages, the admin and the pipeline call these.

Metering: the catalog counts one unit of plan usage per image analysed, not
per job. A job's images are ``BatchItem`` rows, and each item holds its unit
(``usage_counted``) from the moment it is queued. All units of a request are
taken before anything is queued (``UsageLimitExceeded`` refuses the whole
request), an item that fails or is cancelled gives its unit back when its job
ends (``settle_job``), and an item run again takes one again. So the job itself
is created unmetered: the platform would count it once, whatever its size.
"""

import hashlib
import logging
from collections.abc import Iterable
from contextlib import suppress
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from catalog.choices import (
    CONTENT_TYPES,
    KIND_PREFIX,
    STEPS,
    AnalysisStatus,
    DescribeStatus,
    ItemStatus,
    JobType,
    ProductStatus,
    UploadStatus,
)
from catalog.errors import (
    AnalysisInProgress,
    ImageNotUploaded,
    ImageRejected,
    InvalidImageIds,
    UploadAlreadyConfirmed,
    UploadMissing,
)
from catalog.models import (
    AnalysisResult,
    BatchItem,
    ComplianceCheck,
    DetectedDefect,
    ExtractedAttribute,
    Product,
    ProductImage,
    display_name,
    safe_filename,
)
from catalog.selectors import image_for, product_for
from config.accounts import services as accounts
from config.errors import Conflict, InvalidUpload, NotFound, UsageLimitExceeded, ValidationFailed
from config.files import presign
from config.files.storage import delete_files, files_removed_on_failure, storage_errors
from config.files.validation import CleanImage, clean_image, read_limited
from config.jobs import services as jobs
from config.jobs.choices import FINISHED_STATUSES
from config.jobs.models import Job, JobStep

logger = logging.getLogger("stagecraft.catalog")

TASK = "catalog.tasks.run_analysis"
PRESIGNED_EXPIRES_IN = 3600
MAX_BATCH_IMAGES = 100
PRODUCT_FIELDS = ("title", "description", "category", "subcategory", "status", "metadata")


def job_kind(job_type: str) -> str:
    return f"{KIND_PREFIX}{job_type}"


# --- Products ---------------------------------------------------------------


def create_product(owner, *, title: str, description: str = "", category: str = "", subcategory: str = "",
                   status: str = ProductStatus.DRAFT, metadata: dict | None = None) -> Product:
    """Create a product (a draft unless told otherwise)."""
    return Product.objects.create(owner=owner, title=title.strip(), description=description, category=category,
                                  subcategory=subcategory, status=status, metadata=metadata or {})


def update_product(owner, *, product_id, changes: dict) -> Product:
    """Change the given fields of one of ``owner``'s products (``PRODUCT_FIELDS`` only)."""
    product = product_for(owner, product_id)
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(product, name, value.strip() if name == "title" else value)
    product.save(update_fields=[*changes, "updated_at"])
    return product


def delete_product(owner, *, product_id) -> None:
    """Delete a product with its images, analyses and findings, and its stored files.

    Files go once the delete has committed, so a rolled-back delete keeps them.
    Unfinished jobs left with no image are cancelled, giving their units back.
    """
    product = product_for(owner, product_id)
    names = [name for image in product.images.all() for name in image.stored_names()]
    job_ids = set(BatchItem.objects.filter(image__product=product).exclude(job__status__in=FINISHED_STATUSES)
                  .values_list("job_id", flat=True))
    with transaction.atomic():
        # Items go with their images: units of images not analysed yet go back first.
        _refund_items(BatchItem.objects.filter(image__product=product).exclude(status=ItemStatus.COMPLETED),
                      owner_id=product.owner_id)
        product.delete()
        transaction.on_commit(lambda: delete_files(names))
    for job_id in job_ids:
        if not BatchItem.objects.filter(job_id=job_id).exists():
            with suppress(Conflict):  # it finished meanwhile
                jobs.cancel_job(owner, job_id=job_id)


# --- Uploads ----------------------------------------------------------------


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
    _ensure_usage(owner, 1)
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
    _ensure_usage(owner, 1)
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
        return clean_image(data, allowed=tuple(CONTENT_TYPES.values()), max_bytes=settings.UPLOAD_MAX_BYTES)
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
    image.upload_status = UploadStatus.UPLOADED
    image.is_primary = not product.images.filter(is_primary=True).exclude(pk=image.pk).exists()
    image.save()


# --- Queueing, retry, batch and cancel ----------------------------------------


def queue_analysis(owner, *, product: Product, images: list[ProductImage], job_type: str = JobType.SINGLE,
                   charge: bool = True) -> Job:
    """Queue one job analysing ``images`` (uploaded images of ``product``), one unit of usage each.

    Everything is one transaction; the task is enqueued once it commits. The
    job's steps are created ``pending`` so the job reads complete from the start.
    ``charge=False`` (staff re-runs) takes no usage.
    """
    with transaction.atomic():
        if charge:
            accounts.consume_usage(owner, len(images))
        job = jobs.create_job(owner, kind=job_kind(job_type), task=TASK, metered=False,
                              timeout_seconds=settings.Q_CLUSTER["timeout"],
                              params={"product_id": str(product.pk), "charged": charge})
        BatchItem.objects.bulk_create([BatchItem(job=job, image=image, position=position, usage_counted=charge)
                                       for position, image in enumerate(images)])
        JobStep.objects.bulk_create([JobStep(job=job, name=step, item=str(image.pk))
                                     for image in images for step in STEPS])
        Product.objects.filter(pk=product.pk, status=ProductStatus.DRAFT).update(status=ProductStatus.PROCESSING)
    return job


def retry_analysis(owner, *, image_id) -> Job:
    """Analyse an uploaded image again in a new job (``AnalysisInProgress`` while one is queued or running)."""
    image = image_for(owner, image_id)
    if image.upload_status != UploadStatus.UPLOADED:
        raise ImageNotUploaded()
    if is_being_analysed(image):
        raise AnalysisInProgress()
    return queue_analysis(owner, product=image.product, images=[image], job_type=JobType.SINGLE)


def is_being_analysed(image: ProductImage) -> bool:
    return BatchItem.objects.filter(image=image, status__in=[ItemStatus.PENDING, ItemStatus.PROCESSING]) \
        .exclude(job__status__in=FINISHED_STATUSES).exists()


def create_batch(owner, *, product_id, image_ids: list) -> Job:
    """Queue one job for several uploaded images of one product, in the given order.

    ``NotFound`` for another user's product; ``InvalidImageIds`` when an id is
    not an uploaded image of the product; ``UsageLimitExceeded`` when the plan
    cannot cover every image.
    """
    product = product_for(owner, product_id)
    wanted = list(dict.fromkeys(str(image_id) for image_id in image_ids))
    if not wanted or len(wanted) > MAX_BATCH_IMAGES:
        raise InvalidImageIds(f"A batch takes 1 to {MAX_BATCH_IMAGES} image IDs.")
    found = {str(image.pk): image for image in product.images.filter(pk__in=wanted,
                                                                      upload_status=UploadStatus.UPLOADED)}
    invalid = [image_id for image_id in wanted if image_id not in found]
    if invalid:
        raise InvalidImageIds(f"Some image IDs are invalid: {', '.join(invalid)}.", details={"invalid": invalid})
    return queue_analysis(owner, product=product, images=[found[i] for i in wanted], job_type=JobType.BATCH)


def cancel_batch(owner, *, job_id) -> Job:
    """Cancel one of ``owner``'s catalog jobs: unstarted images never run; their units go back.

    The image being analysed stops at its next step. ``Conflict`` if the job has finished.
    """
    if not Job.objects.for_user(owner).filter(pk=job_id, kind__startswith=KIND_PREFIX).exists():
        raise NotFound("Job not found.")
    job = jobs.cancel_job(owner, job_id=job_id)
    settle_job(job.pk)
    return job


def rerun_images(images: Iterable[ProductImage]) -> list[Job]:
    """Staff re-run: one uncharged job per product for its uploaded, idle images."""
    by_product: dict = {}
    for image in images:
        if image.upload_status == UploadStatus.UPLOADED and not is_being_analysed(image):
            by_product.setdefault(image.product_id, []).append(image)
    queued = []
    for product_id, group in by_product.items():
        product = Product.objects.select_related("owner").get(pk=product_id)
        job_type = JobType.BATCH if len(group) > 1 else JobType.SINGLE
        queued.append(queue_analysis(product.owner, product=product, images=group, job_type=job_type, charge=False))
    return queued


def _ensure_usage(owner, units: int) -> None:
    """Refuse early, before anything is stored; ``consume_usage`` is the race-free check."""
    if owner.usage_remaining < units:
        raise UsageLimitExceeded(f"Monthly limit of {owner.usage_limit} reached; it resets on "
                                 f"{owner.cycle_resets_at:%Y-%m-%d}.")


# --- What the pipeline writes -------------------------------------------------


def items_to_run(job: Job) -> list[BatchItem]:
    """The job's images not analysed yet, in order, each holding its unit of usage.

    A job run again (redelivered, or retried after it failed or was cancelled)
    skips completed images and takes usage again for those that gave theirs back.
    """
    items = list(BatchItem.objects.filter(job=job).exclude(status=ItemStatus.COMPLETED)
                 .select_related("image__product").order_by("position"))
    uncounted = [item.pk for item in items if not item.usage_counted]
    with transaction.atomic():
        if uncounted and job.params.get("charged", True):
            accounts.consume_usage(job.owner, len(uncounted))
            BatchItem.objects.filter(pk__in=uncounted).update(usage_counted=True)
        BatchItem.objects.filter(pk__in=[item.pk for item in items]).update(status=ItemStatus.PENDING, error="")
    return items


def start_item(item: BatchItem, *, model_version: str) -> AnalysisResult:
    """Mark the item processing and open its analysis row (reused when the item runs again)."""
    BatchItem.objects.filter(pk=item.pk).update(status=ItemStatus.PROCESSING)
    analysis, _ = AnalysisResult.objects.update_or_create(
        job=item.job, image=item.image,
        defaults={"status": AnalysisStatus.RUNNING, "model_version": model_version, "error_message": None},
    )
    # A second run computes everything again; stale findings must not linger beside new ones.
    for related in (analysis.attributes, analysis.defects, analysis.compliance_checks):
        related.all().delete()
    return analysis


def save_renditions(image: ProductImage, *, width: int, height: int, sha256: str, thumbnail: bytes,
                    web: bytes) -> None:
    """Store the thumbnail and web copy at stable keys (a re-run overwrites its own files)."""
    with storage_errors():
        for field, suffix, content in (("thumbnail", "thumb", thumbnail), ("web_image", "web", web)):
            key = image.product.file_key(f"{image.pk}_{suffix}.jpg")
            if default_storage.exists(key):
                default_storage.delete(key)
            getattr(image, field).name = default_storage.save(key, ContentFile(content))
    image.width, image.height, image.sha256 = width, height, image.sha256 or sha256
    image.save(update_fields=["thumbnail", "web_image", "width", "height", "sha256"])


def save_analysis(analysis: AnalysisResult, **fields) -> None:
    """Store what one step found on the analysis row (model fields only).

    An UPDATE by id: if the product was deleted meanwhile, there is nothing to write.
    """
    for name, value in fields.items():
        setattr(analysis, name, value)
    AnalysisResult.objects.filter(pk=analysis.pk).update(**fields, updated_at=timezone.now())


def save_attributes(analysis: AnalysisResult, attributes: list[tuple[str, str, float]]) -> None:
    ExtractedAttribute.objects.bulk_create([
        ExtractedAttribute(analysis=analysis, attribute_name=name, attribute_value=str(value)[:500],
                           confidence=round(float(confidence), 4))
        for name, value, confidence in attributes
    ])


def save_defects(analysis: AnalysisResult, defects: list) -> None:
    """Store ``catalog.defects.Defect`` values as rows."""
    DetectedDefect.objects.bulk_create([
        DetectedDefect(analysis=analysis, defect_type=d.defect_type, severity=d.severity,
                       confidence=round(float(d.confidence), 4), bounding_box=d.bounding_box,
                       description=d.description)
        for d in defects
    ])


def save_compliance(analysis: AnalysisResult, checks: list) -> None:
    """Store ``catalog.compliance.ComplianceCheck`` values as rows."""
    ComplianceCheck.objects.bulk_create([
        ComplianceCheck(analysis=analysis, marketplace=c.marketplace, rule=c.rule, measured=c.measured,
                        threshold=c.threshold, passed=c.passed, advisory=c.advisory, source=c.source)
        for c in checks
    ])


def save_description(analysis: AnalysisResult, description, *, status: str) -> None:
    """Store the language model's text (``description`` is None unless ``status`` is completed)."""
    fields = {"describe_status": status}
    if description is not None:
        fields.update(description_text=description.description, description_model=description.model,
                      title=description.title, tags=list(description.tags), alt_text=description.alt_text)
    save_analysis(analysis, **fields)


def finish_item(item: BatchItem, analysis: AnalysisResult, *, processing_ms: int) -> None:
    """The image is analysed: close its analysis and fill the product's blanks from it."""
    save_analysis(analysis, status=AnalysisStatus.COMPLETED, processing_time_ms=processing_ms)
    # Conditional: a cancel that raced the last step keeps the item cancelled.
    BatchItem.objects.filter(pk=item.pk, status=ItemStatus.PROCESSING).update(status=ItemStatus.COMPLETED)
    # Conditional updates: what the user set since the job was queued wins.
    products = Product.objects.filter(pk=item.image.product_id)
    if analysis.category:
        products.filter(category="").update(category=analysis.category, subcategory=analysis.subcategory)
    if analysis.describe_status == DescribeStatus.COMPLETED:
        # The primary image's copy describes the product; another image's only fills a gap.
        target = products if item.image.is_primary else products.filter(ai_description__isnull=True)
        target.update(ai_description=analysis.description_text)


def fail_item(item: BatchItem, analysis: AnalysisResult | None, message: str, *,
              status: str = ItemStatus.FAILED) -> None:
    """The image failed (or its job was cancelled) mid-analysis; its unit goes back when the job settles."""
    BatchItem.objects.filter(pk=item.pk).update(status=status, error=message[:2000])
    if analysis is not None:
        save_analysis(analysis, status=AnalysisStatus.FAILED, error_message=message[:2000])


def settle_job(job_id) -> None:
    """Close the books of a finished job: idle items are cancelled, units of items that did
    not complete go back, and products it was processing become active or draft.

    Safe to call more than once and from any process: each refund is a
    conditional update, so a unit goes back at most once.
    """
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not job.is_finished:
        return
    items = BatchItem.objects.filter(job=job)
    items.filter(status__in=[ItemStatus.PENDING, ItemStatus.PROCESSING]).update(status=ItemStatus.CANCELLED)
    _refund_items(items.exclude(status=ItemStatus.COMPLETED), owner_id=job.owner_id)
    settle_products(job)


def settle_products(job: Job) -> None:
    """Move the job's products out of ``processing`` once none of their images is still waiting."""
    for product_id in set(BatchItem.objects.filter(job=job).values_list("image__product_id", flat=True)):
        _settle_product(product_id)


def _refund_items(items, *, owner_id) -> None:
    # One conditional update per item, so a unit goes back at most once however many callers race.
    for item_id in items.filter(usage_counted=True).values_list("pk", flat=True):
        if BatchItem.objects.filter(pk=item_id, usage_counted=True).update(usage_counted=False):
            accounts.refund_usage(owner_id)


def _settle_product(product_id) -> None:
    busy = BatchItem.objects.filter(image__product_id=product_id).exclude(job__status__in=FINISHED_STATUSES) \
        .filter(status__in=[ItemStatus.PENDING, ItemStatus.PROCESSING]).exists()
    if busy:
        return
    analysed = AnalysisResult.objects.filter(image__product_id=product_id, status=AnalysisStatus.COMPLETED).exists()
    Product.objects.filter(pk=product_id, status=ProductStatus.PROCESSING).update(
        status=ProductStatus.ACTIVE if analysed else ProductStatus.DRAFT)
