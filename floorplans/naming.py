"""Floor plan jobs in words (registered with config.jobs.naming)."""

from django.urls import reverse

from config.jobs.naming import JobTitle
from floorplans.models import FloorplanSession

WORDS = {
    "floorplans.analyze": "Measuring a room from its photos",
    "floorplans.satellite": "Fetching the satellite view",
    "floorplans.merge_revision": "Revising the merged plan",
    "floorplans.final_revision": "Revising the final plan",
}


def describe(job) -> JobTitle | None:
    text = WORDS.get(job.kind, "Floor plan work")
    session = FloorplanSession.objects.filter(pk=(job.params or {}).get("session_id")).first()
    if session is None:
        return JobTitle(text)
    return JobTitle(f"{text} at {session.address}", reverse("floorplans:session", args=[session.pk]))
