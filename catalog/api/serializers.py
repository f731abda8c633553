"""Seed 001's shapes: products, images, uploads, analyses, processing jobs."""

import re

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog import duplicates
from catalog.choices import (
    ANALYSED_FRAME,
    CONTENT_TYPES,
    KIND_PREFIX,
    Availability,
    Condition,
    JobType,
    Marketplace,
    ProductStatus,
)
from catalog.models import (
    CURRENCY_PATTERN,
    AnalysisResult,
    ComplianceCheck,
    DamageFinding,
    DetectedDefect,
    ExtractedAttribute,
    Product,
    ProductImage,
)
from catalog.selectors import duplicate_photos
from catalog.shopify_category import MAX_LENGTH as SHOPIFY_CATEGORY_MAX
from catalog.shopify_category import PATTERN as SHOPIFY_CATEGORY_PATTERN
from catalog.shopify_category import PROBLEM as SHOPIFY_CATEGORY_PROBLEM
from config.api.fields import CheckedChoiceField, CheckedURLField, RequiresOneOf, StatedIntegerField
from config.files.signing import media_url
from config.jobs.models import Job, JobStep

PRICE_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"


@extend_schema_field({"type": ["string", "null"], "format": "decimal", "pattern": PRICE_PATTERN,
                      "description": 'Price in ``currency`` as a string, e.g. "15.00"; null for none.'})
class PriceField(serializers.DecimalField):
    """A price as a string of digits with up to two decimals: what the schema states, nothing else
    (a JSON number, an exponent or a sign would pass ``DecimalField`` but not the schema)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_digits=12, decimal_places=2, min_value=0, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(PRICE_PATTERN, data):
            raise serializers.ValidationError('Give the price as a string such as "15.00".')
        return super().to_internal_value(data)


class FeedFieldsMixin(serializers.Serializer):
    """The fields the product feeds need (additions to seed 001), all optional; only those sent are set."""

    price = PriceField(required=False, allow_null=True)
    currency = serializers.RegexField(CURRENCY_PATTERN, required=False, allow_blank=True, help_text=(
        "ISO 4217 code (USD, EUR); blank uses the server's CATALOG_DEFAULT_CURRENCY."))
    brand = serializers.CharField(max_length=70, required=False, allow_blank=True)
    # Digits of a GTIN length here; the check digit is the service's (422 naming the right digit).
    gtin = serializers.RegexField(r"^([0-9]{8}|[0-9]{12,14})$", required=False, allow_blank=True, error_messages={
        "invalid": "gtin must be 8, 12, 13 or 14 digits."}, help_text=(
        "GTIN-8, UPC (12), EAN (13) or GTIN-14 digits with a valid check digit."))
    mpn = serializers.CharField(max_length=70, required=False, allow_blank=True)
    condition = serializers.ChoiceField(choices=Condition.choices, required=False)
    availability = serializers.ChoiceField(choices=Availability.choices, required=False)
    link = CheckedURLField(max_length=2000, required=False, allow_blank=True,
                           help_text="The product's page on the seller's shop (http or https).")
    google_product_category = serializers.CharField(max_length=250, required=False, allow_blank=True, help_text=(
        "Google's product taxonomy: an ID (\"1604\") or a path (\"Apparel & Accessories > Clothing\")."))
    shopify_product_category = serializers.RegexField(
        SHOPIFY_CATEGORY_PATTERN, max_length=SHOPIFY_CATEGORY_MAX, required=False, allow_blank=True,
        error_messages={"invalid": SHOPIFY_CATEGORY_PROBLEM}, help_text=(
            "Shopify's Standard Product Taxonomy, written to the Shopify CSV's Product Category column: the full "
            "path, levels joined by \" > \" (\"Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs\"), "
            "or the category id (\"hg-11-10-9-6\", or gid://shopify/TaxonomyCategory/hg-11-10-9-6)."))


class ProductInputSerializer(FeedFieldsMixin):
    title = serializers.CharField(max_length=500)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    subcategory = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=ProductStatus.choices, required=False, default=ProductStatus.DRAFT)
    metadata_ = serializers.DictField(required=False, default=dict, source="metadata")


class ProductUpdateSerializer(FeedFieldsMixin):
    """All fields optional: only those sent change."""

    title = serializers.CharField(max_length=500, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)
    subcategory = serializers.CharField(max_length=100, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ProductStatus.choices, required=False)
    metadata_ = serializers.DictField(required=False, source="metadata")


def file_url(name: str) -> str | None:
    return media_url(name) if name else None


class DuplicateSerializer(serializers.Serializer):
    """Another photo of the same owner that this one duplicates."""

    image_id = serializers.UUIDField(source="other.image_id")
    product_id = serializers.UUIDField(source="other.product_id")
    match = serializers.ChoiceField(choices=[duplicates.EXACT, duplicates.NEAR], source="kind", help_text=(
        "exact: the same file; near: the same picture re-encoded, resized or lightly edited."))
    distance = serializers.IntegerField(help_text="Bits in which the two 64-bit perceptual hashes differ.")


class ProductImageSerializer(serializers.ModelSerializer):
    """Seed 001's image, plus signed URLs of the original and its renditions, its perceptual hash, the
    owner's other photos it duplicates (marketplaces reject listings that reuse a photo) and, for a
    marketplace main image made by a fix, the image it was made from and the marketplace."""

    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    phash = serializers.CharField(help_text="64-bit perceptual hash (hex); blank until the photo is decoded.")
    duplicates = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ["id", "s3_key", "original_filename", "content_type", "file_size_bytes", "width", "height",
                  "is_primary", "upload_status", "sha256", "url", "thumbnail_url", "web_url", "phash",
                  "duplicates", "fixed_from", "fixed_for", "created_at"]
        extra_kwargs = {"fixed_from": {"help_text": "The image this one was fixed from; null for a photo."},
                        "fixed_for": {"help_text": "The marketplace it was fixed for; blank for a photo."}}

    @extend_schema_field(DuplicateSerializer(many=True))
    def get_duplicates(self, image) -> list:
        # A list view puts the page's matches in the context at once; otherwise one product's photos
        # are compared with the owner's catalog, once per product in this response.
        found = self.context.get("duplicates")
        if found is None:
            cache = self.context.setdefault("duplicates_by_product", {})
            if image.product_id not in cache:
                cache[image.product_id] = duplicate_photos(
                    image.product.owner_id, image_ids=[i.pk for i in image.product.images.all()])
            found = cache[image.product_id]
        return DuplicateSerializer(found.get(str(image.pk), []), many=True).data

    def get_url(self, image) -> str | None:
        return file_url(image.s3_key) if image.upload_status == "uploaded" else None

    def get_thumbnail_url(self, image) -> str | None:
        return file_url(image.thumbnail.name)

    def get_web_url(self, image) -> str | None:
        return file_url(image.web_image.name)


class ProductSerializer(serializers.ModelSerializer):
    """Seed 001's product, plus the fields the product feeds need (price, brand, GTIN, availability, link...)."""

    user_id = serializers.UUIDField(source="owner_id")
    metadata_ = serializers.JSONField(source="metadata")
    images = ProductImageSerializer(many=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "user_id", "title", "description", "category", "subcategory", "ai_description", "status",
                  "metadata_", "images", "price", "currency", "brand", "gtin", "mpn", "condition", "availability",
                  "link", "google_product_category", "shopify_product_category", "created_at", "updated_at"]

    def get_currency(self, product) -> str:
        return product.currency or settings.CATALOG_DEFAULT_CURRENCY


class PresignedUrlInputSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    filename = serializers.CharField(max_length=255)
    # Checked by the service, which answers 422.
    content_type = CheckedChoiceField(choices=list(CONTENT_TYPES))
    # The service checks the limit and answers 422 (seed 001).
    file_size_bytes = StatedIntegerField(min_value=1, schema={"maximum": settings.UPLOAD_MAX_BYTES})


class PresignedUrlSerializer(serializers.Serializer):
    """Seed 001's answer, plus the method and headers the PUT must use."""

    upload_url = serializers.URLField()
    image_id = serializers.UUIDField()
    s3_key = serializers.CharField()
    expires_in = serializers.IntegerField()
    method = serializers.CharField()
    headers = serializers.DictField(child=serializers.CharField())


class ConfirmInputSerializer(serializers.Serializer):
    image_id = serializers.UUIDField()


class DirectUploadInputSerializer(RequiresOneOf, serializers.Serializer):
    required_one_of = ("file",)  # missing, it is the service's 422 (seed 001), not a serializer 400

    product_id = serializers.UUIDField()
    file = serializers.FileField(required=False, allow_empty_file=True)


class QueuedSerializer(serializers.Serializer):
    image_id = serializers.UUIDField(required=False)
    job_id = serializers.UUIDField()
    status = serializers.CharField()
    message = serializers.CharField()


class FixInputSerializer(serializers.Serializer):
    marketplace = serializers.ChoiceField(choices=Marketplace.choices, help_text=(
        "The marketplace whose main-image rules the new image must meet."))
    shadow = serializers.BooleanField(required=False, default=False, help_text=(
        "Keep a soft grey contact shadow under the product; the rest of the background stays pure white."))


class FixAllInputSerializer(RequiresOneOf, serializers.Serializer):
    """The failing main images of chosen products: ``product_ids`` or ``batch_id``, one of the two."""

    required_one_of = ("product_ids", "batch_id")
    one_only = True

    marketplace = serializers.ChoiceField(choices=Marketplace.choices, help_text=(
        "The marketplace whose main-image rules the new images must meet."))
    # Empty is the service's EMPTY_SELECTION, said in words rather than as a list-length error.
    product_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=100, help_text=(
        "Products whose failing main image to fix (1 to 100 of yours)."))
    batch_id = serializers.UUIDField(required=False, help_text=(
        "An analysis batch (a catalog job): the products whose photos it analysed."))
    shadow = serializers.BooleanField(required=False, default=False, help_text=(
        "Keep a soft grey contact shadow under the product; the rest of the background stays pure white."))

    def validate(self, data):
        # Both at once is the service's refusal; without either, the page's whole catalog is not meant.
        if "product_ids" not in data and "batch_id" not in data:
            raise serializers.ValidationError("Give product_ids or batch_id.")
        return data


class FixAllQueuedSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    status = serializers.CharField()
    message = serializers.CharField()
    status_url = serializers.URLField(help_text="GET it for the job's progress and, once complete, its result.")
    image_ids = serializers.ListField(child=serializers.UUIDField(), help_text=(
        "The failing main images the job fixes, in order."))


class ExtractedAttributeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtractedAttribute
        fields = ["id", "attribute_name", "attribute_value", "confidence"]


class DetectedDefectSerializer(serializers.ModelSerializer):
    """A photo problem measured from the pixels: blur, exposure, low_resolution, busy_background or cropped.

    Seed 001 calls these defects; they describe the photo, not damage to the product (see ``product_damage``).
    """

    class Meta:
        model = DetectedDefect
        fields = ["id", "defect_type", "severity", "confidence", "bounding_box", "description"]


class DamageFindingSerializer(serializers.ModelSerializer):
    """Visible damage to the product (scratch, dent, crack, chip, stain, tear, ...) reported by a language model."""

    source = serializers.CharField(help_text="Who found it: language_model.")
    model = serializers.CharField(help_text="The language model that reported it.")

    class Meta:
        model = DamageFinding
        fields = ["id", "damage_type", "severity", "description", "source", "model"]


class ComplianceCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComplianceCheck
        fields = ["id", "marketplace", "rule", "measured", "threshold", "passed", "advisory", "source"]


class AnalysisResultSerializer(serializers.ModelSerializer):
    """Seed 001's ``AnalysisResultResponse``, plus category, measurements, copy and marketplace checks."""

    product_image_id = serializers.UUIDField(source="image_id")
    job_id = serializers.UUIDField(allow_null=True)
    extracted_attributes = ExtractedAttributeSerializer(many=True, source="attributes")
    detected_defects = DetectedDefectSerializer(many=True, source="defects", help_text=(
        "Photo problems (blur, exposure, low_resolution, busy_background, cropped) measured from the pixels; "
        "not damage to the product."))
    product_damage = DamageFindingSerializer(many=True, source="damage_findings", help_text=(
        "Visible damage to the product, found by a language model with vision when one is configured; "
        "empty when none was seen or none was asked (see damage_status)."))
    damage_status = serializers.SerializerMethodField(help_text=(
        "completed: a language model looked; not_configured: none was configured, so no damage was looked for; "
        "failed: the model could not answer; null: not reached yet."))
    compliance_checks = ComplianceCheckSerializer(many=True)
    describe_status = serializers.SerializerMethodField()
    analysed_frame = serializers.SerializerMethodField(
        help_text="The frame analysed: 0, the first (of an animation too); null until the image is loaded.")

    class Meta:
        model = AnalysisResult
        fields = ["id", "product_image_id", "job_id", "model_version", "classification_label",
                  "classification_confidence", "classification_scores", "category", "subcategory",
                  "category_confidence", "category_method", "description_text", "description_model", "title", "tags",
                  "alt_text", "describe_status", "measurements", "frames", "analysed_frame", "processing_time_ms",
                  "status", "error_message", "extracted_attributes", "detected_defects", "product_damage",
                  "damage_status", "compliance_checks",
                  "created_at", "updated_at"]

    def get_describe_status(self, analysis) -> str | None:
        return analysis.describe_status or None

    def get_damage_status(self, analysis) -> str | None:
        return analysis.damage_status or None

    def get_analysed_frame(self, analysis) -> int | None:
        return ANALYSED_FRAME if analysis.frames else None


class AnalysisBatchInputSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    image_ids = serializers.ListField(child=serializers.UUIDField(), allow_empty=False, max_length=100)


def job_type(job: Job) -> str:
    """``single`` or ``batch`` for catalog jobs; another app's job reads as its kind."""
    if job.kind.startswith(KIND_PREFIX):
        return JobType(job.kind.removeprefix(KIND_PREFIX)).value
    return job.kind


class ProcessingStepSerializer(serializers.ModelSerializer):
    step_name = serializers.CharField(source="name")
    image_id = serializers.SerializerMethodField()
    error_message = serializers.SerializerMethodField()

    class Meta:
        model = JobStep
        fields = ["id", "step_name", "image_id", "status", "started_at", "completed_at", "duration_ms",
                  "error_message", "result_data"]

    def get_image_id(self, step) -> str | None:
        return step.item or None

    def get_error_message(self, step) -> str | None:
        return step.error or None


class ProcessingJobSerializer(serializers.ModelSerializer):
    """Seed 001's ``ProcessingJobResponse``. Load jobs with ``selectors.with_image_counts``.

    ``celery_task_id`` is always null: jobs run on django-q2 and are known by their id. ``result`` is an
    addition: what the job returned once it completed (a fix names its new image there), ``{}`` before.
    """

    user_id = serializers.UUIDField(source="owner_id")
    job_type = serializers.SerializerMethodField()
    total_images = serializers.IntegerField()
    processed_images = serializers.IntegerField()
    failed_images = serializers.IntegerField()
    celery_task_id = serializers.SerializerMethodField()
    completed_at = serializers.DateTimeField(source="finished_at", allow_null=True)
    error_message = serializers.SerializerMethodField()
    steps = ProcessingStepSerializer(many=True)
    result = serializers.JSONField(read_only=True)
    updated_at = serializers.DateTimeField()

    class Meta:
        model = Job
        fields = ["id", "user_id", "job_type", "status", "total_images", "processed_images", "failed_images",
                  "celery_task_id", "started_at", "completed_at", "error_message", "steps", "result", "created_at",
                  "updated_at"]

    def get_job_type(self, job) -> str:
        return job_type(job)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_celery_task_id(self, job) -> None:
        return None

    def get_error_message(self, job) -> str | None:
        return job.error_message or None


class RecentJobSerializer(ProcessingJobSerializer):
    class Meta(ProcessingJobSerializer.Meta):
        fields = ["id", "job_type", "status", "total_images", "processed_images", "created_at", "completed_at"]


class JobListSerializer(serializers.Serializer):
    items = ProcessingJobSerializer(many=True)
    total = serializers.IntegerField()


class FeedMissingSerializer(serializers.Serializer):
    attribute = serializers.CharField(help_text=(
        "The feed's name of the attribute (gtin stands for gtin or mpn; Shopify's product_category is the "
        "product's shopify_product_category)."))
    reason = serializers.CharField()
    recommended = serializers.BooleanField(help_text="Recommended, not required: the product is exported without it.")


class FeedStateSerializer(serializers.Serializer):
    included = serializers.BooleanField(help_text="In the feed now: an active product missing nothing required.")
    missing = FeedMissingSerializer(many=True)


class FeedReadinessSerializer(serializers.Serializer):
    """One product that is not archived, with what each feed still needs of it."""

    product_id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=ProductStatus.choices)
    google = FeedStateSerializer()
    shopify = FeedStateSerializer()
