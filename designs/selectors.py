"""Reads of the designs app: the spec an edit continues, and the API's answers built from stored versions."""

import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse

from config.errors import NotFound
from config.timestamps import iso8601
from designs.models import DesignSpec, DesignVersion
from designs.pipeline import Previous


def continued_spec(owner, spec_id) -> tuple[DesignSpec | None, Previous | None]:
    """The owner's spec named by ``context.spec_id`` and its current version, or ``(None, None)``.

    Raises ``NotFound`` for an id that is malformed, unknown or another user's.
    """
    if spec_id in (None, ""):
        return None, None
    try:
        key = uuid.UUID(str(spec_id))
    except ValueError:
        raise NotFound("Design spec not found.") from None
    spec = DesignSpec.objects.for_user(owner).filter(pk=key).first()
    if spec is None:
        raise NotFound("Design spec not found.")
    return spec, Previous(spec.current_version.spec_json, spec.last_object_number)


PREVIEW_SALT = "designs.preview-image"


def preview_url(version: DesignVersion) -> str:
    """A signed URL of the version's PNG preview that anyone holding it can open until it expires
    (``MEDIA_URL_EXPIRES``); the 3D page for people stays at ``/preview/{spec_id}``."""
    token = signing.dumps({"v": str(version.pk)}, salt=PREVIEW_SALT, compress=True)
    return reverse("design-preview-image", args=[token])


def version_of_preview_token(token: str) -> DesignVersion:
    """The version a ``preview_url`` token names; ``NotFound`` when forged, expired or gone."""
    try:
        payload = signing.loads(token, salt=PREVIEW_SALT, max_age=settings.MEDIA_URL_EXPIRES)
    except signing.BadSignature:
        raise NotFound("Preview not found or expired.") from None
    version = DesignVersion.objects.filter(pk=payload.get("v")).first()
    if version is None:
        raise NotFound("Preview not found or expired.")
    return version


def v2_response(version: DesignVersion, *, processing_time: float) -> dict:
    """The document's GenerateResponseV2 for a stored version."""
    return {
        "spec_id": str(version.spec_id),
        "spec_json": version.spec_json,
        "preview_url": preview_url(version),
        "created_at": iso8601(version.created_at),
        "processing_time": round(processing_time, 4),
    }


def v1_response(version: DesignVersion) -> dict:
    """v1's answer: the original spec plus the design's overall dimensions."""
    spec = version.spec_json
    return {
        "spec": {**spec["metadata"]["original_spec"], "dimensions": spec["scene"]["bounding_box"]},
        "success": True,
        "message": f"Design specification generated: {spec['scene']['name']} (version {version.label}).",
    }
