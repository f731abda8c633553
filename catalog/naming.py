"""Catalog jobs in words (registered with config.jobs.naming)."""

from django.urls import reverse

from catalog.models import AnalysisResult
from config.jobs.naming import JobTitle


def describe(job) -> JobTitle | None:
    analysis = AnalysisResult.objects.filter(job=job).select_related("image__product").first()
    batch = job.kind.endswith("batch")
    text = "Analysing a batch of product photos" if batch else "Analysing a product photo"
    if analysis is None:
        return JobTitle(text)
    product = analysis.image.product
    return JobTitle(f"{text} of {product.title}" if not batch else text,
                    reverse("catalog:product", args=[product.pk]))
