"""The catalog pipeline: from stored product photos to labels, categories, measurements,
photo problems (``defects``), marketplace checks and, when a language model is configured,
copy and visible product damage.

A job holds one or more images (``BatchItem``); each runs the steps in
``STEPS`` as ``job_step``s named per image (``item`` = image id), so
every step sends ``step_update`` events carrying its ``image_id``. The
events' ``progress`` counts images, as seed 001 defines it: ``total`` is the
job's images and ``completed`` those it is done with (analysed or failed), so
only an image's last step moves it. The job's ``fraction`` moves every step.

An animated GIF or WebP is stored with every frame; its first frame is the one
analysed, and the analysis records how many frames the file has.

Images are independent: one that fails (undecodable, a model error) is
recorded ``failed`` and the next one runs; the job fails only when every image
failed. A cancel stops the job at the next step boundary (``JobCancelled``).
The real work sits in ``taxonomy``, ``measure``, ``defects``, ``compliance``,
``describe``, ``damage`` and ``duplicates`` (the photo's perceptual hash); this
module only feeds them and stores what they return through ``services``. No HTTP in here.
"""

import contextlib
import hashlib
import io
import logging
import time

from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from catalog import compliance, damage, defects, describe, duplicates, measure, services, taxonomy
from catalog.choices import ANALYSED_FRAME, STEPS, DescribeStatus, ItemStatus
from catalog.errors import AnalysisFailed, ImageRejected
from catalog.models import AnalysisResult, BatchItem, ProductImage
from config.ai import registry, vision
from config.ai.embeddings import MODEL_NAME as EMBEDDER_MODEL
from config.ai.errors import EngineUnavailable
from config.ai.labels import MODEL_NAME as LABELER_MODEL
from config.errors import ApplicationError
from config.files.renditions import encode_jpeg, fit_within
from config.jobs import services as jobs
from config.jobs.choices import JobStatus
from config.jobs.models import Job
from config.jobs.runner import JobCancelled, items_finished, job_step

logger = logging.getLogger("stagecraft.catalog")

PIPELINE_VERSION = "catalog-1"
# The job's own task checks this often for images other workers are finishing,
# and takes back those whose worker has recorded nothing for STALL_SECONDS.
SHARE_POLL_SECONDS = 0.2
STALL_SECONDS = 300
TOP_LABELS = 5
COLOUR_ATTRIBUTES = 3
THUMBNAIL_LONG_EDGE = 400
WEB_LONG_EDGE = 1600


def model_version() -> str:
    """Which pipeline and local models produced a result (the language model is stored separately)."""
    return f"{PIPELINE_VERSION} ({LABELER_MODEL}, {EMBEDDER_MODEL})"


def analyse_job(job: Job) -> dict:
    """Analyse every image of ``job`` not analysed yet; return the job's summary.

    The images are shared: besides this task, ``share_job`` tasks on the other
    workers of the cluster take images from the same batch (``claim_item``), so a
    batch of 100 photos runs on every worker at once. This task ends the job: it
    waits until the images the others took are done, and takes back any whose
    worker stopped (``release_stalled_items``).

    Raises ``AnalysisFailed`` when no image succeeded, and lets ``JobCancelled``
    through (``run_job`` ends the job; its ``on_finish`` settles it).
    """
    pending = len(services.items_to_run(job))
    total_images = BatchItem.objects.filter(job=job).count()
    helpers = min(pending - 1, settings.Q_CLUSTER["workers"] - 1)
    for _ in range(max(0, helpers)):
        jobs.enqueue_share(job, "catalog.tasks.share_analysis")
    while True:
        analyse_claimed(job, total_images=total_images)
        if not BatchItem.objects.filter(job=job, status=ItemStatus.PROCESSING).exists():
            break
        time.sleep(SHARE_POLL_SECONDS)  # another worker is finishing an image
        services.release_stalled_items(job, idle_seconds=STALL_SECONDS)
    return job_summary(job)


def share_analysis(job_id: str) -> None:
    """Another worker's share of a running batch: take pending images until none is left.

    Changes nothing of the job itself (its own task ends it); a job that is no
    longer processing (finished, cancelled) has nothing left to share.
    """
    job = Job.objects.filter(pk=job_id, status=JobStatus.PROCESSING).first()
    if job is None:
        return
    with contextlib.suppress(JobCancelled):
        analyse_claimed(job, total_images=BatchItem.objects.filter(job=job).count())


def analyse_claimed(job: Job, *, total_images: int) -> None:
    """Claim and analyse the job's pending images one at a time until none is left."""
    while (item := services.claim_item(job)) is not None:
        analyse_item(job, item, total_images=total_images)


def job_summary(job: Job) -> dict:
    """The job's result: its images, analysed and failed. ``AnalysisFailed`` when none was analysed."""
    counts = dict.fromkeys(ItemStatus.values, 0)
    for status in BatchItem.objects.filter(job=job).values_list("status", flat=True):
        counts[status] += 1
    total = sum(counts.values())
    summary = {"total_images": total, "processed_images": counts[ItemStatus.COMPLETED],
               "failed_images": counts[ItemStatus.FAILED]}
    if total and not counts[ItemStatus.COMPLETED]:
        last_error = BatchItem.objects.filter(job=job).exclude(error="").order_by("-position") \
            .values_list("error", flat=True).first()
        raise AnalysisFailed(f"All {total} image(s) failed. Last error: {last_error or 'unknown'}", details=summary)
    return summary


def analyse_item(job: Job, item: BatchItem, *, total_images: int) -> None:
    """Run every step on one image; a failure is recorded on the image and not raised."""
    started = time.monotonic()
    run = ItemRun(job, item, total_images=total_images, images_done=images_done(job))
    try:
        run_steps(run)
    except JobCancelled:
        services.fail_item(item, run.analysis, "The job was cancelled.", status=ItemStatus.CANCELLED)
        raise
    except ApplicationError as exc:
        services.fail_item(item, run.analysis, exc.message)
        return
    except Exception:
        logger.exception("Catalog job %s: image %s crashed", job.pk, item.image_id)
        services.fail_item(item, run.analysis, "An internal error occurred.")
        return
    services.finish_item(item, run.analysis, processing_ms=int((time.monotonic() - started) * 1000))


def images_done(job: Job) -> int:
    """The images ``job`` is done with, analysed or failed (a retried job's earlier runs included)."""
    return BatchItem.objects.filter(job=job, status__in=[ItemStatus.COMPLETED, ItemStatus.FAILED]).count()


class ItemRun:
    """One image's pass through the steps: its ``job_step``s and the analysis row they fill.

    ``images_done`` is counted when the image starts: the images before it in
    this run, and those an earlier run of the job finished.
    """

    def __init__(self, job: Job, item: BatchItem, *, total_images: int, images_done: int) -> None:
        self.job, self.item = job, item
        self.total_images, self.images_done = total_images, images_done
        self.analysis: AnalysisResult | None = None

    def step(self, name: str):
        steps_done = STEPS.index(name) + 1
        # Counted afresh at each step: other workers sharing the batch finish images meanwhile.
        done = images_done(self.job) if steps_done > 1 else self.images_done
        return job_step(self.job, name, item=str(self.item.image_id), completed=done,
                        total=self.total_images, finishes_item=steps_done == len(STEPS),
                        count_done=lambda: items_finished(self.job, last_step=STEPS[-1]),
                        fraction=(done + steps_done / len(STEPS)) / self.total_images)


def run_steps(run: ItemRun) -> None:
    image, step = run.item.image, run.step
    with step("preprocess") as report:
        # Opened inside the first step: a job cancelled before this image leaves no row for it.
        analysis = run.analysis = services.start_item(run.item, model_version=model_version())
        photo, sha256, frames = load_photo(image)
        services.save_renditions(image, width=photo.width, height=photo.height, sha256=sha256,
                                 phash=duplicates.perceptual_hash(photo),
                                 thumbnail=encode_jpeg(fit_within(photo, THUMBNAIL_LONG_EDGE), quality=80),
                                 web=encode_jpeg(fit_within(photo, WEB_LONG_EDGE), quality=85))
        services.save_analysis(analysis, frames=frames)
        report.data.update(width=photo.width, height=photo.height, frames=frames, analysed_frame=ANALYSED_FRAME)
    with step("classify") as report:
        labels = registry.labeler().label([photo], top_k=TOP_LABELS).labels[0]
        services.save_analysis(analysis, classification_label=labels[0].name,
                               classification_confidence=labels[0].score,
                               classification_scores={label.name: label.score for label in labels})
        report.data.update(classification_label=labels[0].name, confidence=labels[0].score)
    with step("categorize") as report:
        category = taxonomy.categorize([(label.name, label.score) for label in labels], embedder=registry.embedder())
        services.save_analysis(analysis, category=category.category, subcategory=category.subcategory or "",
                               category_confidence=round(float(category.score), 4), category_method=category.method)
        report.data.update(category=category.category, subcategory=category.subcategory,
                           score=round(float(category.score), 4), method=category.method)
    with step("measure") as report:
        measured = measure.measure(photo, file_size_bytes=image.file_size_bytes)
        services.save_analysis(analysis, measurements=measured.to_dict())
        services.save_attributes(analysis, attributes_of(measured, labels, category))
        report.data.update(sharpness=measured.sharpness, background_is_white=measured.background_is_white,
                           fill_ratio=measured.fill_ratio, colours=[c["name"] for c in measured.colours])
    with step("defects") as report:
        found = defects.detect_defects(measured)
        services.save_defects(analysis, found)
        report.data.update(defects=[d.defect_type for d in found])
    with step("compliance") as report:
        checks = compliance.check_compliance(measured, category=category.category)
        services.save_compliance(analysis, checks)
        report.data.update(passed=sum(c.passed for c in checks), failed=sum(not c.passed for c in checks))
    describe_step(step, analysis, photo, facts=facts_of(image, analysis, measured, found))


def describe_step(step, analysis: AnalysisResult, photo: Image.Image, *, facts: dict) -> None:
    """Ask the language model for copy, then for visible product damage; without one the step says
    ``not_configured`` and records no damage findings at all.

    A model that is configured but fails (unreachable, invalid output) fails
    this step only: the image keeps everything measured before it. The damage
    question is asked whether or not the copy came, and its failure is its own
    (``damage_status``), not the copy's.
    """
    try:
        registry.language_model()
    except EngineUnavailable:
        with step("describe") as report:
            report.data.update(status=DescribeStatus.NOT_CONFIGURED)
        services.save_description(analysis, None, status=DescribeStatus.NOT_CONFIGURED)
        services.save_damage(analysis, None, status=DescribeStatus.NOT_CONFIGURED)
        return
    try:
        with step("describe") as report:
            try:
                description = describe.describe(photo, facts=facts)
            finally:
                report.data.update(damage=damage_check(analysis, photo))
            report.data.update(status=DescribeStatus.COMPLETED, model=description.model, title=description.title)
    except JobCancelled:
        raise
    except ApplicationError:
        services.save_description(analysis, None, status=DescribeStatus.FAILED)
        return
    services.save_description(analysis, description, status=DescribeStatus.COMPLETED)


def damage_check(analysis: AnalysisResult, photo: Image.Image) -> str:
    """Ask the model for visible damage to the product and store what it saw; returns the damage status."""
    try:
        found = damage.find_damage(photo)
    except ApplicationError:
        services.save_damage(analysis, None, status=DescribeStatus.FAILED)
        return DescribeStatus.FAILED
    services.save_damage(analysis, found, status=DescribeStatus.COMPLETED)
    return DescribeStatus.COMPLETED


def load_photo(image: ProductImage) -> tuple[Image.Image, str, int]:
    """The stored original decoded by its content, upright, as RGB (transparency on white), its SHA-256
    and its number of frames. An animation is its first frame: the one a listing shows before it plays."""
    try:
        with default_storage.open(image.s3_key, "rb") as stored:
            data = stored.read()
    except (FileNotFoundError, OSError):
        raise ImageRejected("The image's file could not be read from storage.") from None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > settings.UPLOAD_MAX_PIXELS:
                raise ImageRejected("The image has too many pixels.")
            opened.load()  # the first frame of an animation
            photo = ImageOps.exif_transpose(opened)
            frames = getattr(opened, "n_frames", 1)  # stored files went through clean_image's frame limit
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageRejected("The stored file is not a decodable image.") from None
    return flatten(photo), hashlib.sha256(data).hexdigest(), frames


def flatten(photo: Image.Image) -> Image.Image:
    """RGB, with transparent areas on white, as marketplaces show a cut-out product."""
    if photo.mode in ("RGBA", "LA", "PA") or (photo.mode == "P" and "transparency" in photo.info):
        rgba = photo.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return photo.convert("RGB")


def attributes_of(measured: measure.Measurements, labels: list, category) -> list[tuple[str, str, float]]:
    """Seed 001's extracted attributes, each from a model score or a measured share."""
    attributes = [("object", labels[0].name, labels[0].score)]
    if category.category:
        attributes.append(("category", category.category, category.score))
    if category.subcategory:
        attributes.append(("subcategory", category.subcategory, category.score))
    # k-means may split one colour into shades that share a name; a name's share is theirs together.
    shares: dict[str, float] = {}
    for colour in measured.colours:
        shares[colour["name"]] = shares.get(colour["name"], 0.0) + colour["share"]
    ranked = sorted(shares.items(), key=lambda pair: -pair[1])[:COLOUR_ATTRIBUTES]
    attributes += [("color", name, share) for name, share in ranked]
    background = "white" if measured.background_is_white else vision.colour_name(tuple(measured.background_rgb))
    attributes.append(("background", background, measured.background_uniformity))
    return attributes


def facts_of(image: ProductImage, analysis: AnalysisResult, measured: measure.Measurements, found: list) -> dict:
    """What the pipeline knows, for the language model to write from (and not contradict)."""
    return {
        "product_title": image.product.title,
        "product_description": image.product.description,
        "labels": analysis.classification_scores,
        "category": analysis.category,
        "subcategory": analysis.subcategory,
        "colours": list(dict.fromkeys(colour["name"] for colour in measured.colours)),
        "background": "white" if measured.background_is_white else "other",
        "width": measured.width,
        "height": measured.height,
        "defects": [d.defect_type for d in found],
    }

