"""Persona jobs in words (registered with config.jobs.naming)."""

from django.urls import reverse

from config.jobs.naming import JobTitle
from personas.models import Generation


def describe(job) -> JobTitle | None:
    if job.kind.startswith("personas_publish"):
        return JobTitle("Publishing a post")
    generation = Generation.objects.filter(job=job).select_related("character").first()
    if generation is None:
        return JobTitle("Generating persona content")
    kind = generation.get_content_type_display().lower()
    return JobTitle(f"Generating {kind} for {generation.character.name}",
                    reverse("personas:studio", args=[generation.character_id]))
