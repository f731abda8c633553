"""Reads shared by the API and the pages."""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from config.ai import registry
from config.ai.errors import EngineUnavailable
from config.ai.status import Status, cached_probe
from config.files.signing import media_url
from config.jobs.choices import JobStatus
from staging.choices import StagingMode
from staging.models import Staging


def permanent_original_url(staging: Staging) -> str:
    """The unaltered original's public, permanent URL (California's disclosure link)."""
    return settings.SITE_URL + reverse("staging:original", kwargs={"staging_id": staging.pk})


def disclosure_for(staging: Staging, *, request=None) -> dict | None:
    """What the chosen listing-rule profile requires, as carried by the download and the API."""
    profile = staging.disclosure_profile
    if profile is None:
        return None
    from staging.disclosure import caption_text

    original_url = permanent_original_url(staging) if profile.link_to_original else None
    return {
        "profile": profile.slug,
        "mark": profile.mark,
        "mark_burned_in": profile.mark != "none",
        "statement": profile.statement,
        "original_url": original_url,
        "caption": caption_text(profile.statement, original_url, profile.description_text),
        "description_text": profile.description_text or None,
    }


def queue_length() -> int:
    """Stagings waiting for or in processing."""
    return Staging.objects.filter(job__status__in=[JobStatus.QUEUED, JobStatus.PROCESSING]).count()


def engine_status() -> tuple[bool, str]:
    """Whether the image engine staging uses is ready, and why not (probes are cached)."""
    try:
        engine = registry.image_generator()
    except EngineUnavailable as exc:
        return False, exc.message
    status = cached_probe(("staging", id(engine)), lambda: engine.status(settings.AI_STATUS_TIMEOUT),
                          ttl=settings.AI_STATUS_TTL)
    return status.status == Status.READY, status.detail


def versions_of(staging: Staging) -> list[Staging]:
    """Every version of ``staging``'s line, the first one first (just itself when never revised)."""
    root_id = staging.revision_of_id or staging.pk
    return list(Staging.objects.filter(owner_id=staging.owner_id, pk=root_id).select_related("job")) + list(
        Staging.objects.filter(owner_id=staging.owner_id, revision_of_id=root_id).select_related("job")
        .order_by("created_at"))


def variants_of(staging: Staging) -> list[Staging]:
    """The variants made by ``staging``'s request, the first one first (just itself when one was asked)."""
    first = staging.variant_of_id or staging.pk
    return list(Staging.objects.filter(owner_id=staging.owner_id).filter(Q(pk=first) | Q(variant_of_id=first))
                .select_related("job").order_by("created_at", "seed"))


def images_of(staging: Staging) -> list[dict]:
    """The staging's images in the order they were made, each with its URL and own figures:
    the original; the emptied room when decluttering; the staged room unless only decluttering.

    A completed ``declutter`` staging's delivered files are its emptied room; the list names it
    once, as ``emptied``, with the emptied room's figures. URLs are None once retention deleted the files.
    """
    def url(field) -> str | None:
        return media_url(field.name) if field and field.name and not staging.files_deleted_at else None

    images = [{"kind": "original", "url": url(staging.original_image), "integrity_score": None,
               "quality_score": None, "pixel_lock_share": None, "emptiness_drop": None}]
    if staging.mode != StagingMode.STAGE and staging.emptied_figures:
        figures = staging.emptied_figures
        images.append({"kind": "emptied", "url": url(staging.emptied_image),
                       "integrity_score": figures["integrity_score"], "quality_score": figures["quality_score"],
                       "pixel_lock_share": figures["pixel_lock_share"], "emptiness_drop": figures["emptiness"]["drop"]})
    if staging.mode != StagingMode.DECLUTTER and staging.staged_image:
        images.append({"kind": "staged", "url": url(staging.web_image or staging.staged_image),
                       "integrity_score": staging.integrity_score,
                       "quality_score": float(staging.quality_score) if staging.quality_score is not None else None,
                       "pixel_lock_share": staging.pixel_lock_share, "emptiness_drop": None})
    return images
