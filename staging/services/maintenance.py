"""Scheduled and staff work: the retention sweep and the style previews."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from config.ai import registry
from config.ai.image.base import ImageRequest
from staging import renditions, scale
from staging.choices import QualityMode
from staging.models import Staging, Style
from staging.services.uploads import upload_key

logger = logging.getLogger("stagecraft.staging")


def delete_expired_files() -> int:
    """Delete originals and results older than ``STAGING_RETENTION_DAYS``; the rows record it.

    Scheduled daily by the app's migration. Returns how many stagings were cleared.
    """
    cutoff = timezone.now() - timedelta(days=settings.STAGING_RETENTION_DAYS)
    count = 0
    for staging in Staging.objects.filter(created_at__lt=cutoff, files_deleted_at__isnull=True).iterator():
        # The upload is there only when the staging's job never cleaned it (cancelled while queued).
        names = [getattr(staging, field).name for field in ("original_image", "emptied_image", "staged_image",
                                                            "download_image", "web_image", "thumbnail")]
        for name in [*filter(None, names), upload_key(staging)]:
            default_storage.delete(name)
        Staging.objects.filter(pk=staging.pk).update(files_deleted_at=timezone.now())
        count += 1
    if count:
        logger.info("Retention: deleted the files of %d staging(s)", count)
    return count



# A 3:2 preview, generated at the standard mode's native size (768x512 for SD 1.5, 1536x1024 for SDXL).
STYLE_PREVIEW_SIZE = (768, 512)


def render_style_preview(style: Style, *, seed: int = 7) -> Style:
    """Render ``style``'s preview image (a furnished living room) with the configured
    engine and store it as the style's ``preview_image``.

    Raises ``EngineUnavailable`` at once when no engine can generate; nothing
    is stored then. The same seed gives the same preview again.
    """
    generator = registry.ready_image_generator()
    detail = "detailed, sharp focus"
    width, height = scale.generation_size(*STYLE_PREVIEW_SIZE, QualityMode.STANDARD)
    chosen = scale.generation_settings(QualityMode.STANDARD)
    result = generator.generate(ImageRequest(
        style.prompt_template.format(room="living room", quality=detail), negative_prompt=style.negative_prompt,
        width=width, height=height, steps=chosen.steps, guidance=chosen.guidance, seed=seed,
    ))
    key = f"staging/styles/{style.pk}.jpg"
    if default_storage.exists(key):
        default_storage.delete(key)
    style.preview_image.name = default_storage.save(key, ContentFile(renditions.encode_jpeg(result.image)))
    style.save(update_fields=["preview_image"])
    return style
