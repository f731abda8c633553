"""Reads shared by the API and the pages: product lists, analyses, jobs with image counts, dashboard."""

from django.conf import settings
from django.db.models import Avg, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from catalog import duplicates, wording
from catalog.choices import KIND_PREFIX, AnalysisStatus, ItemStatus, ProductStatus, UploadStatus
from catalog.models import AnalysisResult, DetectedDefect, Product, ProductImage
from config.errors import NotFound, ValidationFailed
from config.jobs.choices import JobStatus
from config.jobs.models import Job, JobEvent, JobStep

RECENT_JOBS = 10


def products_for(owner, *, category: str = "", status: str = "", search: str = "") -> QuerySet[Product]:
    """``owner``'s products, newest first, filtered as seed 001's list allows, images prefetched."""
    if status and status not in ProductStatus.values:
        raise ValidationFailed(f"status must be one of {', '.join(ProductStatus.values)}.")
    products = Product.objects.for_user(owner).prefetch_related("images")
    if category:
        products = products.filter(category=category)
    if status:
        products = products.filter(status=status)
    return products.search(search) if search else products


def product_for(owner, product_id) -> Product:
    """One of ``owner``'s products; another user's id is ``NotFound``, like a missing one."""
    product = products_for(owner).filter(pk=product_id).first()
    if product is None:
        raise NotFound("Product not found.")
    return product


def image_for(owner, image_id) -> ProductImage:
    """One of ``owner``'s images (``NotFound`` otherwise), with its product."""
    image = ProductImage.objects.for_user(owner).filter(pk=image_id).first()
    if image is None:
        raise NotFound("Image not found.")
    return image


def analyses_of_product(owner, product_id) -> list[AnalysisResult]:
    """Every analysis run of every image of one of ``owner``'s products, newest first."""
    product = product_for(owner, product_id)
    return list(AnalysisResult.objects.filter(image__product=product).with_findings())


def latest_analysis(owner, image_id) -> AnalysisResult:
    """The newest analysis of one of ``owner``'s images (``NotFound`` if none or not theirs)."""
    analysis = AnalysisResult.objects.for_user(owner).filter(image_id=image_id).with_findings().first()
    if analysis is None:
        raise NotFound("No analysis result for this image.")
    return analysis


def with_image_counts(jobs: QuerySet[Job]) -> QuerySet[Job]:
    """Annotate seed 001's image counts (zero for jobs of other apps) and ``updated_at``,
    the time of the job's latest event."""
    last_event = JobEvent.objects.filter(job=OuterRef("pk")).order_by("-id").values("created_at")[:1]
    return jobs.annotate(
        total_images=Count("catalog_items"),
        processed_images=Count("catalog_items", filter=Q(catalog_items__status=ItemStatus.COMPLETED)),
        failed_images=Count("catalog_items", filter=Q(catalog_items__status=ItemStatus.FAILED)),
        updated_at=Coalesce(Subquery(last_event), F("created_at")),
    )


def jobs_for(owner, *, status: str = "", catalog_only: bool = False) -> QuerySet[Job]:
    """``owner``'s jobs of every kind (or the catalog's), newest first, with counts and steps."""
    if status and status not in JobStatus.values:
        raise ValidationFailed(f"status must be one of {', '.join(JobStatus.values)}.")
    jobs = Job.objects.for_user(owner)
    if catalog_only:
        jobs = jobs.filter(kind__startswith=KIND_PREFIX)
    if status:
        jobs = jobs.filter(status=status)
    # Explicit order: Meta.ordering does not apply to the aggregate query with_image_counts builds.
    return with_image_counts(jobs).order_by("-created_at", "-id") \
        .prefetch_related(Prefetch("steps", queryset=JobStep.objects.order_by("id")))


def job_for(owner, job_id, *, catalog_only: bool = False) -> Job:
    job = jobs_for(owner, catalog_only=catalog_only).filter(pk=job_id).first()
    if job is None:
        raise NotFound("Job not found.")
    return job


def dashboard_stats(owner) -> dict:
    """Seed 001's dashboard figures, all counted from rows."""
    analyses = AnalysisResult.objects.for_user(owner).filter(status=AnalysisStatus.COMPLETED)
    average = analyses.aggregate(avg=Avg("processing_time_ms"))["avg"]
    return {
        "total_products": Product.objects.for_user(owner).count(),
        # Only images that arrived: a presigned upload never confirmed is not an image yet.
        "total_images": ProductImage.objects.filter(product__owner=owner, upload_status=UploadStatus.UPLOADED).count(),
        "completed_analyses": analyses.count(),
        "total_defects": DetectedDefect.objects.filter(analysis__image__product__owner=owner).count(),
        "active_jobs": Job.objects.for_user(owner).filter(
            kind__startswith=KIND_PREFIX, status__in=[JobStatus.QUEUED, JobStatus.PROCESSING]).count(),
        "avg_processing_time_ms": round(average) if average is not None else None,
        # An addition to seed 001: photos that duplicate another of the owner's (marketplaces reject those).
        "duplicate_images": len(duplicate_photos(owner)),
    }


def duplicate_photos(owner, *, image_ids=None) -> dict[str, list[duplicates.Match]]:
    """Every one of ``owner``'s uploaded photos (or of ``image_ids``) that duplicates another of theirs,
    by image id (str).

    Only the owner's photos are compared; see ``catalog.duplicates`` for exact and near.
    """
    rows = (ProductImage.objects.filter(product__owner=owner, upload_status=UploadStatus.UPLOADED)
            .exclude(phash="").values_list("pk", "product_id", "phash", "sha256"))
    photos = [duplicates.Photo(str(pk), str(product_id), phash, sha256) for pk, product_id, phash, sha256 in rows]
    only = None if image_ids is None else {str(image_id) for image_id in image_ids}
    return duplicates.find_duplicates(photos, max_distance=settings.CATALOG_DUPLICATE_DISTANCE, only=only)


def duplicate_report(owner) -> list[dict]:
    """The owner's duplicated photos for the pages: each with its product and the photos it matches."""
    found = duplicate_photos(owner)
    ids = set(found) | {match.other.image_id for matches in found.values() for match in matches}
    images = {str(image.pk): image for image in ProductImage.objects.filter(pk__in=ids).select_related("product")}
    return [{"image": images[image_id],
             "matches": [{"image": images[m.other.image_id], "kind": m.kind, "distance": m.distance}
                         for m in matches]}
            for image_id, matches in sorted(found.items(), key=lambda pair: images[pair[0]].created_at)]


def recent_jobs(owner, *, limit: int = RECENT_JOBS) -> list[Job]:
    """``owner``'s latest catalog jobs with their image counts."""
    jobs = Job.objects.for_user(owner).filter(kind__startswith=KIND_PREFIX)
    return list(with_image_counts(jobs).order_by("-created_at", "-id")[:limit])


def category_distribution(owner) -> list[dict]:
    """How many of ``owner``'s products are in each category, largest first."""
    rows = (Product.objects.for_user(owner).exclude(category="").values("category")
            .annotate(count=Count("id")).order_by("-count", "category"))
    return [{"category": row["category"], "count": row["count"]} for row in rows]


def marketplace_verdicts(checks) -> list[dict]:
    """Compliance checks grouped by marketplace, each with its verdict.

    A failed advisory check is a recommendation and does not block the listing.
    """
    grouped: dict[str, list] = {}
    for check in checks:
        grouped.setdefault(check.marketplace, []).append(check)
    for rows in grouped.values():
        for check in rows:
            check.sentence = wording.rule_sentence(check)
    return [{"name": wording.marketplace_name(name), "checks": rows,
             "passed": all(c.passed or c.advisory for c in rows)} for name, rows in grouped.items()]
