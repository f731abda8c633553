from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html

from catalog import services
from catalog.models import (
    AnalysisResult,
    ComplianceCheck,
    DamageFinding,
    DetectedDefect,
    ExtractedAttribute,
    Product,
    ProductImage,
)
from config.admin_base import ReadOnlyInline
from config.files.signing import media_url


def _thumbnail(name: str, height: int = 60) -> str:
    if not name:
        return "—"
    return format_html('<img src="{}" alt="" style="height:{}px;border-radius:4px">', media_url(name), height)


def _rerun(model_admin, request, images) -> None:
    """Queue uncharged re-runs through the service; busy or unuploaded images are skipped."""
    jobs = services.rerun_images(images)
    count = sum(job.catalog_items.count() for job in jobs)
    model_admin.message_user(request, f"Queued {count} image(s) in {len(jobs)} job(s).", messages.SUCCESS)


class ProductImageInline(ReadOnlyInline):
    model = ProductImage
    fields = ["preview", "original_filename", "content_type", "width", "height", "is_primary", "upload_status",
              "fixed_from", "fixed_for"]
    readonly_fields = fields

    @admin.display(description="Preview")
    def preview(self, image):
        return _thumbnail(image.thumbnail.name)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "category", "subcategory", "status", "price", "brand", "availability",
                    "image_count", "created_at"]
    list_filter = ["status", "category", "availability", "condition"]
    search_fields = ["title", "description", "owner__email", "id", "brand", "gtin", "mpn", "shopify_product_category"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    readonly_fields = ["id", "owner", "ai_description", "created_at", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # the product link; Django 6's default
    inlines = [ProductImageInline]
    actions = ["rerun_analysis"]

    @admin.display(description="Images")
    def image_count(self, product):
        return product.images.count()

    @admin.action(description="Re-run the analysis of every uploaded image (not charged)")
    def rerun_analysis(self, request, queryset):
        _rerun(self, request, ProductImage.objects.filter(product__in=queryset).select_related("product"))


@admin.register(ProductImage)
class ProductImageAdmin(admin.ModelAdmin):
    list_display = ["original_filename", "preview", "product", "content_type", "width", "height", "is_primary",
                    "upload_status", "fixed_for", "created_at"]
    list_filter = ["upload_status", "content_type", "is_primary", "fixed_for"]
    search_fields = ["original_filename", "s3_key", "sha256", "phash", "product__title", "product__owner__email"]
    list_select_related = ["product"]
    readonly_fields = [f.name for f in ProductImage._meta.fields] + ["large"]
    actions = ["rerun_analysis"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="Preview")
    def preview(self, image):
        return _thumbnail(image.thumbnail.name)

    @admin.display(description="Web copy")
    def large(self, image):
        return _thumbnail(image.web_image.name, 320)

    @admin.action(description="Re-run the analysis (not charged)")
    def rerun_analysis(self, request, queryset):
        _rerun(self, request, queryset.select_related("product"))


class AnalysisInline(ReadOnlyInline):
    """What an analysis found: its rows are the pipeline's, shown and never changed."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AttributeInline(AnalysisInline):
    model = ExtractedAttribute


class DefectInline(AnalysisInline):
    model = DetectedDefect
    verbose_name_plural = "Photo problems (defects)"


class DamageInline(AnalysisInline):
    model = DamageFinding
    verbose_name_plural = "Product damage (language model)"


class ComplianceInline(AnalysisInline):
    model = ComplianceCheck


@admin.register(AnalysisResult)
class AnalysisResultAdmin(admin.ModelAdmin):
    list_display = ["image", "classification_label", "classification_confidence", "category", "status",
                    "describe_status", "processing_time_ms", "created_at"]
    list_filter = ["status", "describe_status", "damage_status", "category", "model_version"]
    search_fields = ["classification_label", "category", "subcategory", "title", "image__product__title",
                     "image__original_filename", "job__id"]
    list_select_related = ["image"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AnalysisResult._meta.fields]
    inlines = [AttributeInline, DefectInline, DamageInline, ComplianceInline]
    actions = ["rerun_analysis"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Re-run the analysis of these images (not charged)")
    def rerun_analysis(self, request, queryset):
        images = ProductImage.objects.filter(analyses__in=queryset).distinct().select_related("product")
        _rerun(self, request, images)
