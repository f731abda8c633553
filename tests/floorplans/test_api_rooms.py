"""Rooms: create and label, photos, manual analysis and revisions, accept, position and connections."""

import copy

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from tests.files import images
from tests.floorplans.calls import error_of, room_url, session_url, upload
from tests.floorplans.factories import FloorplanSessionFactory, MeasuredRoomFactory, RoomFactory

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


def test_rooms_are_labelled_type_and_number(fp, session):
    first = fp.post(session_url(session, "rooms"), {"type": "bedroom"}, format="json")
    assert first.status_code == 201
    assert first.json() | {"roomId": "x"} == {"roomId": "x", "index": 0, "type": "bedroom", "label": "Bedroom#1",
                                             "reviewStatus": "pending"}
    second = fp.post(session_url(session, "rooms"), {"type": "bedroom"}, format="json").json()
    other = fp.post(session_url(session, "rooms"), {"type": "other", "label": "Sunroom"}, format="json").json()
    assert (second["label"], second["index"], other["label"]) == ("Bedroom#2", 1, "Sunroom")
    refused = fp.post(session_url(session, "rooms"), {"type": "other"}, format="json")
    assert refused.status_code == 400 and error_of(refused)["code"] == "VALIDATION_ERROR"


def test_an_unknown_room_is_room_not_found(fp, session):
    response = fp.post(session_url(session, "rooms", "00000000-0000-0000-0000-000000000000", "analyze"))
    assert response.status_code == 404 and error_of(response)["code"] == "ROOM_NOT_FOUND"


def test_a_room_of_another_session_is_room_not_found(fp, owner, session):
    elsewhere = RoomFactory(session=FloorplanSessionFactory(owner=owner))
    response = fp.get(session_url(session, "rooms", str(elsewhere.pk)))
    assert response.status_code == 404 and error_of(response)["code"] == "ROOM_NOT_FOUND"


def test_another_users_room_is_session_not_found(fp, other_user):
    room = RoomFactory(session=FloorplanSessionFactory(owner=other_user))
    response = fp.patch(room_url(room), {"reviewStatus": "accepted"}, format="json")
    assert response.status_code == 404 and error_of(response)["code"] == "SESSION_NOT_FOUND"


def test_a_photo_per_direction_with_its_compass_heading(fp, session):
    room = RoomFactory(session=session)
    gps = images.jpeg((120, 90), exif=images.exif_with_gps_and_orientation(1))
    response = upload(fp, room, "south", data=gps)
    assert response.status_code == 200
    body = response.json()
    assert body["direction"] == "south" and body["compassHeading"] == 187.3 and body["s3Key"].endswith("south.jpg")
    assert body["s3Key"].startswith(session.storage_prefix)
    assert 0x8825 not in Image.open(default_storage.open(body["s3Key"])).getexif()
    assert upload(fp, room, "up").status_code == 400


def test_manual_analysis_is_stored_and_drawn(fp, session):
    room = RoomFactory(session=session)
    response = fp.put(room_url(room, "analysis"), {"analysis": ANALYSIS}, format="json")
    body = response.json()
    assert body["source"] == "manual" and body["analysisConfidence"] == 0.9
    assert body["analysis"]["dimensions"]["width"] == 12.0 and body["svgData"].startswith("<svg")
    assert body["revisionNumber"] == 1 and body["changesApplied"] == []


def test_an_opening_outside_its_wall_is_refused(fp, session):
    room = RoomFactory(session=session)
    bad = copy.deepcopy(ANALYSIS)
    bad["walls"]["north"] = [{"type": "window", "position": 10.0, "width": 4.0}]
    response = fp.put(room_url(room, "analysis"), {"analysis": bad}, format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"


def test_revisions_are_kept_and_any_can_be_restored(fp, session):
    room = RoomFactory(session=session)
    fp.put(room_url(room, "analysis"), {"analysis": ANALYSIS}, format="json")
    wider = copy.deepcopy(ANALYSIS)
    wider["dimensions"]["width"] = 13.0
    second = fp.put(room_url(room, "analysis"), {"analysis": wider}, format="json").json()
    assert second["revisionNumber"] == 2 and second["changesApplied"] == ["Changed room width from 12.0 ft to 13.0 ft"]
    restored = fp.post(room_url(room, "revisions", "1", "restore")).json()
    assert restored["revisionNumber"] == 3 and restored["analysis"]["dimensions"]["width"] == 12.0
    revisions = fp.get(room_url(room, "revisions")).json()
    assert revisions["roomId"] == str(room.pk)
    assert [r["source"] for r in revisions["revisions"]] == ["manual", "manual", "restored"]
    assert revisions["revisions"][0]["author"] == session.owner.email


def test_restoring_a_revision_the_room_never_had_is_the_documented_400(fp, session):
    room = RoomFactory(session=session)

    response = fp.post(room_url(room, "revisions", "1", "restore"))

    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"
    operation = fp.get("/api/schema/", {"format": "json"}).json()["paths"][
        "/api/floorplan/sessions/{session_id}/rooms/{room_id}/revisions/{number}/restore"]["post"]
    assert "400" in operation["responses"]


def test_patch_accepts_a_room_and_stores_connections(fp, session):
    room, other = MeasuredRoomFactory(session=session), MeasuredRoomFactory(session=session)
    body = fp.patch(room_url(room), {
        "reviewStatus": "accepted", "position": {"x": 12.0, "y": 0.0},
        "connections": [{"toRoomId": str(other.pk), "direction": "west", "connectionType": "door",
                         "sharedWall": {"fromWall": "west", "toWall": "east", "connectionStart": 5.0,
                                        "connectionWidth": 2.67}}]}, format="json").json()
    assert body["reviewStatus"] == "accepted" and body["position"] == {"x": 12.0, "y": 0.0}
    assert body["connections"][0]["toRoomId"] == str(other.pk)
    assert body["connections"][0]["sharedWall"]["connectionWidth"] == 2.67


def test_a_room_without_an_analysis_cannot_be_accepted(fp, session):
    room = RoomFactory(session=session)
    response = fp.patch(room_url(room), {"reviewStatus": "accepted"}, format="json")
    assert response.status_code == 400 and "needs an analysis" in error_of(response)["message"]


def test_house_bounds_entered_by_hand(fp, session):
    response = fp.put(session_url(session, "house-bounds"), {"houseBounds": {
        "width": 27.0, "height": 17.0, "shape": "rectangle", "roofOverhangEstimate": 1.0}}, format="json")
    assert response.status_code == 200
    assert response.json() == {"sessionId": str(session.pk), "houseBounds": {
        "width": 27.0, "height": 17.0, "shape": "rectangle", "roofOverhangEstimate": 1.0, "dataSource": "manual"}}


def test_bad_house_bounds_are_refused(fp, session):
    response = fp.put(session_url(session, "house-bounds"),
                      {"houseBounds": {"width": -3, "height": 17, "shape": "rectangle"}}, format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"
