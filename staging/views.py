"""Staging pages: upload, one staging's progress and result, history, batches."""

import re
from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from config.ai import readiness
from config.ai.errors import EngineUnavailable
from config.errors import ApplicationError, Conflict, NotFound
from config.files.signing import media_url
from staging import export, selectors, services
from staging.choices import StagingMode
from staging.forms import HistoryFilterForm, RestageForm, ReviseForm, RoomSetForm, UploadForm
from staging.models import Batch, RoomSet, Staging, StagingDraft, Style

HISTORY_PAGE_SIZE = 24
PAIR_WORDS = {"original": "Original", "emptied": "Emptied", "staged": "Staged"}
# Steps a declutter-only staging never runs.
STAGING_ONLY_STEPS = ("generate", "integrity", "upscale", "quality")
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")
# The pipeline's steps in the order they run (staging/pipeline.py), in the user's words.
STEP_LABELS = {
    "validate": "Checking the photo",
    "interior": "Recognising the room",
    "structure": "Mapping walls, windows and doors",
    "generate": "Staging the room",
    "integrity": "Checking the architecture survived",
    "upscale": "Bringing it to your photo's size",
    "pixel_lock": "Restoring untouched pixels",
    "quality": "Scoring the result",
    "store": "Preparing your downloads",
    "consistency": "Comparing the furniture with the first photo",
}
# The declutter pass's steps (modes declutter and declutter_and_stage), shown after "structure".
DECLUTTER_STEP_LABELS = {
    "declutter": "Emptying the room",
    "declutter_integrity": "Checking the emptied room's architecture",
    "emptiness": "Checking the furniture is gone",
    "declutter_upscale": "Bringing the emptied room to your photo's size",
    "declutter_quality": "Scoring the emptied room",
    "store_emptied": "Saving the emptied room",
}
# Which upload field an error belongs to; anything else shows above the form.
ERROR_FIELDS = {"INVALID_IMAGE_FORMAT": "photos", "IMAGE_TOO_LARGE": "photos", "INVALID_STYLE": "style",
                "VALIDATION_ERROR": "disclosure"}
NOT_ANSWERING = "The image engine is not answering right now. Please try again in a few minutes."


@login_required
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            checked = services.check_request(
                request.user, images=data["photos"], style_id=data["style"], room_type=data["room_type"],
                quality_mode=data["quality_mode"], property_name=data["property_name"],
                disclosure=data["disclosure"], mode=data["mode"])
            try:
                if len(checked.photos) == 1:
                    staging = services.create_variants(request.user, checked, count=data["variants"])
                    return redirect("staging:detail", staging_id=staging.pk)
                batch = services.create_batch(request.user, checked)
                return redirect("staging:batch", batch_id=batch.pk)
            except EngineUnavailable:
                # Nothing lost: the checked photos wait as drafts, staged in one click once an engine answers.
                drafts = services.save_drafts(request.user, checked)
                messages.info(request, f"Saved {len(drafts)} photo(s) as drafts: {_engine_reason()} They are "
                                       "staged with one click once it is connected.")
                return redirect("staging:upload")
        except ApplicationError as exc:
            form.add_error(ERROR_FIELDS.get(exc.code), exc.message)
    unavailable, engine_detail, engine_missing = _unavailable_reason(request.user)
    return render(request, "staging/upload.html", {
        "form": form, "styles": _gallery(), "unavailable": unavailable, "engine_detail": engine_detail,
        "engine_missing": engine_missing, "max_upload_bytes": settings.STAGING_MAX_UPLOAD_BYTES,
        "drafts": _drafts(request.user),
    })


@login_required
@require_POST
def stage_drafts(request):
    try:
        stagings = services.stage_drafts(request.user)
    except Conflict as exc:  # the other click is staging them
        messages.info(request, exc.message)
        return redirect("staging:history")
    except EngineUnavailable:
        messages.error(request, f"The drafts are kept: {_engine_reason()}")
    except ApplicationError as exc:
        messages.error(request, f"The drafts are kept: {exc.message}")
    else:
        messages.success(request, f"Staging {len(stagings)} photo(s); they appear in your stagings as they finish.")
        return redirect("staging:history")
    return redirect("staging:upload")


@login_required
@require_POST
def delete_draft(request, draft_id):
    try:
        services.delete_draft(request.user, draft_id=draft_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    messages.success(request, "Draft deleted.")
    return redirect("staging:upload")


@login_required
def detail(request, staging_id):
    staging = get_object_or_404(Staging.objects.for_user(request.user), pk=staging_id)
    return _render_detail(request, staging)


@login_required
@require_POST
def restage(request, staging_id):
    return _new_staging_from(request, staging_id, restage_form=RestageForm(request.POST), make=lambda staging, data: (
        services.restage(request.user, staging_id=staging.pk, style_id=data["style"])))


@login_required
@require_POST
def revise(request, staging_id):
    return _new_staging_from(request, staging_id, revise_form=ReviseForm(request.POST), make=lambda staging, data: (
        services.revise(request.user, staging_id=staging.pk, instruction=data["instruction"])))


def _new_staging_from(request, staging_id, *, make, **form_by_name):
    """Make a new staging from this one with ``make(staging, cleaned_data)`` of the one form given
    (``restage_form`` or ``revise_form``); show the new one, or the form with the refusal on its field."""
    staging = get_object_or_404(Staging.objects.for_user(request.user), pk=staging_id)
    (form,) = form_by_name.values()
    if form.is_valid():
        try:
            new = make(staging, form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(next(iter(form.fields)), exc.message)
        else:
            return redirect("staging:detail", staging_id=new.pk)
    return _render_detail(request, staging, **form_by_name)


@login_required
@require_POST
def choose(request, staging_id):
    staging = get_object_or_404(Staging.objects.for_user(request.user), pk=staging_id)
    try:
        services.choose_variant(request.user, staging_id=staging.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Chosen. The other versions stay in your history.")
    return redirect("staging:detail", staging_id=staging.pk)


@login_required
def history(request):
    form = HistoryFilterForm(request.GET)
    stagings = Staging.objects.for_user(request.user)
    if form.is_valid():
        if prop := form.cleaned_data["property"].strip():
            stagings = stagings.filter(property_name__icontains=prop)
        if status := form.cleaned_data["status"]:
            stagings = stagings.with_status(status)
    page = Paginator(stagings, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    _add_thumbnails(page.object_list)
    properties = (Staging.objects.filter(owner=request.user).exclude(property_name="")
                  .order_by("property_name").values_list("property_name", flat=True).distinct()[:200])
    return render(request, "staging/history.html", {"form": form, "page": page, "properties": properties})


@login_required
def batch(request, batch_id):
    batch = get_object_or_404(Batch.objects.for_user(request.user).select_related("style"), pk=batch_id)
    stagings = list(batch.stagings.select_related("job", "style").order_by("created_at"))
    _add_thumbnails(stagings)
    counts = Counter(staging.status for staging in stagings)
    progress = sum(staging.job.progress for staging in stagings) / len(stagings) if stagings else 0
    return render(request, "staging/batch.html", {
        "batch": batch, "stagings": stagings, "counts": counts, "progress": progress,
        "finished": counts["completed"] + counts["failed"] == len(stagings), "step_labels": STEP_LABELS,
    })


ROOM_SET_ERROR_FIELDS = ERROR_FIELDS | {"INVALID_ROOM_SET": "photos"}


@login_required
def room_set_new(request):
    """Upload 2-8 photos of one room, staged with the same furniture."""
    form = RoomSetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            checked = services.check_request(request.user, images=data["photos"], style_id=data["style"],
                                             room_type=data["room_type"], quality_mode=data["quality_mode"],
                                             property_name=data["property_name"])
            room_set = services.create_room_set(request.user, checked)
            return redirect("staging:room_set", room_set_id=room_set.pk)
        except ApplicationError as exc:
            form.add_error(ROOM_SET_ERROR_FIELDS.get(exc.code), exc.message)
    return render(request, "staging/room_set_new.html", {"form": form})


@login_required
def room_set(request, room_set_id):
    """A room set's photos side by side, each with its figures, and the set's consistency."""
    room_set = get_object_or_404(RoomSet.objects.for_user(request.user), pk=room_set_id)
    stagings = list(room_set.stagings.select_related("job", "style").order_by("created_at"))
    for staging in stagings:
        field = staging.web_image if staging.web_image else staging.original_image
        staging.view_url = media_url(field.name) if field and not staging.files_deleted_at else ""
    return render(request, "staging/room_set.html", {"room_set": room_set, "stagings": stagings,
                                                     "minimum": settings.STAGING_CONSISTENCY_MIN})


@login_required
def batch_export(request, batch_id):
    """The batch's listing pack (``staging.export``), for the button on the batch page."""
    batch = get_object_or_404(Batch.objects.for_user(request.user), pk=batch_id)
    return FileResponse(export.listing_pack(batch), as_attachment=True, filename=export.file_name(batch),
                        content_type="application/zip")


def original(request, staging_id):
    """The unaltered original at a permanent public URL (the disclosure link)."""
    staging = get_object_or_404(Staging, pk=staging_id)
    if staging.files_deleted_at:
        return HttpResponse("The original was deleted under the retention policy.", status=410,
                            content_type="text/plain")
    # No original before the job's validate step has cleaned the upload: the upload itself is never served.
    if not staging.original_image.name or not default_storage.exists(staging.original_image.name):
        raise Http404
    response = FileResponse(default_storage.open(staging.original_image.name, "rb"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _render_detail(request, staging: Staging, *, restage_form: RestageForm | None = None,
                   revise_form: ReviseForm | None = None):
    variants = selectors.variants_of(staging)
    restage_form = restage_form or RestageForm(initial={"style": _another_style(staging)})
    _add_thumbnails(variants)
    return render(request, "staging/detail.html", {
        "revise_form": revise_form or ReviseForm(), "versions": selectors.versions_of(staging),
        "variants": variants if len(variants) > 1 else [],
        "staging": staging, "job": staging.job, "steps": _steps(staging),
        "files": _files(staging, request.GET.get("pair")),
        "figures": _figures(staging) if staging.status == "completed" else [],
        "last_event_id": staging.job.events.order_by("-id").values_list("id", flat=True).first() or 0,
        "disclosure": selectors.disclosure_for(staging, request=request), "restage_form": restage_form,
    })


def _engine_reason() -> str:
    """Why the image engine cannot stage, for anyone: not connected, or connected and not answering."""
    return readiness.image_generation().reason or NOT_ANSWERING


def _unavailable_reason(user) -> tuple[str, str, bool]:
    """Why new stagings cannot run right now ('' when they can), in words for anyone; the engine's
    own words for staff (who can fix it on the AI engines page); and whether it is the engine
    (photos can then still be saved as drafts) rather than maintenance or a full queue."""
    try:
        services.ensure_accepting()
    except EngineUnavailable as exc:
        return _engine_reason(), exc.message if user.is_staff else "", True
    except ApplicationError as exc:
        return exc.message, "", False
    return "", "", False


def _drafts(user) -> list[StagingDraft]:
    """The user's drafts, each with a ``thumb_url`` so people can tell their photos apart."""
    drafts = list(StagingDraft.objects.filter(owner=user).select_related("style"))
    for draft in drafts:
        draft.thumb_url = media_url(draft.original_image.name)
    return drafts


def _gallery() -> list[Style]:
    styles = list(Style.objects.active())
    for style in styles:
        # Staff type the palette in the admin; only real hex colours reach a style attribute.
        style.swatches = [c for c in style.palette if isinstance(c, str) and HEX_COLOUR.fullmatch(c)]
        style.best_for_labels = [str(item).replace("_", " ").capitalize() for item in style.best_for]
        style.preview_url = media_url(style.preview_image.name) if style.preview_image else ""
    return styles


def _another_style(staging: Staging) -> str:
    other = Style.objects.active().exclude(pk=staging.style_id).values_list("pk", flat=True).first()
    return other or staging.style_id


def _steps(staging: Staging) -> list[dict]:
    """Every pipeline step with its latest status; a step run twice (a retry) shows its last attempt."""
    job = staging.job
    latest = {step.name: step for step in job.steps.all()}
    labels = dict(STEP_LABELS)
    if staging.mode != StagingMode.STAGE:
        order = list(STEP_LABELS)
        at = order.index("structure") + 1
        labels = {name: STEP_LABELS.get(name) or DECLUTTER_STEP_LABELS[name]
                  for name in [*order[:at], *DECLUTTER_STEP_LABELS, *order[at:]]}
        if staging.mode == StagingMode.DECLUTTER:
            labels = {name: label for name, label in labels.items() if name not in STAGING_ONLY_STEPS}
    names = [*labels, *(name for name in latest if name not in labels)]
    return [{"name": name, "label": labels.get(name, name.replace("_", " ").capitalize()),
             "status": latest[name].status if name in latest else "pending",
             "attempt": latest[name].item if name in latest else "",
             "duration_ms": latest[name].duration_ms if name in latest else None} for name in names]


def _files(staging: Staging, pair: str | None = None) -> dict:
    """Signed URLs of the staging's files, and the before/after pair the slider shows (``pair``,
    e.g. "emptied-staged", from the pairs its images make); empty once retention deleted them."""
    if staging.files_deleted_at:
        return {}
    name = slugify(staging.property_name or staging.style.name) or "staging"
    urls = {"original": media_url(staging.original_image.name) if staging.original_image else ""}
    if staging.status == "completed":
        urls["after"] = media_url((staging.web_image or staging.staged_image).name)
        images = {image["kind"]: image["url"] for image in selectors.images_of(staging) if image["url"]}
        pairs = [(before, after) for index, before in enumerate(images) for after in list(images)[index + 1:]]
        urls["pairs"] = [{"key": f"{before}-{after}", "label": f"{PAIR_WORDS[before]} / {PAIR_WORDS[after]}"}
                         for before, after in pairs]
        before, after = next((p for p in pairs if f"{p[0]}-{p[1]}" == pair), pairs[-1] if pairs else ("", ""))
        if before:
            urls |= {"original": images[before], "after": images[after], "pair": f"{before}-{after}",
                     "before_word": PAIR_WORDS[before], "after_word": PAIR_WORDS[after]}
        download = (staging.download_image or staging.staged_image).name
        extension = download.rsplit(".", 1)[-1]
        urls["download"] = media_url(download, download_name=f"{name}-staged-{str(staging.pk)[:8]}.{extension}")
        if staging.mode == StagingMode.DECLUTTER_AND_STAGE and staging.emptied_image:
            urls["emptied_download"] = media_url(staging.emptied_image.name,
                                                 download_name=f"{name}-emptied-{str(staging.pk)[:8]}.png")
    return urls


def _figures(staging: Staging) -> list[tuple[str, str, str]]:
    """The result's measurements as (label, value, explanation) for the page."""
    figures = []
    if staging.quality_score is not None:
        figures.append(("Quality score", f"{staging.quality_score:.2f}",
                        "How natural the photo and the new furniture look, 0 to 1"))
    if staging.integrity_score is not None:
        verdict = "passed" if staging.architectural_integrity else "below threshold"
        figures.append(("Architectural integrity", f"{staging.integrity_score:.0%}",
                        f"Walls, windows and doors in the same places ({verdict})"))
    if staging.pixel_lock_share is not None:
        figures.append(("Pixel lock", f"{staging.pixel_lock_share:.1%}",
                        "Pixels outside the furniture area in your downloads that match the original (within ΔE 1)"))
    if staging.emptied_figures:
        emptied = staging.emptied_figures
        figures.append(("Furniture removed", f"{emptied['emptiness']['drop']:.0%}",
                        "Share of the furnished area's edges gone in the emptied room "
                        f"(integrity {emptied['integrity_score']:.0%}, pixel lock {emptied['pixel_lock_share']:.1%})"))
    if staging.room_type:
        figures.append(("Room type", staging.get_room_type_display(),
                        staging.get_room_type_source_display() if staging.room_type_source else ""))
    if staging.processing_time_ms is not None:
        figures.append(("Processing time", f"{staging.processing_time_ms / 1000:.1f} s",
                        f"{staging.get_quality_mode_display()} quality"))
    return figures


def _add_thumbnails(stagings) -> None:
    """Give each staging a ``thumb_url``: its thumbnail when done, else its original."""
    for staging in stagings:
        field = staging.thumbnail if staging.thumbnail else staging.original_image
        staging.thumb_url = media_url(field.name) if field and not staging.files_deleted_at else ""
