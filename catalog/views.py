"""Catalog pages: the product grid, one product with its photos and analyses, batches, the dashboard."""

import csv
import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import selectors, services
from catalog.choices import ANALYSIS_KINDS, STEPS, DescribeStatus, ItemStatus, UploadStatus
from catalog.feeds import export as feeds_export
from catalog.forms import FixAllForm, FixForm, PhotoForm, ProductEditForm, ProductFilterForm, ProductForm
from catalog.models import AnalysisResult, BatchItem, Product, ProductImage
from config.ai import readiness
from config.errors import ApplicationError, NotFound
from config.files.signing import media_url
from config.jobs.choices import FINISHED_STATUSES

STEP_LABELS = {
    "preprocess": "Preparing the photo", "classify": "Recognising the product", "categorize": "Choosing a category",
    "measure": "Measuring light, colour and framing", "defects": "Checking for photo problems",
    "compliance": "Checking marketplace rules", "describe": "Writing copy and looking for damage",
}
EXPORT_FIELDS = ["position", "image_id", "filename", "status", "error", "label", "confidence", "category",
                 "subcategory", "colours", "defects", "compliance_failed", "title", "description", "tags", "alt_text"]


@login_required
def products(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.create_product(request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("catalog:product", product_id=product.pk)
    categories = _categories(request.user)
    filters = ProductFilterForm(request.GET, categories=categories)
    filters.is_valid()  # an unknown value only drops that filter
    try:
        items = list(selectors.products_for(request.user, **{k: v or "" for k, v in filters.cleaned_data.items()}))
    except ApplicationError as exc:
        filters.add_error(None, exc.message)
        items = []
    _decorate(items)
    return render(request, "catalog/products.html", {
        "products": items, "filters": filters, "form": form, "categories": categories,
        "filtered": any(filters.cleaned_data.values()), "fix_form": FixForm(),
    })


@login_required
def product(request, product_id):
    item = _product_or_404(request.user, product_id)
    form = ProductEditForm(request.POST or None, initial=_initial(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_product(request.user, product_id=item.pk,
                                    changes={name: form.cleaned_data[name] for name in form.changed_data})
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Product saved.")
            return redirect("catalog:product", product_id=item.pk)
    return _render_product(request, item, form=form)


@login_required
@require_POST
def upload(request, product_id):
    """One photo, through the service behind ``POST /api/v1/uploads/direct``; JSON for the page's script."""
    item = _product_or_404(request.user, product_id)
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = PhotoForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ApplicationError(" ".join(form.errors.get("file", ["Choose a photo."])), status=422)
        image, job = services.upload_direct(request.user, product_id=item.pk, upload=form.cleaned_data["file"])
    except ApplicationError as exc:
        if wants_json:
            return JsonResponse({"detail": exc.message}, status=exc.status if 400 <= exc.status < 500 else 422)
        return _render_product(request, item, photo_form=_with_error(form, exc.message), status=422)
    if wants_json:
        return JsonResponse({"image_id": str(image.pk), "job_id": str(job.pk), "status": job.status,
                             "card_url": reverse("catalog:product", args=[item.pk])})
    messages.success(request, f"{image.original_filename} uploaded; its analysis has started.")
    return redirect("catalog:product", product_id=item.pk)


@login_required
@require_POST
def rerun(request, image_id):
    """Analyse a photo again (the service behind ``POST /api/v1/analysis/{image_id}/retry``)."""
    try:
        image = selectors.image_for(request.user, image_id)
    except NotFound:
        raise Http404 from None
    try:
        services.retry_analysis(request.user, image_id=image.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{image.original_filename} is being analysed again.")
    return redirect(reverse("catalog:product", args=[image.product_id]) + f"#image-{image.pk}")


@login_required
@require_POST
def fix(request, image_id):
    """A marketplace main image from a photo (the service behind ``POST .../images/{image_id}/fix``)."""
    try:
        image = selectors.image_for(request.user, image_id)
    except NotFound:
        raise Http404 from None
    form = FixForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("Choose a marketplace.", status=422)
        job = services.queue_fix(request.user, product_id=image.product_id, image_id=image.pk, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("catalog:product", args=[image.product_id]) + f"#image-{image.pk}")
    return redirect("jobs:detail", job_id=job.pk)


@login_required
@require_POST
def fix_failing(request):
    """Fix the failing main images of the user's products (all, the ticked ones, or a batch's) as one job."""
    form = FixAllForm(request.POST)
    back = reverse("catalog:products")
    try:
        if not form.is_valid():
            raise ApplicationError("Choose a marketplace.", status=422)
        if form.cleaned_data["batch_id"]:
            back = reverse("catalog:batch", args=[form.cleaned_data["batch_id"]])
        job = services.queue_fix_all(request.user, marketplace=form.cleaned_data["marketplace"],
                                     shadow=form.cleaned_data["shadow"], **form.selection())
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return redirect("jobs:detail", job_id=job.pk)


@login_required
@require_POST
def analyse_all(request, product_id):
    """Every uploaded photo of the product again, as one batch."""
    item = _product_or_404(request.user, product_id)
    try:
        job = services.create_batch(request.user, product_id=item.pk,
                                    image_ids=list(item.images.filter(upload_status="uploaded")
                                                   .values_list("pk", flat=True)))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("catalog:product", product_id=item.pk)
    return redirect("catalog:batch", job_id=job.pk)


@login_required
def batch(request, job_id):
    job = _job_or_404(request.user, job_id)
    items = _items(job)
    return render(request, "catalog/batch.html", {
        "job": job, "items": items, "finished": job.is_finished, "step_labels": STEP_LABELS,
        "retryable": [i for i in items if i.status in (ItemStatus.FAILED, ItemStatus.CANCELLED)],
        "product": Product.objects.filter(pk=job.params.get("product_id")).first(),
        # An analysis batch's products can have their failing main images fixed once it has run.
        "fixable": job.is_finished and job.kind in ANALYSIS_KINDS,
        "fix_form": FixForm(),
        "last_event_id": job.events.order_by("-id").values_list("id", flat=True).first() or 0,
    })


@login_required
@require_POST
def batch_cancel(request, job_id):
    job = _job_or_404(request.user, job_id)
    try:
        services.cancel_batch(request.user, job_id=job.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Batch cancelled. Photos not analysed yet were given back to your plan.")
    return redirect("catalog:batch", job_id=job.pk)


@login_required
@require_POST
def batch_retry(request, job_id):
    """The batch's failed and cancelled photos again, in a new batch (finished photos are kept)."""
    job = _job_or_404(request.user, job_id)
    retry = [i.image_id for i in _items(job) if i.status in (ItemStatus.FAILED, ItemStatus.CANCELLED)]
    try:
        new = services.create_batch(request.user, product_id=job.params.get("product_id"), image_ids=retry)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("catalog:batch", job_id=job.pk)
    return redirect("catalog:batch", job_id=new.pk)


@login_required
def batch_export(request, job_id, fmt):
    if fmt not in ("csv", "json"):
        raise Http404
    job = _job_or_404(request.user, job_id)
    rows = [_export_row(item) for item in _items(job)]
    name = f"catalog-batch-{str(job.pk)[:8]}"
    if fmt == "json":
        response = HttpResponse(json.dumps({"job_id": str(job.pk), "status": job.status, "items": rows}, indent=2),
                                content_type="application/json")
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.DictWriter(response, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        writer.writerows({k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()} for row in rows)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def feeds(request):
    """Download buttons for each feed, and what each product still misses."""
    return render(request, "catalog/feeds.html", {"products": feeds_export.readiness(request.user)})


@login_required
def dashboard(request):
    return render(request, "catalog/dashboard.html", {
        "stats": selectors.dashboard_stats(request.user), "jobs": selectors.recent_jobs(request.user),
        "distribution": selectors.category_distribution(request.user),
        "duplicates": selectors.duplicate_report(request.user),
    })


# --- Helpers ------------------------------------------------------------------


def _product_or_404(user, product_id) -> Product:
    try:
        return selectors.product_for(user, product_id)
    except NotFound:
        raise Http404 from None


def _job_or_404(user, job_id):
    try:
        return selectors.job_for(user, job_id, catalog_only=True)
    except NotFound:
        raise Http404 from None


def _with_error(form, message: str):
    form.is_valid()
    form.add_error(None, message)
    return form


def _initial(item: Product) -> dict:
    return {name: getattr(item, name) for name in ProductEditForm.base_fields}


def _categories(user) -> list[str]:
    return [row["category"] for row in selectors.category_distribution(user)]


def _render_product(request, item: Product, *, form=None, photo_form=None, status: int = 200):
    images = list(item.images.all())
    latest: dict = {}
    for analysis in selectors.analyses_of_product(request.user, item.pk):
        latest.setdefault(analysis.image_id, analysis)
    busy = dict(BatchItem.objects.filter(image__product=item, status__in=[ItemStatus.PENDING, ItemStatus.PROCESSING])
                .exclude(job__status__in=FINISHED_STATUSES).values_list("image_id", "job_id"))
    found = selectors.duplicate_photos(request.user, image_ids=[image.pk for image in images])
    others = {m.other.image_id for image in images for m in found.get(str(image.pk), [])}
    names = dict(ProductImage.objects.filter(pk__in=others).values_list("pk", "original_filename"))
    for image in images:
        image.duplicates = [{"match": m, "filename": names.get(uuid.UUID(m.other.image_id), "")}
                            for m in found.get(str(image.pk), [])]
        image.thumb_url = _thumb(image)
        image.analysis = _describe(latest.get(image.pk))
        image.job_id = busy.get(image.pk)
    by_id = {image.pk: image for image in images}
    for image in images:
        image.source = by_id.get(image.fixed_from_id)  # the before of a fixed image's before/after
    return render(request, "catalog/product.html", {
        "product": item, "images": images, "step_labels": STEP_LABELS, "steps": STEPS,
        "form": form or ProductEditForm(initial=_initial(item)),
        "photo_form": photo_form or PhotoForm(), "categories": _categories(request.user),
        "not_configured": DescribeStatus.NOT_CONFIGURED, "fix_form": FixForm(), "feed_fields": services.FEED_FIELDS,
        "feed_state": feeds_export.readiness(request.user, products=[item])[0],
        # Said before any upload: photos are analysed on this machine, copy needs a language model.
        "copy_readiness": readiness.language_model(),
        "engines_url": reverse("ai:engines") if request.user.is_staff else "",
    }, status=status)


def _thumb(image) -> str:
    name = image.thumbnail.name or (image.s3_key if image.upload_status == "uploaded" else "")
    return media_url(name) if name else ""


def _describe(analysis: AnalysisResult | None) -> AnalysisResult | None:
    """Give an analysis its colours and its checks grouped by marketplace, for the page."""
    if analysis is None:
        return None
    analysis.colours = [a.attribute_value for a in analysis.attributes.all() if a.attribute_name == "color"]
    analysis.marketplaces = selectors.marketplace_verdicts(analysis.compliance_checks.all())
    return analysis


def _decorate(items: list[Product]) -> None:
    """Thumbnail and marketplace badges of each product, from its primary photo's latest analysis."""
    primaries = {p.pk: next(iter(p.images.all()), None) for p in items}
    image_ids = [image.pk for image in primaries.values() if image is not None]
    latest: dict = {}
    for analysis in (AnalysisResult.objects.filter(image_id__in=image_ids, status="completed")
                     .prefetch_related("compliance_checks").order_by("-created_at")):
        latest.setdefault(analysis.image_id, analysis)
    for p in items:
        image = primaries[p.pk]
        p.thumb_url = _thumb(image) if image else ""
        # Photos that arrived: a presigned upload never sent is not a photo (as in the dashboard's total_images).
        p.photo_count = sum(image.upload_status == UploadStatus.UPLOADED for image in p.images.all())
        analysis = latest.get(image.pk) if image else None
        p.marketplaces = selectors.marketplace_verdicts(analysis.compliance_checks.all()) if analysis else []


def _items(job) -> list[BatchItem]:
    items = list(BatchItem.objects.filter(job=job).select_related("image").order_by("position"))
    analyses = {a.image_id: a for a in AnalysisResult.objects.filter(job=job).with_findings()}
    for item in items:
        item.analysis = _describe(analyses.get(item.image_id))
        item.image.thumb_url = _thumb(item.image)
    return items


def _export_row(item: BatchItem) -> dict:
    a = item.analysis
    row = {"position": item.position + 1, "image_id": str(item.image_id), "filename": item.image.original_filename,
           "status": item.status, "error": item.error}
    if a is None:
        return {**dict.fromkeys(EXPORT_FIELDS, ""), **row, "colours": [], "defects": [], "compliance_failed": [],
                "tags": []}
    return {**row, "label": a.classification_label or "", "confidence": a.classification_confidence,
            "category": a.category, "subcategory": a.subcategory, "colours": a.colours,
            "defects": [d.defect_type for d in a.defects.all()],
            "compliance_failed": [f"{c.marketplace}: {c.rule}" for c in a.compliance_checks.all()
                                  if not c.passed and not c.advisory],
            "title": a.title or "", "description": a.description_text or "", "tags": list(a.tags or []),
            "alt_text": a.alt_text or ""}
