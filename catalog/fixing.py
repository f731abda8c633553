"""The main-image fix job: a marketplace main image made from a product photo, stored and analysed.

Steps, each a ``job_step`` on the source image: ``load`` (the stored photo,
decoded as the analysis decodes it), ``fix`` (``main_image_fix.fix_main_image``),
``store`` (a new image of the product linked to its source). The fixed image
then runs through the catalog's own analysis steps (``pipeline.STEPS``, on the
new image), so its compliance is measured like any photo's. The job's result
names the new image, the marketplace, the fix's ``checks`` and the rules it
could not meet (``unmet``).

A retried job that already stored its image analyses that one again instead
of storing a second; the fix's checks are read back from its ``fix`` step.

``fix_all_job`` runs the same steps for each photo of a list in turn; one
photo's failure (nothing to cut out, an analysis that failed) is recorded in
the result and the next one runs. It fails only when no photo was fixed.
"""

from dataclasses import asdict

from catalog import pipeline, services
from catalog.choices import AnalysisStatus, ItemStatus
from catalog.errors import AnalysisFailed, NothingToCutOut
from catalog.main_image_fix import fix_main_image
from catalog.models import BatchItem, ProductImage
from config.errors import ApplicationError
from config.jobs.models import Job, JobStep
from config.jobs.runner import job_step


def fix_job(job: Job) -> dict:
    """Fix the job's source image for its marketplace and analyse the result; return the job's result.

    Raises ``NothingToCutOut`` when the photo has no product to cut out, and
    ``AnalysisFailed`` when the fixed image could not be analysed.
    """
    marketplace = job.params["marketplace"]
    source = ProductImage.objects.select_related("product").get(pk=job.params["image_id"])
    item = BatchItem.objects.filter(job=job).first()
    if item is None:
        item = fixed_item(job, source, marketplace, shadow=job.params.get("shadow", False))
    services.items_to_run(job)
    pipeline.analyse_claimed(job, total_images=1)
    pipeline.job_summary(job)
    fix_data = JobStep.objects.get(job=job, name="fix", item=str(source.pk)).result_data
    return {"image_id": str(item.image_id), "source_image_id": str(source.pk), "marketplace": marketplace,
            "checks": fix_data["checks"], "unmet": fix_data["unmet"]}


def fix_all_job(job: Job) -> dict:
    """Fix each photo of ``params["image_ids"]`` for the job's marketplace; return what was fixed and what failed.

    Progress counts photos. Raises ``AnalysisFailed`` when no photo could be fixed.
    """
    marketplace, wanted = job.params["marketplace"], job.params["image_ids"]
    found = ProductImage.objects.select_related("product").filter(pk__in=wanted, product__owner=job.owner)
    sources = sorted(found, key=lambda image: wanted.index(str(image.pk)))
    fixed, failed = [], []
    services.items_to_run(job)  # a retried job analyses again what it stored before
    for position, source in enumerate(sources):
        item = BatchItem.objects.filter(job=job, image__fixed_from=source).first()
        try:
            if item is None:
                item = fixed_item(job, source, marketplace, shadow=job.params.get("shadow", False),
                                  position=position, total=len(sources))
            pipeline.analyse_claimed(job, total_images=len(sources))
        except ApplicationError as exc:
            failed.append({"source_image_id": str(source.pk), "code": exc.code, "message": exc.message})
            continue
        item.refresh_from_db()
        if item.status != ItemStatus.COMPLETED:
            failed.append({"source_image_id": str(source.pk), "code": AnalysisFailed.code, "message": item.error})
            continue
        fix_data = JobStep.objects.get(job=job, name="fix", item=str(source.pk)).result_data
        fixed.append({"source_image_id": str(source.pk), "image_id": str(item.image_id),
                      "unmet": fix_data["unmet"]})
    result = {"marketplace": marketplace, "fixed": fixed, "failed": failed}
    if not fixed:
        raise AnalysisFailed(f"None of the {len(sources)} photo(s) could be fixed.", details=result)
    return result


def fixed_item(job: Job, source: ProductImage, marketplace: str, *, shadow: bool = False, position: int = 0,
               total: int = 1) -> BatchItem:
    """Run ``load``, ``fix`` and ``store`` on ``source`` (photo ``position`` of ``total``), with a contact
    shadow when ``shadow``; the stored image becomes an item of the job."""
    item_id = str(source.pk)

    def step(name: str, share: float):
        return job_step(job, name, item=item_id, completed=position, total=total if total > 1 else 0,
                        finishes_item=False, fraction=(position + share) / total)

    with step("load", 0.1):
        photo, _, _ = pipeline.load_photo(source)
    with step("fix", 0.3) as report:
        try:
            fixed = fix_main_image(photo, marketplace, category=source_category(source), shadow=shadow)
        except ValueError as exc:
            raise NothingToCutOut() from exc
        report.data.update(checks=[asdict(c) for c in fixed.checks], unmet=[asdict(c) for c in fixed.unmet],
                           width=fixed.width, height=fixed.height, mask_coverage=fixed.mask_coverage)
    with step("store", 0.4) as report:
        item = services.store_fixed_image(job, source, fixed=fixed, marketplace=marketplace, position=position)
        report.data.update(image_id=str(item.image_id))
    return item


def source_category(source: ProductImage) -> str:
    """The category the source's latest completed analysis found (category rules differ), or blank."""
    return source.analyses.filter(status=AnalysisStatus.COMPLETED).values_list("category", flat=True).first() or ""
