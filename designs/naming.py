"""Design jobs in words (registered with config.jobs.naming)."""

from django.urls import reverse

from config.jobs.naming import JobTitle
from designs.models import DesignVersion


def describe(job) -> JobTitle | None:
    version = DesignVersion.objects.filter(job=job).select_related("spec").first()
    if version is None:
        return JobTitle("Generating a 3D design")
    return JobTitle(f"Generating a 3D design: {version.spec.name}", reverse("designs:detail", args=[version.spec_id]))
