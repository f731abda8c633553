"""Staging's dashboard tile (registered with config.dashboard)."""

from django.urls import reverse

from config.dashboard import RECENT, Tile, TileItem
from staging.models import Staging


def tile(user) -> Tile:
    stagings = Staging.objects.filter(owner=user)
    recent = stagings.select_related("job", "style").order_by("-created_at")[:RECENT]
    return Tile(
        product="Virtual staging", description="Furnish photos of empty rooms in a style of your choice.",
        start_url=reverse("staging:upload"), start_label="Stage a room", list_url=reverse("staging:history"),
        # What took plan usage: a failed staging gave its unit back.
        used_this_cycle=stagings.filter(created_at__gte=user.cycle_started_at, job__usage_counted=True).count(),
        usage_unit="stagings",
        items=[TileItem(staging.property_name or f"{staging.style.name} room", staging.job.get_status_display(),
                        reverse("staging:detail", args=[staging.pk])) for staging in recent],
    )
