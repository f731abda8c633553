"""The staff page that shows each AI engine's provider, model, status and latency."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render

from config.ai import registry

CAPABILITY_LABELS = {
    "language_model": "Language model",
    "image_generation": "Image generation",
    "image_labels": "Image labels",
    "text_embeddings": "Text embeddings",
    "classic_vision": "Classic vision",
}


@staff_member_required
def status(request):
    """One row per capability, as /ready and the health endpoints see it."""
    report = registry.status_report()
    context = {
        **admin.site.each_context(request),
        "title": "AI engines",
        "rows": [(CAPABILITY_LABELS.get(capability, capability), entry) for capability, entry in report.items()],
        "status_ttl": settings.AI_STATUS_TTL,
    }
    return render(request, "admin/ai_status.html", context)
