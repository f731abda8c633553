"""Products, their images, each analysis run and what it found, and the images of a job."""

import secrets
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import SuspiciousFileOperation
from django.core.validators import RegexValidator
from django.db import connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from catalog.choices import (
    AnalysisStatus,
    Availability,
    Condition,
    DescribeStatus,
    ItemStatus,
    Marketplace,
    ProductStatus,
    UploadStatus,
)
from catalog.gtin import validate_gtin
from catalog.shopify_category import MAX_LENGTH as MAX_CATEGORY_LENGTH
from catalog.shopify_category import validate_shopify_category
from config.jobs.models import Job

# Full-text search on PostgreSQL. Migration 0002 builds a GIN index on exactly
# this expression, so the two must stay identical for the index to be used.
SEARCH_CONFIG = "english"
CURRENCY_PATTERN = r"^[A-Z]{3}$"


def search_vector() -> SearchVector:
    return SearchVector("title", "description", config=SEARCH_CONFIG)


class ProductQuerySet(models.QuerySet):
    def for_user(self, user) -> "ProductQuerySet":
        return self.filter(owner=user)

    def search(self, text: str) -> "ProductQuerySet":
        """Full-text search on title and description; ``icontains`` where PostgreSQL is not in use.

        PostgreSQL stems words ("headphone" finds "Headphones") and reads
        ``websearch`` syntax (quotes, ``-word``, ``or``); SQLite matches substrings.
        """
        text = text.strip()
        if not text:
            return self
        if connections[self.db].vendor == "postgresql":
            query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
            return self.annotate(search=search_vector()).filter(search=query)
        return self.filter(Q(title__icontains=text) | Q(description__icontains=text))


class Product(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="products")
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=100, blank=True)
    subcategory = models.CharField(max_length=100, blank=True)
    # The language model's description of the primary image; null until one is written.
    ai_description = models.TextField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ProductStatus.choices, default=ProductStatus.DRAFT)
    metadata = models.JSONField(default=dict, blank=True)
    # What the product feeds need (catalog.feeds); blank until the seller fills them in.
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, validators=[RegexValidator(CURRENCY_PATTERN)],
                                help_text="ISO 4217 (USD, EUR); blank is CATALOG_DEFAULT_CURRENCY.")
    brand = models.CharField(max_length=70, blank=True)
    gtin = models.CharField(max_length=14, blank=True, validators=[validate_gtin],
                            help_text="GTIN-8, -12 (UPC), -13 (EAN) or -14, digits only.")
    mpn = models.CharField(max_length=70, blank=True)
    condition = models.CharField(max_length=16, choices=Condition.choices, default=Condition.NEW)
    availability = models.CharField(max_length=16, choices=Availability.choices, default=Availability.IN_STOCK)
    link = models.URLField(max_length=2000, blank=True)
    google_product_category = models.CharField(max_length=250, blank=True)
    shopify_product_category = models.CharField(
        max_length=MAX_CATEGORY_LENGTH, blank=True, validators=[validate_shopify_category],
        help_text="Shopify's product taxonomy: a full path (\"Home & Garden > Kitchen & Dining\") or a category id.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="catalog_product_owner_recent"),
            models.Index(fields=["owner", "status"], name="catalog_product_owner_status"),
            models.Index(fields=["owner", "category"], name="catalog_product_owner_category"),
        ]

    def __str__(self) -> str:
        return self.title

    def file_key(self, name: str) -> str:
        """Storage key of a file of this product: ``products/{user}/{product}/{name}``."""
        return f"products/{self.owner_id}/{self.id}/{name}"

    def new_image_key(self, filename: str) -> str:
        """``products/{user}/{product}/{random}_{safe name}``: chosen by the server, never by the client."""
        return self.file_key(f"{secrets.token_hex(8)}_{safe_filename(filename)}")


def display_name(filename: str) -> str:
    """The name a client gave a file, without any folders (shown, never used as a path)."""
    return PurePosixPath(filename.replace("\\", "/")).name[:255] or "image"


def safe_filename(filename: str) -> str:
    """The last path segment of ``filename`` made safe for a storage key (``../x.jpg`` is ``x.jpg``)."""
    base = display_name(filename).lstrip(".")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _valid_part(stem[:100]) or "image"
    suffix = _valid_part(suffix[:10])
    return f"{stem}.{suffix}" if suffix else stem


def _valid_part(text: str) -> str:
    """``text`` as Django's ``get_valid_filename`` keeps it, or "" when nothing of it is usable."""
    try:
        return get_valid_filename(text) if text.strip(" .") else ""
    except SuspiciousFileOperation:  # only characters a file name cannot keep
        return ""


class ProductImageQuerySet(models.QuerySet):
    def for_user(self, user) -> "ProductImageQuerySet":
        return self.filter(product__owner=user).select_related("product")


class ProductImage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    # The storage name of the original (seed 001 calls it the S3 key; local storage uses the same names).
    s3_key = models.CharField(max_length=500, unique=True)
    original_filename = models.CharField(max_length=255)
    # Declared by the client until the bytes are checked, then what they sniffed as.
    content_type = models.CharField(max_length=50)
    file_size_bytes = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    is_primary = models.BooleanField(default=False)
    upload_status = models.CharField(max_length=16, choices=UploadStatus.choices, default=UploadStatus.PENDING)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    # 64-bit perceptual hash (16 hex digits, ``catalog.duplicates``); blank until the photo is decoded.
    phash = models.CharField(max_length=16, blank=True)
    thumbnail = models.FileField(max_length=500, blank=True)
    web_image = models.FileField(max_length=500, blank=True)
    # A marketplace main image made from another photo of the product (``catalog.fixing``); the source stays.
    fixed_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="fixes")
    fixed_for = models.CharField(max_length=16, choices=Marketplace.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProductImageQuerySet.as_manager()

    class Meta:
        ordering = ["-is_primary", "created_at"]
        indexes = [models.Index(fields=["product", "created_at"], name="catalog_image_product_created")]
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=Q(is_primary=True), name="one_primary_image"),
        ]

    def __str__(self) -> str:
        return self.original_filename

    def stored_names(self) -> list[str]:
        """Every file this image has in storage."""
        return [name for name in (self.s3_key, self.thumbnail.name, self.web_image.name) if name]


class AnalysisResultQuerySet(models.QuerySet):
    def for_user(self, user) -> "AnalysisResultQuerySet":
        return self.filter(image__product__owner=user)

    def with_findings(self) -> "AnalysisResultQuerySet":
        return self.prefetch_related("attributes", "defects", "compliance_checks", "damage_findings")


class AnalysisResult(models.Model):
    """One run of the pipeline on one image; a retry adds a row, the newest is current."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    image = models.ForeignKey(ProductImage, on_delete=models.CASCADE, related_name="analyses")
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="catalog_analyses")
    model_version = models.CharField(max_length=200, blank=True)
    classification_label = models.CharField(max_length=200, null=True, blank=True)
    classification_confidence = models.FloatField(null=True, blank=True)
    classification_scores = models.JSONField(default=dict, blank=True)
    category = models.CharField(max_length=100, blank=True)
    subcategory = models.CharField(max_length=100, blank=True)
    category_confidence = models.FloatField(null=True, blank=True)
    category_method = models.CharField(max_length=50, blank=True)
    measurements = models.JSONField(default=dict, blank=True)
    # Frames of the analysed file: more than one for an animated GIF or WebP, whose first frame
    # is the one analysed. Null until the image is loaded.
    frames = models.PositiveIntegerField(null=True, blank=True)
    description_text = models.TextField(null=True, blank=True)
    description_model = models.CharField(max_length=200, null=True, blank=True)
    title = models.CharField(max_length=500, null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    alt_text = models.TextField(null=True, blank=True)
    describe_status = models.CharField(max_length=16, choices=DescribeStatus.choices, blank=True)
    # Whether the language model looked for visible product damage (``catalog.damage``): blank before the step.
    damage_status = models.CharField(max_length=16, choices=DescribeStatus.choices, blank=True)
    processing_time_ms = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=AnalysisStatus.choices, default=AnalysisStatus.PENDING)
    error_message = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AnalysisResultQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["image", "-created_at"], name="catalog_analysis_image_recent"),
            models.Index(fields=["status"], name="catalog_analysis_status"),
        ]
        constraints = [models.UniqueConstraint(fields=["job", "image"], name="one_analysis_per_job_image")]

    def __str__(self) -> str:
        return f"{self.classification_label or 'analysis'} of {self.image_id} ({self.status})"


class ExtractedAttribute(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    analysis = models.ForeignKey(AnalysisResult, on_delete=models.CASCADE, related_name="attributes")
    attribute_name = models.CharField(max_length=100)
    attribute_value = models.CharField(max_length=500)
    confidence = models.FloatField()

    class Meta:
        ordering = ["attribute_name", "-confidence"]

    def __str__(self) -> str:
        return f"{self.attribute_name}={self.attribute_value}"


class DetectedDefect(models.Model):
    """A photo problem measured from the pixels (blur, exposure, resolution, busy background, cropping).

    Seed 001 calls these defects; they describe the photo, not damage to the product (``DamageFinding``).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    analysis = models.ForeignKey(AnalysisResult, on_delete=models.CASCADE, related_name="defects")
    defect_type = models.CharField(max_length=100)
    severity = models.CharField(max_length=16)
    confidence = models.FloatField()
    bounding_box = models.JSONField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-confidence"]

    def __str__(self) -> str:
        return f"{self.defect_type} ({self.severity})"


class DamageFinding(models.Model):
    """Visible damage to the product (a scratch, a dent), reported by a language model looking at the photo."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    analysis = models.ForeignKey(AnalysisResult, on_delete=models.CASCADE, related_name="damage_findings")
    damage_type = models.CharField(max_length=50)
    severity = models.CharField(max_length=16)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=50)  # who found it: "language_model"
    model = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["damage_type"]

    def __str__(self) -> str:
        return f"{self.damage_type} ({self.severity}, {self.source})"


class ComplianceCheck(models.Model):
    """One marketplace rule measured against one image."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    analysis = models.ForeignKey(AnalysisResult, on_delete=models.CASCADE, related_name="compliance_checks")
    marketplace = models.CharField(max_length=100)
    rule = models.CharField(max_length=200)
    measured = models.JSONField(null=True, blank=True)
    threshold = models.JSONField(null=True, blank=True)
    passed = models.BooleanField()
    # An advisory rule is a recommendation: failing it does not keep a listing off the marketplace.
    advisory = models.BooleanField(default=False)
    source = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["marketplace", "rule"]

    def __str__(self) -> str:
        return f"{self.marketplace}: {self.rule} ({'pass' if self.passed else 'fail'})"


class BatchItem(models.Model):
    """One image of a catalog job (a single-image job has one).

    ``usage_counted`` is True while the item holds one unit of its owner's
    plan usage: the catalog meters per image, not per job.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="catalog_items")
    image = models.ForeignKey(ProductImage, on_delete=models.CASCADE, related_name="batch_items")
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    error = models.TextField(blank=True)
    usage_counted = models.BooleanField(default=False)

    class Meta:
        ordering = ["job", "position"]
        indexes = [models.Index(fields=["image", "status"], name="catalog_item_image_status")]
        constraints = [models.UniqueConstraint(fields=["job", "image"], name="one_item_per_job_image")]

    def __str__(self) -> str:
        return f"{self.job_id} #{self.position} ({self.status})"
