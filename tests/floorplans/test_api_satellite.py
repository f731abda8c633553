"""The satellite footprint lookup: queued (202), filling ``houseBounds``; its status is read from its job."""

import io
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from PIL import Image

from config.ai.services import save_overrides
from config.jobs import services as jobs
from config.jobs.models import Job
from floorplans.models import FloorplanSession
from tests.floorplans.calls import error_of, session_url
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def imagery(vision, settings):
    """The geocoder and the static-maps API are the vision stand-in too (scripted in request order)."""
    settings.FLOORPLANS_GEOCODER_URL = vision.url + "/search"
    settings.FLOORPLANS_SATELLITE_URL = vision.url + "/staticmap"
    settings.FLOORPLANS_SATELLITE_KEY = "maps-key"
    return vision


def satellite_status(fp, session) -> str | None:
    return fp.get(session_url(session)).json()["satelliteStatus"]


def test_satellite_without_a_configured_service_is_satellite_unavailable(fp, session):
    response = fp.post(session_url(session, "satellite"))
    assert response.status_code == 503 and error_of(response)["code"] == "SATELLITE_UNAVAILABLE"
    assert satellite_status(fp, session) is None and not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_satellite_lookup_fills_house_bounds(fp, session, imagery, inline_jobs):
    imagery.reply([{"lat": "37.7749", "lon": "-122.2194"}])
    png = io.BytesIO()
    Image.new("RGB", (64, 64), "green").save(png, "PNG")
    imagery.reply(png.getvalue(), headers={"Content-Type": "image/png"})
    imagery.reply(openai_chat_reply({"widthPx": 100, "heightPx": 80, "shape": "rectangle",
                                     "shapeVerticesPx": [[0, 0], [100, 0], [100, 80], [0, 80]],
                                     "roofOverhangEstimateFt": 1.5, "confidence": 0.65}))
    response = fp.post(session_url(session, "satellite"))
    assert response.status_code == 202 and response.json() == {"status": "processing", "estimatedSeconds": 15}
    search, staticmap = imagery.requests[0], imagery.requests[1]
    assert search.path.startswith("/search?") and "format=json" in search.path and "Oakland" in search.path
    assert "maptype=satellite" in staticmap.path and "key=maps-key" in staticmap.path and "zoom=20" in staticmap.path
    body = fp.get(session_url(session)).json()
    bounds = body["houseBounds"]
    assert bounds["dataSource"] == "satellite" and bounds["shape"] == "rectangle" and body["satelliteStatus"] == "done"
    assert 30 < bounds["width"] < 40 and bounds["satelliteImageUrl"] and bounds["roofOverhangEstimate"] == 1.5
    assert "satelliteImage" not in bounds


@pytest.fixture
def lookup(fp, session, imagery, queued, django_capture_on_commit_callbacks):
    """A satellite lookup the worker has claimed but not finished."""
    with django_capture_on_commit_callbacks(execute=True):
        assert fp.post(session_url(session, "satellite")).status_code == 202
    job = FloorplanSession.objects.get(pk=session.pk).satellite_job
    jobs.claim_job(job.pk)
    assert satellite_status(fp, session) == "processing"
    return job


def test_a_lookup_the_sweep_failed_reads_failed(fp, session, lookup, django_capture_on_commit_callbacks):
    Job.objects.filter(pk=lookup.pk).update(started_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep_stuck_jobs() == 1
    assert satellite_status(fp, session) == "failed"


def test_a_lookup_whose_worker_died_without_attempts_left_reads_failed(fp, session, lookup,
                                                                       django_capture_on_commit_callbacks):
    host = jobs.current_worker().rpartition(":")[0]
    Job.objects.filter(pk=lookup.pk).update(attempts=F("max_attempts"), worker=f"{host}:999999999")
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_lost_jobs() == 1
    assert satellite_status(fp, session) == "failed"


def test_a_cancelled_lookup_reads_failed(fp, session, lookup, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        jobs.cancel_job(owner, job_id=lookup.pk)
    assert satellite_status(fp, session) == "failed"


def test_asking_again_while_a_lookup_runs_answers_for_that_lookup(fp, session, lookup, queued):
    response = fp.post(session_url(session, "satellite"))
    assert response.status_code == 202
    assert Job.objects.filter(kind="floorplans.satellite").count() == 1


def test_asking_again_after_a_failed_lookup_starts_a_new_one(fp, session, lookup, owner):
    jobs.cancel_job(owner, job_id=lookup.pk)
    assert fp.post(session_url(session, "satellite")).status_code == 202
    assert Job.objects.filter(kind="floorplans.satellite").count() == 2
    assert satellite_status(fp, session) == "processing"


@pytest.mark.django_db(transaction=True)
def test_the_maps_services_saved_on_the_engines_page_are_the_ones_asked(fp, session, vision, staff,
                                                                         inline_jobs):
    save_overrides(staff, {"FLOORPLANS_GEOCODER_URL": vision.url + "/geo",
                                "FLOORPLANS_SATELLITE_URL": vision.url + "/tiles",
                                "FLOORPLANS_SATELLITE_KEY": "saved-key"})
    vision.reply([{"lat": "37.7749", "lon": "-122.2194"}])
    vision.reply(b"not an image", headers={"Content-Type": "text/plain"})

    response = fp.post(session_url(session, "satellite"))

    assert response.status_code == 202
    geocoder, tiles = vision.requests[0], vision.requests[1]
    assert geocoder.path.startswith("/geo?") and tiles.path.startswith("/tiles?") and "key=saved-key" in tiles.path
