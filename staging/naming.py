"""Staging jobs in words (registered with config.jobs.naming)."""

from django.urls import reverse

from config.jobs.naming import JobTitle
from staging.models import Staging


def describe(job) -> JobTitle | None:
    staging = Staging.objects.filter(job=job).select_related("style").first()
    if staging is None:
        return None
    room = staging.get_room_type_display().lower() if staging.room_type else "room"
    return JobTitle(f"Staging a {room} in {staging.style.name}", reverse("staging:detail", args=[staging.pk]))
