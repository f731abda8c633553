"""Seed 004's API: sessions, rooms, photos, analysis (manual and vision), merge, finalize, export."""

import copy
import io
import json
import pydoc
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from config.jobs import services as jobs
from floorplans import services
from floorplans.models import FloorplanSession
from tests.files import images
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db

ANALYSIS = {
    "dimensions": {"width": 12.0, "height": 14.0, "confidence": 0.9},
    "ceilingHeight": 8.0,
    "walls": {"north": [{"type": "window", "position": 3.0, "width": 4.0}],
              "east": [{"type": "door", "position": 5.0, "width": 2.67}],
              "south": [{"type": "closet", "position": 1.0, "width": 6.0}],
              "west": [{"type": "door", "position": 5.0, "width": 2.67}]},
    "referenceObject": {"type": "door", "knownSize": 80, "scaleFactor": 0.12},
    "shape": "rectangle",
}


@pytest.fixture
def fp(api, owner, jwt_for):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")
    return api


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def new_session(fp) -> str:
    return fp.post("/api/floorplan/sessions", {"address": "123 Main St, Oakland, CA 94601"}, format="json").json()[
        "sessionId"]


def new_room(fp, session_id, type="bedroom", **extra) -> str:
    return fp.post(f"/api/floorplan/sessions/{session_id}/rooms", {"type": type, **extra}, format="json").json()[
        "roomId"]


def measured_room(fp, session_id, analysis=ANALYSIS, type="bedroom") -> str:
    room_id = new_room(fp, session_id, type)
    response = fp.put(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/analysis", {"analysis": analysis},
                      format="json")
    assert response.status_code == 200, response.content
    return room_id


def test_create_session_answers_201_in_the_documents_shape(fp):
    response = fp.post("/api/floorplan/sessions", {"address": "123 Main St"}, format="json")
    assert response.status_code == 201
    assert set(response.json()) == {"sessionId", "address", "houseBounds", "createdAt"}
    assert response.json()["houseBounds"] is None


def test_get_and_patch_a_session_for_resuming(fp):
    session_id = new_session(fp)
    patched = fp.patch(f"/api/floorplan/sessions/{session_id}", {"startingCorner": "SW", "currentStep": "room-type"},
                       format="json").json()
    assert patched["startingCorner"] == "SW" and patched["currentStep"] == "room-type"
    body = fp.get(f"/api/floorplan/sessions/{session_id}").json()
    assert {"sessionId", "address", "startingCorner", "houseBounds", "currentStep", "currentRoomIndex", "rooms",
            "mergedPlanSvg", "isFinalized", "createdAt", "updatedAt"} <= set(body)


def test_a_session_without_an_address_is_a_validation_error(fp):
    response = fp.post("/api/floorplan/sessions", {}, format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"


def test_another_users_session_is_session_not_found(fp, api, other_user, jwt_for):
    session_id = new_session(fp)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(other_user)}")
    response = api.get(f"/api/floorplan/sessions/{session_id}")
    assert response.status_code == 404 and error_of(response)["code"] == "SESSION_NOT_FOUND"


def test_a_session_past_30_days_is_gone(fp):
    session_id = new_session(fp)
    session = FloorplanSession.objects.get(pk=session_id)
    assert (session.expires_at - session.created_at).days == 30
    FloorplanSession.objects.filter(pk=session_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = fp.get(f"/api/floorplan/sessions/{session_id}")
    assert response.status_code == 410 and error_of(response)["code"] == "SESSION_EXPIRED"
    assert services.purge_expired_sessions() == 1
    assert fp.get(f"/api/floorplan/sessions/{session_id}").status_code == 404


def test_rooms_are_labelled_type_and_number(fp):
    session_id = new_session(fp)
    first = fp.post(f"/api/floorplan/sessions/{session_id}/rooms", {"type": "bedroom"}, format="json")
    assert first.status_code == 201
    assert first.json() | {"roomId": "x"} == {"roomId": "x", "index": 0, "type": "bedroom", "label": "Bedroom#1",
                                             "reviewStatus": "pending"}
    second = fp.post(f"/api/floorplan/sessions/{session_id}/rooms", {"type": "bedroom"}, format="json").json()
    other = fp.post(f"/api/floorplan/sessions/{session_id}/rooms", {"type": "other", "label": "Sunroom"},
                    format="json").json()
    assert (second["label"], second["index"], other["label"]) == ("Bedroom#2", 1, "Sunroom")
    refused = fp.post(f"/api/floorplan/sessions/{session_id}/rooms", {"type": "other"}, format="json")
    assert refused.status_code == 400


def test_an_unknown_room_is_room_not_found(fp):
    session_id = new_session(fp)
    response = fp.post(f"/api/floorplan/sessions/{session_id}/rooms/00000000-0000-0000-0000-000000000000/analyze")
    assert response.status_code == 404 and error_of(response)["code"] == "ROOM_NOT_FOUND"


def upload(fp, session_id, room_id, direction, heading=187.3, data=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = {"image": SimpleUploadedFile(f"{direction}.jpg", data or images.jpeg((120, 90))),
            "compassHeading": heading}
    return fp.put(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/photos/{direction}", body,
                  format="multipart")


def test_a_photo_per_direction_with_its_compass_heading(fp):
    session_id = new_session(fp)
    room_id = new_room(fp, session_id)
    gps = images.jpeg((120, 90), exif=images.exif_with_gps_and_orientation(1))
    response = upload(fp, session_id, room_id, "south", data=gps)
    assert response.status_code == 200
    body = response.json()
    assert body["direction"] == "south" and body["compassHeading"] == 187.3 and body["s3Key"].endswith("south.jpg")
    from django.core.files.storage import default_storage

    assert 0x8825 not in Image.open(default_storage.open(body["s3Key"])).getexif()
    assert upload(fp, session_id, room_id, "up").status_code == 400


def test_analyze_before_four_photos_is_photos_incomplete(fp):
    session_id = new_session(fp)
    room_id = new_room(fp, session_id)
    upload(fp, session_id, room_id, "north")
    response = fp.post(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/analyze")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "PHOTOS_INCOMPLETE" and error["details"]["missing"] == ["east", "south", "west"]


def four_photos(fp, session_id, room_id):
    for heading, direction in enumerate(("north", "east", "south", "west")):
        assert upload(fp, session_id, room_id, direction, heading=heading * 90.0).status_code == 200


def test_analyze_without_a_vision_model_is_analysis_failed_with_the_reason(fp):
    session_id = new_session(fp)
    room_id = new_room(fp, session_id)
    four_photos(fp, session_id, room_id)
    response = fp.post(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/analyze")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "ANALYSIS_FAILED" and "by hand" in error["message"]


def test_manual_analysis_is_stored_and_drawn(fp):
    session_id = new_session(fp)
    room_id = new_room(fp, session_id)
    response = fp.put(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/analysis", {"analysis": ANALYSIS},
                      format="json")
    body = response.json()
    assert body["source"] == "manual" and body["analysisConfidence"] == 0.9
    assert body["analysis"]["dimensions"]["width"] == 12.0 and body["svgData"].startswith("<svg")
    assert body["revisionNumber"] == 1


def test_an_opening_outside_its_wall_is_refused(fp):
    session_id = new_session(fp)
    room_id = new_room(fp, session_id)
    bad = copy.deepcopy(ANALYSIS)
    bad["walls"]["north"] = [{"type": "window", "position": 10.0, "width": 4.0}]
    response = fp.put(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/analysis", {"analysis": bad},
                      format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"


def test_revisions_are_kept_and_any_can_be_restored(fp):
    session_id = new_session(fp)
    room_id = measured_room(fp, session_id)
    wider = copy.deepcopy(ANALYSIS)
    wider["dimensions"]["width"] = 13.0
    second = fp.put(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/analysis", {"analysis": wider},
                    format="json").json()
    assert second["revisionNumber"] == 2 and second["changesApplied"]
    restored = fp.post(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/revisions/1/restore").json()
    assert restored["revisionNumber"] == 3 and restored["analysis"]["dimensions"]["width"] == 12.0
    revisions = fp.get(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/revisions").json()["revisions"]
    assert [r["source"] for r in revisions] == ["manual", "manual", "restored"]


def test_patch_accepts_a_room_and_stores_connections(fp):
    session_id = new_session(fp)
    room_id = measured_room(fp, session_id)
    other_id = measured_room(fp, session_id)
    body = fp.patch(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}", {
        "reviewStatus": "accepted", "position": {"x": 12.0, "y": 0.0},
        "connections": [{"toRoomId": other_id, "direction": "west", "connectionType": "door",
                         "sharedWall": {"fromWall": "west", "toWall": "east", "connectionStart": 5.0,
                                        "connectionWidth": 2.67}}]}, format="json").json()
    assert body["reviewStatus"] == "accepted" and body["position"] == {"x": 12.0, "y": 0.0}
    assert body["connections"][0]["toRoomId"] == other_id


def test_merge_two_rooms_east_west_gives_the_documents_positions(fp):
    session_id = new_session(fp)
    first, second = measured_room(fp, session_id), measured_room(fp, session_id)
    response = fp.post(f"/api/floorplan/sessions/{session_id}/merge", {
        "newRoomId": second, "adjacentRoomId": first, "direction": "east", "connectionType": "door"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["roomPositions"] == {first: {"x": 0, "y": 0}, second: {"x": 12.0, "y": 0}}
    assert body["totalDimensions"] == {"width": 24.0, "height": 14.0}
    assert body["sharedWalls"][0]["rooms"] == [first, second] and body["sharedWalls"][0]["reconciled"] is True
    assert body["mergedPlanSvg"].startswith("<svg")


def plan_with_two_rooms(fp) -> str:
    session_id = new_session(fp)
    first, second = measured_room(fp, session_id), measured_room(fp, session_id, type="living_room")
    fp.post(f"/api/floorplan/sessions/{session_id}/merge", {
        "newRoomId": second, "adjacentRoomId": first, "direction": "east", "connectionType": "door"}, format="json")
    return session_id


def test_finalize_calibrates_to_the_entered_footprint(fp):
    session_id = plan_with_two_rooms(fp)
    assert fp.post(f"/api/floorplan/sessions/{session_id}/finalize").status_code == 400  # no footprint yet
    bounds = fp.put(f"/api/floorplan/sessions/{session_id}/house-bounds",
                    {"houseBounds": {"width": 27.0, "height": 17.0, "shape": "rectangle",
                                     "roofOverhangEstimate": 1.0}}, format="json").json()
    assert bounds["houseBounds"]["dataSource"] == "manual"
    body = fp.post(f"/api/floorplan/sessions/{session_id}/finalize").json()
    assert body["isFinalized"] is True and body["finalPlanSvg"].startswith("<svg")
    calibration = body["calibration"]
    assert calibration["scaleFactor"] == 1.0 and calibration["overallDimensions"] == {"width": 25.0, "height": 15.0}
    assert any("overhang" in line for line in calibration["adjustments"])


def test_bad_house_bounds_are_refused(fp):
    session_id = new_session(fp)
    response = fp.put(f"/api/floorplan/sessions/{session_id}/house-bounds",
                      {"houseBounds": {"width": -3, "height": 17, "shape": "rectangle"}}, format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(("fmt", "content_type", "magic"), [("svg", "image/svg+xml", b"<svg"),
                                                            ("dxf", "application/dxf", b"SECTION"),
                                                            ("pdf", "application/pdf", b"%PDF")])
def test_exports_in_each_format(fp, fmt, content_type, magic):
    session_id = plan_with_two_rooms(fp)
    response = fp.get(f"/api/floorplan/sessions/{session_id}/export/{fmt}?scale=quarter&paper=letter")
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert magic in response.content[:200]


def test_export_before_any_merge_is_export_failed(fp):
    session_id = new_session(fp)
    response = fp.get(f"/api/floorplan/sessions/{session_id}/export/pdf")
    assert response.status_code == 500 and error_of(response)["code"] == "EXPORT_FAILED"


def test_an_unknown_export_format_or_scale_is_refused(fp):
    session_id = plan_with_two_rooms(fp)
    assert fp.get(f"/api/floorplan/sessions/{session_id}/export/png").status_code == 400
    assert fp.get(f"/api/floorplan/sessions/{session_id}/export/pdf?scale=half").status_code == 400


def test_too_many_requests_is_rate_limited(fp, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "floorplans": "2/m"}
    session_id = new_session(fp)
    fp.get(f"/api/floorplan/sessions/{session_id}")
    response = fp.get(f"/api/floorplan/sessions/{session_id}")
    assert response.status_code == 429 and error_of(response)["code"] == "RATE_LIMITED"
    assert int(response["Retry-After"]) > 0


def test_satellite_without_a_configured_service_is_satellite_unavailable(fp):
    session_id = new_session(fp)
    response = fp.post(f"/api/floorplan/sessions/{session_id}/satellite")
    assert response.status_code == 503 and error_of(response)["code"] == "SATELLITE_UNAVAILABLE"


def test_merge_revise_without_a_model_says_how_to_move_rooms_by_hand(fp):
    session_id = plan_with_two_rooms(fp)
    response = fp.post(f"/api/floorplan/sessions/{session_id}/merge/revise", {"feedback": "shift down"},
                       format="json")
    assert response.status_code == 500
    assert error_of(response)["code"] == "ANALYSIS_FAILED" and "PATCH" in error_of(response)["message"]


# --- with stand-ins for the vision model and the imagery services ------------------------------------

@pytest.fixture
def inline_jobs(monkeypatch):
    """Run queued tasks at once in this process (the test transaction commits, so on_commit fires)."""
    monkeypatch.setattr(jobs, "async_task", lambda func, *args, **options: pydoc.locate(func)(*args))


@pytest.fixture
def vision(openai_stand_in):
    return openai_stand_in


@pytest.mark.django_db(transaction=True)
def test_analyze_sends_four_photos_and_the_schema_and_stores_the_answer(fp, vision, inline_jobs):
    session_id = new_session(fp)
    room_id = new_room(fp, session_id)
    four_photos(fp, session_id, room_id)
    vision.reply(openai_chat_reply({**ANALYSIS, "changesApplied": []}))
    response = fp.post(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/analyze")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["analysis"]["dimensions"] == ANALYSIS["dimensions"] and body["source"] == "vision"
    sent = vision.requests[0]
    assert sent.path == "/v1/chat/completions" and sent.body["model"] == "vision-test"
    parts = [part for message in sent.body["messages"] if isinstance(message["content"], list)
             for part in message["content"]]
    assert sum(part["type"] == "image_url" for part in parts) == 4
    assert all(part["image_url"]["url"].startswith("data:image/jpeg;base64,") for part in parts
               if part["type"] == "image_url")
    schema = sent.body["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["dimensions", "ceilingHeight", "walls", "referenceObject", "shape",
                                  "changesApplied"]


@pytest.mark.django_db(transaction=True)
def test_revise_sends_the_previous_analysis_and_the_drawing(fp, vision, inline_jobs):
    session_id = new_session(fp)
    room_id = new_room(fp, session_id)
    four_photos(fp, session_id, room_id)
    vision.reply(openai_chat_reply({**ANALYSIS, "changesApplied": []}))
    fp.post(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/analyze")
    revised = copy.deepcopy(ANALYSIS)
    revised["walls"]["north"].append({"type": "window", "position": 8.0, "width": 3.0})
    vision.reply(openai_chat_reply({**revised, "changesApplied": ["Added window on north wall at position 8.0 ft, "
                                                             "width 3.0 ft"]}))
    drawing = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(drawing, "PNG")
    import base64

    response = fp.post(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/revise", {
        "feedback": "Window is missing on the north wall",
        "annotationImage": "data:image/png;base64," + base64.b64encode(drawing.getvalue()).decode()},
        format="json")
    body = response.json()
    assert body["revisionNumber"] == 2 and body["changesApplied"] == [
        "Added window on north wall at position 8.0 ft, width 3.0 ft"]
    text = json.dumps(vision.requests[1].body["messages"])
    assert "Window is missing on the north wall" in text and 'Previous analysis' in text and 'position' in text
    assert text.count("data:image/") == 5  # four photos and the drawing


@pytest.mark.django_db(transaction=True)
def test_a_model_answer_that_does_not_add_up_is_analysis_failed(fp, vision, inline_jobs):
    session_id = new_session(fp)
    room_id = new_room(fp, session_id)
    four_photos(fp, session_id, room_id)
    bad = copy.deepcopy(ANALYSIS)
    bad["walls"]["east"] = [{"type": "door", "position": 13.0, "width": 3.0}]  # past the 14 ft wall
    vision.reply(openai_chat_reply({**bad, "changesApplied": []}))
    response = fp.post(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}/analyze")
    assert response.status_code == 500 and error_of(response)["code"] == "ANALYSIS_FAILED"
    assert fp.get(f"/api/floorplan/sessions/{session_id}/rooms/{room_id}").json()["analysis"] is None


@pytest.mark.django_db(transaction=True)
def test_satellite_lookup_fills_house_bounds(fp, vision, inline_jobs, settings):
    settings.FLOORPLANS_GEOCODER_URL = vision.url + "/search"
    settings.FLOORPLANS_SATELLITE_URL = vision.url + "/staticmap"
    settings.FLOORPLANS_SATELLITE_KEY = "maps-key"
    session_id = new_session(fp)
    vision.reply([{"lat": "37.7749", "lon": "-122.2194"}])
    png = io.BytesIO()
    Image.new("RGB", (64, 64), "green").save(png, "PNG")
    vision.reply(png.getvalue(), headers={"Content-Type": "image/png"})
    vision.reply(openai_chat_reply({"widthPx": 100, "heightPx": 80, "shape": "rectangle",
                               "shapeVerticesPx": [[0, 0], [100, 0], [100, 80], [0, 80]],
                               "roofOverhangEstimateFt": 1.5, "confidence": 0.65}))
    response = fp.post(f"/api/floorplan/sessions/{session_id}/satellite")
    assert response.status_code == 202 and response.json() == {"status": "processing", "estimatedSeconds": 15}
    search, staticmap = vision.requests[0], vision.requests[1]
    assert search.path.startswith("/search?") and "format=json" in search.path and "Oakland" in search.path
    assert "maptype=satellite" in staticmap.path and "key=maps-key" in staticmap.path and "zoom=20" in staticmap.path
    bounds = fp.get(f"/api/floorplan/sessions/{session_id}").json()["houseBounds"]
    assert bounds["dataSource"] == "satellite" and bounds["shape"] == "rectangle"
    assert 30 < bounds["width"] < 40 and bounds["satelliteImageUrl"] and bounds["roofOverhangEstimate"] == 1.5
