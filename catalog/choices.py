"""Named constants for the catalog (seed 001)."""

from django.db import models


class ProductStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROCESSING = "processing", "Processing"
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


class Availability(models.TextChoices):
    """Google Merchant Center's ``availability`` values (Shopify reads ``out_of_stock`` as inventory policy deny)."""

    IN_STOCK = "in_stock", "In stock"
    OUT_OF_STOCK = "out_of_stock", "Out of stock"
    PREORDER = "preorder", "Preorder"
    BACKORDER = "backorder", "Backorder"


class Condition(models.TextChoices):
    """Google Merchant Center's ``condition`` values."""

    NEW = "new", "New"
    REFURBISHED = "refurbished", "Refurbished"
    USED = "used", "Used"


class UploadStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    UPLOADED = "uploaded", "Uploaded"
    FAILED = "failed", "Failed"


class AnalysisStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class DescribeStatus(models.TextChoices):
    """How the language-model step of an analysis ended."""

    COMPLETED = "completed", "Completed"
    NOT_CONFIGURED = "not_configured", "No language model configured"
    FAILED = "failed", "Failed"


class ItemStatus(models.TextChoices):
    """One image inside a processing job."""

    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class JobType(models.TextChoices):
    """Seed 001's ``job_type`` of a catalog job; the job's kind is ``catalog.<type>``."""

    SINGLE = "single", "Single image"
    BATCH = "batch", "Batch"
    FIX = "fix", "Main-image fix"
    FIX_ALL = "fix_all", "Fix of failing main images"


class Marketplace(models.TextChoices):
    """The marketplaces a main image can be fixed for (``catalog.main_image_fix.MARKETPLACES``)."""

    AMAZON = "amazon", "Amazon"
    GOOGLE = "google", "Google Merchant Center"
    SHOPIFY = "shopify", "Shopify"
    EBAY = "ebay", "eBay"


KIND_PREFIX = "catalog."
# The analysis jobs (seed 001's batches, single or several photos), whose products a fix-all can be limited to.
ANALYSIS_KINDS = tuple(f"{KIND_PREFIX}{job_type}" for job_type in (JobType.SINGLE, JobType.BATCH))
# The pipeline's steps per image, in order; each is a JobStep named per image (see pipeline.py).
STEPS = ("preprocess", "classify", "categorize", "measure", "defects", "compliance", "describe")
# A fix job's own steps, on the source image, before the fixed image runs through STEPS.
FIX_STEPS = ("load", "fix", "store")
# The frame of an animated GIF or WebP the pipeline analyses: the first, what a listing shows before it plays.
ANALYSED_FRAME = 0


# The content types the seed allows, by the Pillow format their bytes must sniff as.
CONTENT_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
