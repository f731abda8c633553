"""Sessions: create, resume (GET), update (PATCH); ownership, expiry and the rate limit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from floorplans import services
from floorplans.models import FloorplanSession
from tests.floorplans.calls import SESSIONS, error_of, session_url
from tests.floorplans.factories import FloorplanSessionFactory, MeasuredRoomFactory

pytestmark = pytest.mark.django_db


def test_create_session_answers_201_in_the_documents_shape(fp, owner):
    response = fp.post(SESSIONS, {"address": "123 Main St"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"sessionId", "address", "houseBounds", "createdAt"}
    assert body["houseBounds"] is None and body["address"] == "123 Main St"
    assert FloorplanSession.objects.get(pk=body["sessionId"]).owner == owner


def test_get_and_patch_a_session_for_resuming(fp, session):
    patched = fp.patch(session_url(session), {"startingCorner": "SW", "currentStep": "room-type"},
                       format="json").json()
    assert patched["startingCorner"] == "SW" and patched["currentStep"] == "room-type"
    body = fp.get(session_url(session)).json()
    assert {"sessionId", "address", "startingCorner", "houseBounds", "currentStep", "currentRoomIndex", "rooms",
            "mergedPlanSvg", "isFinalized", "createdAt", "updatedAt"} <= set(body)
    assert body["mergedPlanSvg"] is None and body["satelliteStatus"] is None and body["isFinalized"] is False


def test_a_session_lists_its_rooms_in_order_with_their_analysis(fp, session):
    first = MeasuredRoomFactory(session=session)
    second = MeasuredRoomFactory(session=session, type="kitchen")
    rooms = fp.get(session_url(session)).json()["rooms"]
    assert [room["roomId"] for room in rooms] == [str(first.pk), str(second.pk)]
    assert rooms[1]["label"] == "Kitchen#1" and rooms[1]["analysis"]["dimensions"]["width"] == 12.0
    assert rooms[1]["svgData"].startswith("<svg") and rooms[1]["photos"] == {}


def test_a_session_without_an_address_is_a_validation_error(fp):
    response = fp.post(SESSIONS, {}, format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"


def test_another_users_session_is_session_not_found(fp, other_user):
    theirs = FloorplanSessionFactory(owner=other_user)
    for method in (fp.get, fp.patch):
        response = method(session_url(theirs), {"currentStep": "merge"}, format="json")
        assert response.status_code == 404 and error_of(response)["code"] == "SESSION_NOT_FOUND"
    theirs.refresh_from_db()
    assert theirs.current_step == "room-type"


def test_a_session_past_30_days_is_session_expired_then_purged(fp, session):
    assert (session.expires_at - session.created_at).days == 30
    FloorplanSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = fp.get(session_url(session))
    assert response.status_code == 410 and error_of(response)["code"] == "SESSION_EXPIRED"
    assert services.purge_expired_sessions() == 1
    assert error_of(fp.get(session_url(session)))["code"] == "SESSION_NOT_FOUND"


def test_too_many_requests_is_rate_limited(fp, session, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "floorplans": "2/m"}
    fp.get(session_url(session))
    fp.get(session_url(session))
    response = fp.get(session_url(session))
    assert response.status_code == 429 and error_of(response)["code"] == "RATE_LIMITED"
    assert int(response["Retry-After"]) > 0
