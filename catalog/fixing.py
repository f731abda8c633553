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
"""

from dataclasses import asdict

from catalog import pipeline, services
from catalog.choices import AnalysisStatus
from catalog.errors import NothingToCutOut
from catalog.main_image_fix import fix_main_image
from catalog.models import BatchItem, ProductImage
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
        item = fixed_item(job, source, marketplace)
    services.items_to_run(job)
    pipeline.analyse_claimed(job, total_images=1)
    pipeline.job_summary(job)
    fix_data = JobStep.objects.get(job=job, name="fix", item=str(source.pk)).result_data
    return {"image_id": str(item.image_id), "source_image_id": str(source.pk), "marketplace": marketplace,
            "checks": fix_data["checks"], "unmet": fix_data["unmet"]}


def fixed_item(job: Job, source: ProductImage, marketplace: str) -> BatchItem:
    """Run ``load``, ``fix`` and ``store``; the stored image is the job's one item."""
    item_id = str(source.pk)
    with job_step(job, "load", item=item_id, fraction=0.1):
        photo, _, _ = pipeline.load_photo(source)
    with job_step(job, "fix", item=item_id, fraction=0.3) as report:
        try:
            fixed = fix_main_image(photo, marketplace, category=source_category(source))
        except ValueError as exc:
            raise NothingToCutOut() from exc
        report.data.update(checks=[asdict(c) for c in fixed.checks], unmet=[asdict(c) for c in fixed.unmet],
                           width=fixed.width, height=fixed.height, mask_coverage=fixed.mask_coverage)
    with job_step(job, "store", item=item_id, fraction=0.4) as report:
        item = services.store_fixed_image(job, source, fixed=fixed, marketplace=marketplace)
        report.data.update(image_id=str(item.image_id))
    return item


def source_category(source: ProductImage) -> str:
    """The category the source's latest completed analysis found (category rules differ), or blank."""
    return source.analyses.filter(status=AnalysisStatus.COMPLETED).values_list("category", flat=True).first() or ""
