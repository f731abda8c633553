"""GET /api/styles, /api/health and /api/account."""

import pytest
from django.utils import timezone

from config.jobs.models import Job
from staging.models import Staging, Style
from tests.staging.test_stage_create import stage

pytestmark = pytest.mark.django_db


def test_styles_lists_the_seeded_luxury_styles_in_order(api):
    response = api.get("/api/styles")
    assert response.status_code == 200
    styles = response.json()["styles"]
    ids = [style["id"] for style in styles]
    assert len(ids) >= 6 and {"modern_luxury", "classic_elegance"} <= set(ids)
    first = styles[0]
    assert set(first) >= {"id", "name", "description", "preview_image", "best_for"}
    assert all(Style.objects.get(pk=i).prompt_template.count("{room}") == 1 for i in ids)


def test_inactive_styles_are_hidden(api):
    Style.objects.filter(pk="coastal_retreat").update(active=False)
    assert "coastal_retreat" not in [s["id"] for s in api.get("/api/styles").json()["styles"]]


def test_health_reports_the_engine_and_real_queue_figures(api, key_api, room_jpeg, furnishing_engine, queued):
    body = api.get("/api/health").json()
    assert body["ai_service_status"] == "operational"
    assert body["processing_queue_length"] == 0 and body["average_processing_time_ms"] is None
    stage(key_api, room_jpeg)
    staging_id = stage(key_api, room_jpeg).json()["id"]
    done = Staging.objects.get(pk=staging_id)
    Job.objects.filter(pk=done.job_id).update(status="completed", finished_at=timezone.now())
    Staging.objects.filter(pk=staging_id).update(processing_time_ms=12000)
    body = api.get("/api/health").json()
    assert body["processing_queue_length"] == 1 and body["average_processing_time_ms"] == 12000


def test_health_says_when_no_engine_is_configured(api):
    body = api.get("/api/health").json()
    assert body["ai_service_status"] == "unavailable" and body["status"] == "degraded"
    assert "AI_IMAGE_PROVIDER" in body["ai_service_detail"]


def test_account_shows_plan_usage_and_recent_stagings(key_api, owner, room_jpeg, furnishing_engine, queued):
    stage(key_api, room_jpeg, property_name="9 Bay Rd")
    body = key_api.get("/api/account").json()
    assert body["email"] == owner.email and body["plan"] == "trial"
    usage = body["usage_this_month"]
    assert usage["limit"] == owner.usage_limit and usage["used"] == 1 and usage["stagings_completed"] == 0
    assert usage["reset_date"]
    assert body["recent_stagings"][0]["property_name"] == "9 Bay Rd"


def test_account_needs_credentials(api):
    response = api.get("/api/account")
    assert response.status_code == 401 and response.json()["error"]["code"] == "INVALID_API_KEY"


def test_completed_this_cycle_counts_only_completed_stagings(key_api, owner, room_jpeg, furnishing_engine, queued):
    staging_id = stage(key_api, room_jpeg).json()["id"]
    Job.objects.filter(staging__pk=staging_id).update(status="completed", finished_at=timezone.now())
    assert key_api.get("/api/account").json()["usage_this_month"]["stagings_completed"] == 1
