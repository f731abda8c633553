"""Floor plans' dashboard tile (registered with config.dashboard)."""

from django.urls import reverse

from config.dashboard import RECENT, Tile, TileItem
from config.jobs.models import Job
from floorplans.models import FloorplanSession


def tile(user) -> Tile:
    sessions = FloorplanSession.objects.filter(owner=user)
    # Not the plan SVGs: a merged plan can run to hundreds of kilobytes per session.
    recent = sessions.only("id", "address", "is_finalized", "expires_at").order_by("-created_at")[:RECENT]
    return Tile(
        product="Floor plans", description="Draw a measured floor plan from photos of each room, on your phone.",
        start_url=reverse("floorplans:sessions"), start_label="Start a floor plan",
        list_url=reverse("floorplans:sessions"),
        # What took plan usage: the AI analyses of rooms (a plan drawn by hand takes none).
        used_this_cycle=Job.objects.filter(owner=user, kind__startswith="floorplans", usage_counted=True,
                                           created_at__gte=user.cycle_started_at).count(),
        usage_unit="AI room analyses",
        items=[_item(session) for session in recent],
    )


def _item(session: FloorplanSession) -> TileItem:
    # An expired session's page answers 410, so its row is not a link (as on the sessions page).
    if session.is_expired:
        return TileItem(session.address, "Expired", "")
    status = "Final plan ready" if session.is_finalized else "In progress"
    return TileItem(session.address, status, reverse("floorplans:session", args=[session.pk]))
