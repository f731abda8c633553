"""Personas' dashboard tile (registered with config.dashboard)."""

from django.urls import reverse

from config.dashboard import RECENT, Tile, TileItem
from config.jobs.models import Job
from personas.models import Character
from personas.services.content import JOB_KIND


def tile(user) -> Tile:
    recent = Character.objects.filter(owner=user, deleted_at__isnull=True).order_by("-created_at")[:RECENT]
    # What took plan usage: generations (content written by hand takes none).
    made = Job.objects.filter(owner=user, kind=JOB_KIND, usage_counted=True,
                              created_at__gte=user.cycle_started_at).count()
    return Tile(
        product="Brand characters", description="Run AI brand characters: write, schedule and publish their posts.",
        start_url=reverse("personas:character_new"), start_label="Create a character",
        list_url=reverse("personas:characters"), used_this_cycle=made, usage_unit="generations",
        items=[TileItem(character.name, character.get_status_display(),
                        reverse("personas:studio", args=[character.pk])) for character in recent],
    )
