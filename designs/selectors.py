"""Reads of the designs app: the API's answers built from stored versions."""

from django.urls import reverse

from designs.models import DesignVersion
from designs.pipeline import iso


def preview_url(spec_id) -> str:
    return reverse("design-preview", args=[spec_id])


def v2_response(version: DesignVersion, *, processing_time: float) -> dict:
    """The document's GenerateResponseV2 for a stored version."""
    return {
        "spec_id": str(version.spec_id),
        "spec_json": version.spec_json,
        "preview_url": preview_url(version.spec_id),
        "created_at": iso(version.created_at),
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
