"""Reads shared by the API and the pages."""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from config.ai import registry
from config.ai.errors import EngineUnavailable
from config.ai.status import Status, cached_probe
from config.jobs.choices import JobStatus
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
