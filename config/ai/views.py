"""The staff pages under /admin/ai/: each engine's status, and the Engines page that sets and tests them."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from config.ai import connection, registry, services
from config.ai.forms import FORMS
from config.errors import ApplicationError

CAPABILITY_LABELS = {
    "language_model": "Language model",
    "image_generation": "Image generation",
    "image_labels": "Image labels",
    "text_embeddings": "Text embeddings",
    "classic_vision": "Classic vision",
}


def _status_context(request, title: str) -> dict:
    report = registry.status_report()
    return {
        **admin.site.each_context(request),
        "title": title,
        "rows": [(CAPABILITY_LABELS.get(capability, capability), entry) for capability, entry in report.items()],
        "status_ttl": settings.AI_STATUS_TTL,
    }


@staff_member_required
def status(request):
    """One row per capability, as /ready and the health endpoints see it; links to the Engines page."""
    return render(request, "ai/status.html", _status_context(request, "AI engines"))


@staff_member_required
@require_http_methods(["GET", "POST"])
def engines(request):
    """One form per engine kind: Save stores the values over the environment; Test connection calls the
    engine with the submitted values, unsaved, and shows what it answered."""
    kind = request.POST.get("engine") if request.method == "POST" else None
    forms = {name: form_class(request.POST if name == kind else None) for name, form_class in FORMS.items()}
    results = {}
    form = forms.get(kind)
    if form is not None and form.is_valid():
        try:
            if request.POST.get("action") == "test":
                results[kind] = connection.CHECKS[kind](**form.submitted())
            else:
                services.save_overrides(request.user, form.overrides())
                messages.success(request, f"{form.title}: saved. Every process uses it from its next call.")
                return redirect("ai:engines")
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    context = _status_context(request, "AI engines")
    context["engine_forms"] = [(form, results.get(name)) for name, form in forms.items()]
    return render(request, "ai/engines.html", context)
