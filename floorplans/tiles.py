"""Floor plans' dashboard tile (registered with config.dashboard)."""

from django.urls import reverse

from config.dashboard import RECENT, Tile, TileItem
from floorplans.models import FloorplanSession


def tile(user) -> Tile:
    sessions = FloorplanSession.objects.filter(owner=user)
    recent = sessions.order_by("-created_at")[:RECENT]
    return Tile(
        product="Floor plans", description="Draw a measured floor plan from photos of each room, on your phone.",
        start_url=reverse("floorplans:sessions"), start_label="Start a floor plan",
        list_url=reverse("floorplans:sessions"),
        used_this_cycle=sessions.filter(created_at__gte=user.cycle_started_at).count(), usage_unit="plans started",
        items=[TileItem(session.address, "Final plan ready" if session.is_finalized else "In progress",
                        reverse("floorplans:session", args=[session.pk])) for session in recent],
    )
