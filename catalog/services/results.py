"""What the pipeline records: each image's run, its renditions, findings and copy, and how it ended.

Every write here is safe to repeat: a redelivered task runs an image again
over the rows of its first run.
"""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from catalog import damage
from catalog.choices import AnalysisStatus, DescribeStatus, ItemStatus
from catalog.models import (
    AnalysisResult,
    BatchItem,
    ComplianceCheck,
    DamageFinding,
    DetectedDefect,
    ExtractedAttribute,
    Product,
    ProductImage,
)
from config.accounts import services as accounts
from config.files.storage import storage_errors
from config.jobs.models import Job


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


def claim_item(job: Job) -> BatchItem | None:
    """Take the job's next pending image for this worker, or None when none is left.

    A conditional UPDATE (pending -> processing) per candidate, so two workers
    sharing a batch never take the same image, on SQLite and PostgreSQL alike.
    """
    for item_id in BatchItem.objects.filter(job=job, status=ItemStatus.PENDING).order_by("position") \
            .values_list("pk", flat=True):
        if BatchItem.objects.filter(pk=item_id, status=ItemStatus.PENDING).update(status=ItemStatus.PROCESSING):
            return BatchItem.objects.select_related("image__product").get(pk=item_id)
    return None


def release_stalled_items(job: Job, *, idle_seconds: float) -> int:
    """Hand back images another worker took and stopped on (its process died): pending again.

    Stalled means the job has recorded no event for ``idle_seconds``; returns how many went back.
    """
    last = job.events.order_by("-id").values_list("created_at", flat=True).first()
    if last is not None and (timezone.now() - last).total_seconds() < idle_seconds:
        return 0
    return BatchItem.objects.filter(job=job, status=ItemStatus.PROCESSING).update(status=ItemStatus.PENDING)


def start_item(item: BatchItem, *, model_version: str) -> AnalysisResult:
    """Mark the item processing and open its analysis row (reused when the item runs again)."""
    BatchItem.objects.filter(pk=item.pk).update(status=ItemStatus.PROCESSING)
    analysis, _ = AnalysisResult.objects.update_or_create(
        job=item.job, image=item.image,
        defaults={"status": AnalysisStatus.RUNNING, "model_version": model_version, "error_message": None},
    )
    # A second run computes everything again; stale findings must not linger beside new ones.
    for related in (analysis.attributes, analysis.defects, analysis.compliance_checks, analysis.damage_findings):
        related.all().delete()
    return analysis


def save_renditions(image: ProductImage, *, width: int, height: int, sha256: str, phash: str, thumbnail: bytes,
                    web: bytes) -> None:
    """Store the thumbnail and web copy at stable keys (a re-run overwrites its own files), and the
    photo's perceptual hash (computed again on every analysis, so a photo stored before hashing has one)."""
    with storage_errors():
        for field, suffix, content in (("thumbnail", "thumb", thumbnail), ("web_image", "web", web)):
            key = image.product.file_key(f"{image.pk}_{suffix}.jpg")
            if default_storage.exists(key):
                default_storage.delete(key)
            getattr(image, field).name = default_storage.save(key, ContentFile(content))
    image.width, image.height, image.sha256, image.phash = width, height, image.sha256 or sha256, phash
    image.save(update_fields=["thumbnail", "web_image", "width", "height", "sha256", "phash"])


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


def save_damage(analysis: AnalysisResult, report, *, status: str) -> None:
    """Store a ``catalog.damage.DamageReport`` as findings marked with their source (``report`` is None unless
    ``status`` is completed: without a model there is nothing to store, never a guess)."""
    if report is not None:
        DamageFinding.objects.bulk_create([
            DamageFinding(analysis=analysis, damage_type=f.damage_type, severity=f.severity,
                          description=f.description, source=damage.SOURCE, model=report.model)
            for f in report.findings
        ])
    save_analysis(analysis, damage_status=status)


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
