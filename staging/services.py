"""Every write the staging app performs; the API, the pages and the admin call these."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Avg
from django.utils import timezone

from config.ai import registry
from config.errors import InvalidUpload, NotFound, UsageLimitExceeded, ValidationFailed
from config.files.storage import files_removed_on_failure
from config.files.validation import CleanImage, clean_image, read_limited
from config.jobs import services as jobs
from config.jobs.choices import JobStatus
from staging import disclosure, renditions
from staging.choices import QualityMode
from staging.errors import InvalidStyle, MaintenanceMode
from staging.models import Batch, DisclosureProfile, Staging, StagingPreferences, Style
from staging.selectors import permanent_original_url

logger = logging.getLogger("stagecraft.staging")

JOB_KIND = "staging.stage"
TASK = "staging.tasks.run_staging"
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# Stored as uploaded (after cleaning); WebP and HEIC become JPEG.
KEPT_FORMATS = ("JPEG", "PNG")


def ensure_accepting() -> None:
    """Refuse new work during maintenance, or when no image engine is configured.

    Checked before anything is stored or counted, so a refusal costs the user
    nothing (``MaintenanceMode``, ``EngineUnavailable``).
    """
    if settings.STAGING_MAINTENANCE_MODE:
        raise MaintenanceMode()
    registry.image_generator()


def active_style(style_id: str) -> Style:
    style = Style.objects.active().filter(pk=style_id or "").first()
    if style is None:
        valid = ", ".join(Style.objects.active().values_list("id", flat=True))
        raise InvalidStyle(f"Unknown style {style_id!r}.", details=f"Valid styles: {valid}")
    return style


def clean_upload(upload) -> CleanImage:
    """Check an uploaded photo by content, size and pixels; strip identifying EXIF."""
    if upload is None:
        raise InvalidUpload("Image must be JPEG or PNG format.", details="No image file received")
    data = read_limited(upload, settings.STAGING_MAX_UPLOAD_BYTES)
    return clean_image(data, allowed=ACCEPTED_FORMATS, keep=KEPT_FORMATS,
                       max_bytes=settings.STAGING_MAX_UPLOAD_BYTES)


def create_staging(owner, *, image, style_id: str, room_type: str = "", quality_mode: str = QualityMode.PREMIUM,
                   property_name: str = "", disclosure: str = "", batch: Batch | None = None) -> Staging:
    """Validate the photo, store it and queue its staging on the ``gpu`` cluster.

    Raises the documented errors before anything is stored or counted:
    ``MaintenanceMode``, ``EngineUnavailable``, ``InvalidStyle``,
    ``InvalidUpload``/``UploadTooLarge``, ``UsageLimitExceeded``.
    """
    ensure_accepting()
    style = active_style(style_id)
    profile = disclosure_profile(owner, disclosure)
    cleaned = clean_upload(image)
    with files_removed_on_failure() as stored, transaction.atomic():
        return _queue(owner, cleaned, stored, style=style, room_type=room_type, quality_mode=quality_mode,
                      property_name=property_name, profile=profile, batch=batch)


def create_batch(owner, *, images: list, style_id: str, property_name: str = "", quality_mode: str = "",
                 disclosure: str = "") -> Batch:
    """Queue one staging per photo, all or nothing.

    Every photo is checked before any is stored, and the plan must cover the
    whole batch, so a bad photo or a short plan refuses the batch.
    """
    ensure_accepting()
    style = active_style(style_id)
    profile = disclosure_profile(owner, disclosure)
    cleaned = [clean_upload(image) for image in images] or [clean_upload(None)]
    if owner.usage_remaining < len(cleaned):
        raise UsageLimitExceeded(f"This batch needs {len(cleaned)} stagings; {owner.usage_remaining} remain "
                                 f"this month.", details={"needed": len(cleaned), "remaining": owner.usage_remaining})
    with files_removed_on_failure() as stored, transaction.atomic():
        batch = Batch.objects.create(owner=owner, property_name=property_name, style=style,
                                     total_images=len(cleaned),
                                     estimated_completion_at=estimate_completion(len(cleaned)))
        for photo in cleaned:
            _queue(owner, photo, stored, style=style, room_type="",
                   quality_mode=quality_mode or QualityMode.PREMIUM, property_name=property_name, profile=profile,
                   batch=batch)
    return batch


def restage(owner, *, staging_id, style_id: str) -> Staging:
    """Stage the same original again in another style (a new staging)."""
    source = Staging.objects.for_user(owner).filter(pk=staging_id).first()
    if source is None:
        raise NotFound("Staging not found.")
    if source.files_deleted_at:
        raise ValidationFailed("The original photo has been deleted under the retention policy.")
    ensure_accepting()
    style = active_style(style_id)
    with default_storage.open(source.original_image.name, "rb") as original:
        cleaned = clean_image(original.read(), allowed=KEPT_FORMATS, max_bytes=settings.STAGING_MAX_UPLOAD_BYTES)
    with files_removed_on_failure() as stored, transaction.atomic():
        return _queue(owner, cleaned, stored, style=style, room_type=source.room_type, quality_mode=source.quality_mode,
                      property_name=source.property_name, profile=source.disclosure_profile, batch=None)


def _queue(owner, photo: CleanImage, stored: list[str], *, style: Style, room_type: str, quality_mode: str,
           property_name: str, profile: DisclosureProfile | None, batch: Batch | None) -> Staging:
    job = jobs.create_job(owner, kind=JOB_KIND, task=TASK, gpu=True, timeout_seconds=settings.STAGING_JOB_TIMEOUT)
    staging = Staging(owner=owner, job=job, style=style, room_type=room_type or "", quality_mode=quality_mode,
                      property_name=property_name.strip(), disclosure_profile=profile, batch=batch,
                      original_width=photo.width, original_height=photo.height)
    key = staging.file_key(f"original.{photo.extension}")
    staging.original_image.name = default_storage.save(key, ContentFile(photo.content))
    stored.append(staging.original_image.name)
    staging.save()
    job.params = {"staging_id": str(staging.pk)}
    job.save(update_fields=["params"])
    return staging


NO_DISCLOSURE = "none"


def disclosure_profile(owner, slug: str) -> DisclosureProfile | None:
    """The profile asked for ("none" for none), else the user's default, else none."""
    if slug == NO_DISCLOSURE:
        return None
    if slug:
        profile = DisclosureProfile.objects.filter(slug=slug, active=True).first()
        if profile is None:
            raise ValidationFailed(f"Unknown disclosure profile {slug!r}.")
        return profile
    preferences = StagingPreferences.objects.filter(owner=owner).select_related("disclosure_profile").first()
    return preferences.disclosure_profile if preferences else None


def set_default_disclosure(owner, *, slug: str) -> StagingPreferences:
    """Remember the user's default disclosure profile ('' clears it)."""
    profile = disclosure_profile(owner, slug) if slug else None
    preferences, _ = StagingPreferences.objects.update_or_create(owner=owner,
                                                                 defaults={"disclosure_profile": profile})
    return preferences


def average_processing_ms() -> int | None:
    """Mean processing time of stagings completed in the last day (real data, or None)."""
    since = timezone.now() - timedelta(days=1)
    value = Staging.objects.filter(job__status=JobStatus.COMPLETED, job__finished_at__gte=since,
                                   processing_time_ms__isnull=False).aggregate(avg=Avg("processing_time_ms"))["avg"]
    return int(value) if value is not None else None


def estimate_completion(count: int):
    """When ``count`` new stagings should be done, from the queue and recent timings."""
    per_image = average_processing_ms() or settings.STAGING_QUALITY["premium"]["steps"] * 1000
    waiting = Staging.objects.filter(job__status__in=[JobStatus.QUEUED, JobStatus.PROCESSING]).count()
    workers = max(1, settings.Q_CLUSTER["ALT_CLUSTERS"]["gpu"]["workers"])
    return timezone.now() + timedelta(milliseconds=per_image * (waiting + count) / workers)


def delete_expired_files() -> int:
    """Delete originals and results older than ``STAGING_RETENTION_DAYS``; the rows record it.

    Scheduled daily by the app's migration. Returns how many stagings were cleared.
    """
    cutoff = timezone.now() - timedelta(days=settings.STAGING_RETENTION_DAYS)
    count = 0
    for staging in Staging.objects.filter(created_at__lt=cutoff, files_deleted_at__isnull=True).iterator():
        for field in ("original_image", "staged_image", "download_image", "web_image", "thumbnail"):
            name = getattr(staging, field).name
            if name:
                default_storage.delete(name)
        Staging.objects.filter(pk=staging.pk).update(files_deleted_at=timezone.now())
        count += 1
    if count:
        logger.info("Retention: deleted the files of %d staging(s)", count)
    return count



def record_room(staging: Staging, *, room_type: str, source: str, labels: list) -> None:
    """Store the room type the pipeline settled on, where it came from, and the labels seen."""
    staging.room_type, staging.room_type_source, staging.interior_labels = room_type, source, labels
    staging.save(update_fields=["room_type", "room_type_source", "interior_labels"])


def save_result(staging: Staging, *, image, seed: int, attempts: int, integrity, pixel_lock_share: float, quality,
                engine, processing_ms: int) -> Staging:
    """Store the staged photo, its web copy, thumbnail and disclosed download, and the figures.

    Keys are stable per staging, so a task that runs twice overwrites its own
    files instead of adding new ones.
    """
    files = {
        "staged_image": ("staged.jpg", renditions.encode_jpeg(image)),
        "web_image": ("web.jpg", renditions.web_copy(image)),
        "thumbnail": ("thumb.jpg", renditions.thumbnail(image)),
    }
    profile = staging.disclosure_profile
    if profile is not None:
        marked = disclosure.apply_disclosure(
            image, mark=profile.mark, statement=profile.statement,
            original_url=permanent_original_url(staging) if profile.link_to_original else None,
            link_to_original=profile.link_to_original,
        )
        files["download_image"] = ("download.jpg", renditions.encode_jpeg(marked))
    for field, (name, content) in files.items():
        key = staging.file_key(name)
        if default_storage.exists(key):
            default_storage.delete(key)
        getattr(staging, field).name = default_storage.save(key, ContentFile(content))
    if profile is None:
        staging.download_image.name = staging.staged_image.name
    staging.seed = seed
    staging.variant_count = attempts
    staging.integrity_score = integrity.score
    staging.architectural_integrity = integrity.passed
    staging.pixel_lock_share = pixel_lock_share
    staging.quality_score = round(quality.score, 2)
    staging.quality_parts = quality.parts
    staging.engine, staging.model_name = engine.provider, engine.model
    staging.processing_time_ms = processing_ms
    staging.save()
    return staging
