"""Catalog jobs in words (registered with config.jobs.naming)."""

from django.urls import reverse

from catalog.choices import JobType, Marketplace
from catalog.models import AnalysisResult, Product
from config.jobs.naming import JobTitle


def describe(job) -> JobTitle | None:
    if job.kind.endswith(JobType.FIX_ALL):
        return describe_fix_all(job)
    if job.kind.endswith(JobType.FIX):
        return describe_fix(job)
    analysis = AnalysisResult.objects.filter(job=job).select_related("image__product").first()
    batch = job.kind.endswith("batch")
    text = "Analysing a batch of product photos" if batch else "Analysing a product photo"
    if analysis is None:
        return JobTitle(text)
    product = analysis.image.product
    return JobTitle(f"{text} of {product.title}" if not batch else text,
                    reverse("catalog:product", args=[product.pk]))


def describe_fix_all(job) -> JobTitle:
    marketplace = Marketplace(job.params["marketplace"]).label
    text = f"Fixing failing main images for {marketplace}"
    if job.params.get("batch_id"):
        return JobTitle(f"{text} of a batch's products", reverse("catalog:batch", args=[job.params["batch_id"]]))
    if "product_ids" in job.params:
        count = len(job.params["product_ids"])
        return JobTitle(f"{text} of {count} chosen product{'s' if count != 1 else ''}", reverse("catalog:products"))
    return JobTitle(text, reverse("catalog:products"))


def describe_fix(job) -> JobTitle:
    marketplace = Marketplace(job.params["marketplace"]).label
    product = Product.objects.filter(pk=job.params.get("product_id")).first()
    if product is None:
        return JobTitle(f"Making a {marketplace} main image")
    return JobTitle(f"Making a {marketplace} main image of {product.title}",
                    reverse("catalog:product", args=[product.pk]))
