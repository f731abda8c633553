"""Designs pages: prompt and list, one spec with its 3D preview and history, downloads, full-window preview."""

import json
import re

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from config.api.ratelimit import enforce
from config.errors import ApplicationError, ValidationFailed
from designs import gltf, selectors, services, summary
from designs.forms import FollowUpForm, GenerateForm
from designs.models import DesignSpec, DesignVersion

LIST_PAGE_SIZE = 20
# Generating costs compute: the pages have the API's per-minute limit, counted per user on their own.
PAGE_LIMIT_GROUP = "designs:page"
# Labels read "1.<minor>" (DesignVersion.label); anything else names no version.
LABEL = re.compile(r"1\.(\d{1,9})")
THREE_MODULE = "vendor/three/build/three.module.js"


@login_required
def design_list(request):
    """The prompt form and the user's designs; a valid prompt becomes a spec and opens its page."""
    form = GenerateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enforce(request, "designs", group=PAGE_LIMIT_GROUP)
            version = services.generate(request.user, **form.cleaned_data, source="page")
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            return redirect("designs:detail", spec_id=version.spec_id)
    specs = DesignSpec.objects.for_user(request.user).annotate(latest_minor=Max("versions__minor"))
    page = Paginator(specs.order_by("-updated_at", "-created_at"), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "designs/list.html", {"form": form, "page": page})


@login_required
def detail(request, spec_id):
    """One spec: the chosen version (``?version=1.0``, else the latest) as JSON and in 3D, and its history."""
    spec = _spec_or_404(request.user, spec_id)
    return _render_detail(request, spec, FollowUpForm())


@login_required
@require_POST
def follow_up(request, spec_id):
    """A follow-up prompt makes the spec's next version; a refusal shows on the form."""
    spec = _spec_or_404(request.user, spec_id)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            enforce(request, "designs", group=PAGE_LIMIT_GROUP)
            services.generate(request.user, prompt=form.cleaned_data["prompt"],
                              context={"spec_id": str(spec.pk)}, source="page")
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            return redirect("designs:detail", spec_id=spec.pk)
    return _render_detail(request, spec, form)


@login_required
def version_json(request, spec_id, label):
    """One version's spec as a JSON download named ``<name>-v<label>.json``."""
    version = _version_or_404(_spec_or_404(request.user, spec_id), label)
    body = json.dumps(version.spec_json, indent=2, ensure_ascii=False).encode()
    return _download(body, "application/json", _filename(version, "json"))


@login_required
def version_glb(request, spec_id, label):
    """One version as binary glTF (a box node per object), named ``<name>-v<label>.glb``."""
    version = _version_or_404(_spec_or_404(request.user, spec_id), label)
    return _download(gltf.spec_to_glb(version.spec_json), "model/gltf-binary", _filename(version, "glb"))


@login_required
def preview(request, spec_id):
    """The latest version in a full-window 3D view: the page the API's ``preview_url`` names."""
    spec = _spec_or_404(request.user, spec_id)
    version = spec.current_version
    return render(request, "designs/preview.html", {
        "spec": spec, "version": version, "colours": _colours(version.spec_json), "three_available": _three_available(),
    })


def preview_image(request, token):
    """The PNG an API ``preview_url`` names: no sign-in, the signed token is the key."""
    try:
        version = selectors.version_of_preview_token(token)
    except ApplicationError:
        raise Http404 from None
    response = HttpResponse(services.preview_png(version), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _render_detail(request, spec: DesignSpec, follow_up_form: FollowUpForm):
    versions = list(spec.versions.order_by("minor"))
    if not versions:  # a spec is created with its first version; a missing one is a broken row, not a page
        raise Http404
    shown = _version_or_404(spec, request.GET["version"]) if "version" in request.GET else versions[-1]
    previous: list[dict] = []
    for version in versions:
        version.changes = _changes(version.diff)
        objects = (version.spec_json or {}).get("objects") or []
        version.summary = summary.summarise(version.diff, objects, previous)
        previous = objects
    return render(request, "designs/detail.html", {
        "spec": spec, "version": shown, "latest": versions[-1], "versions": versions[::-1],
        "spec_text": json.dumps(shown.spec_json, indent=2, ensure_ascii=False), "colours": _colours(shown.spec_json),
        "form": follow_up_form, "three_available": _three_available(),
    })


def _spec_or_404(user, spec_id) -> DesignSpec:
    return get_object_or_404(DesignSpec.objects.for_user(user), pk=spec_id)


def _version_or_404(spec: DesignSpec, label: str) -> DesignVersion:
    match = LABEL.fullmatch(label or "")
    if not match:
        raise Http404
    return get_object_or_404(spec.versions, minor=int(match[1]))


def _add_error(form, exc: ApplicationError) -> None:
    # A refused prompt belongs under the prompt; limits and outages concern the whole form.
    form.add_error("prompt" if isinstance(exc, ValidationFailed) else None, exc.message)


def _changes(diff: dict) -> dict:
    """A version's diff for the page: ids added and removed, and each changed field as text."""
    diff = diff or {}
    changed = [{"id": item.get("id", ""),
                "fields": [(path, _as_text(change.get("from")), _as_text(change.get("to")))
                           for path, change in (item.get("fields") or {}).items()]}
               for item in diff.get("changed") or []]
    return {"added": diff.get("added") or [], "removed": diff.get("removed") or [], "changed": changed}


def _as_text(value) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _colours(spec_json: dict) -> dict[str, str]:
    """Each object's colour as #rrggbb, by the glTF export's rule, so the preview matches the download."""
    return {str(obj.get("id")): "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in gltf.base_color(obj)))
            for obj in spec_json.get("objects") or []}


def _filename(version: DesignVersion, extension: str) -> str:
    return f"{slugify(version.spec.name) or 'design'}-v{version.label}.{extension}"


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    return HttpResponse(body, content_type=content_type,
                        headers={"Content-Disposition": content_disposition_header(True, filename)})


def _three_available() -> bool:
    """Whether ``npm ci`` installed three.js; without it the preview explains itself instead."""
    return bool(finders.find(THREE_MODULE))
