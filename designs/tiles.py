"""Designs' dashboard tile (registered with config.dashboard)."""

from django.urls import reverse

from config.dashboard import RECENT, Tile, TileItem
from designs.models import DesignSpec, DesignVersion


def tile(user) -> Tile:
    recent = DesignSpec.objects.filter(owner=user).order_by("-created_at")[:RECENT]
    versions = DesignVersion.objects.filter(spec__owner=user, created_at__gte=user.cycle_started_at).count()
    return Tile(
        product="3D designs", description="Turn a sentence into a structured 3D design you can refine.",
        start_url=reverse("designs:list"), start_label="Describe a design", list_url=reverse("designs:list"),
        used_this_cycle=versions, usage_unit="design versions",
        items=[TileItem(spec.name, spec.design_type.replace("_", " ").capitalize(),
                        reverse("designs:detail", args=[spec.pk])) for spec in recent],
    )
