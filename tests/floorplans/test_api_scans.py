"""POST .../scans: a RoomPlan CapturedRoom (JSON body or file) becomes a lidar room, or a path-named 400."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from floorplans import plans
from floorplans.models import Room
from floorplans.scans import FEET_PER_METRE
from tests.floorplans.calls import error_of, session_url
from tests.floorplans.factories import FloorplanSessionFactory
from tests.floorplans.roomplan_scans import captured_room, surface, walls_around

pytestmark = pytest.mark.django_db

RECTANGLE = [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0), (0.0, 3.0)]
ANGLED = [(0.0, 0.0), (4.0, 0.0), (4.0, 2.0), (3.0, 3.0), (0.0, 3.0)]
CROSSED = [(0.0, 0.0), (4.0, 0.0), (0.0, 3.0), (4.0, 3.0)]  # a bow tie: the walls cross


def _scan(corners=RECTANGLE) -> dict:
    walls = walls_around(corners, height=2.5)
    door = surface("door", length=0.9, height=2.0, centre=(1.5, 0.0), y=1.0, yaw_deg=0.0,
                   parent=walls[0]["identifier"])
    return captured_room(walls, doors=[door])


def _file(data, name: str = "room.json") -> SimpleUploadedFile:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_a_json_scan_becomes_a_lidar_room_with_its_openings(fp, session):
    response = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": _scan()}, format="json")
    assert response.status_code == 201, response.json()
    (room,) = response.json()["rooms"]
    assert (room["label"], room["analysisSource"], room["analysisConfidence"]) == ("Bedroom#1", "lidar", 0.9)
    analysis = room["analysis"]
    assert analysis["dimensions"]["width"] == pytest.approx(4 * FEET_PER_METRE)
    assert analysis["ceilingHeight"] == pytest.approx(2.5 * FEET_PER_METRE)
    assert analysis["walls"]["north"][0]["type"] == "door" and "headHeight" in analysis["walls"]["north"][0]
    assert room["svgData"].startswith("<svg")
    stored = Room.objects.get(pk=room["roomId"])
    assert stored.revisions.get().source == "lidar" and any("Turned" in c for c in stored.revisions.get().changes)


def test_a_scan_file_upload_is_read_the_same_way(fp, session):
    response = fp.post(session_url(session, "scans"), {"type": "kitchen", "file": _file(_scan())},
                       format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["rooms"][0]["analysis"]["shape"] == "rectangle"


def test_an_angled_wall_is_kept_as_a_polygon_room(fp, session):
    response = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": _scan(ANGLED)}, format="json")
    assert response.status_code == 201, response.json()
    analysis = response.json()["rooms"][0]["analysis"]
    assert analysis["shape"] == "polygon" and len(analysis["polygon"]["vertices"]) == 5
    (door,) = analysis["polygon"]["openings"]
    assert door["type"] == "door" and "sillHeight" in door and "headHeight" in door
    assert response.json()["rooms"][0]["svgData"].startswith("<svg")


def test_an_opening_wider_than_its_polygon_wall_names_its_path(fp, session):
    scan = _scan(ANGLED)
    # The slanted wall from (4, 2) to (3, 3) is 1.41 m long; a 1.6 m door cannot sit on it.
    scan["doors"].append(surface("door", length=1.6, height=2.0, centre=(3.5, 2.5), y=1.0, yaw_deg=-135.0,
                                 parent=scan["walls"][2]["identifier"]))
    response = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": scan}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR" and error["details"] == {"path": "doors[1].dimensions"}
    assert "1.41 m long" in error["message"] and not session.rooms.exists()
    structure = _structure(_scan(), scan)
    error = error_of(fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": structure}, format="json"))
    assert error["details"] == {"path": "rooms[1].doors[1].dimensions"}


def test_walls_that_cross_are_unsupported_scan_shape_and_create_nothing(fp, session):
    scan = captured_room(walls_around(CROSSED))
    response = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": scan}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "UNSUPPORTED_SCAN_SHAPE" and "walls[2]" in error["details"]["walls"]
    assert not session.rooms.exists()


def test_a_wrong_matrix_names_its_path(fp, session):
    scan = _scan()
    scan["walls"][3]["transform"] = scan["walls"][3]["transform"][:15]
    response = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": scan}, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR" and error["details"] == {"path": "walls[3].transform"}


def test_a_zero_length_wall_names_its_path(fp, session):
    scan = _scan()
    scan["walls"][1]["dimensions"][0] = 0.0
    response = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": scan}, format="json")
    assert response.status_code == 400 and error_of(response)["details"] == {"path": "walls[1].dimensions"}


def test_more_surfaces_than_configured_are_refused(fp, session, settings):
    settings.FLOORPLANS_SCAN_MAX_SURFACES = 4  # four walls and a door
    response = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": _scan()}, format="json")
    assert response.status_code == 400 and error_of(response)["details"] == {"path": "walls"}
    settings.FLOORPLANS_SCAN_MAX_SURFACES = 5
    assert fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": _scan()},
                   format="json").status_code == 201


def test_a_scan_over_the_size_limit_is_scan_too_large(fp, session, settings):
    settings.FLOORPLANS_SCAN_MAX_BYTES = 1000
    as_file = fp.post(session_url(session, "scans"), {"type": "bedroom", "file": _file(_scan())}, format="multipart")
    assert as_file.status_code == 413 and error_of(as_file)["code"] == "SCAN_TOO_LARGE"
    as_body = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": _scan()}, format="json")
    assert as_body.status_code == 413 and error_of(as_body)["code"] == "SCAN_TOO_LARGE"
    assert not session.rooms.exists()


def test_a_file_that_is_not_json_names_the_file(fp, session):
    response = fp.post(session_url(session, "scans"), {"type": "bedroom", "file": _file(b"\x89PNG not json")},
                       format="multipart")
    assert response.status_code == 400 and error_of(response)["details"] == {"path": "file"}


def test_a_scan_is_sent_one_way_only(fp, session):
    neither = fp.post(session_url(session, "scans"), {"type": "bedroom"}, format="json")
    assert neither.status_code == 400 and error_of(neither)["code"] == "VALIDATION_ERROR"


def test_another_users_session_is_session_not_found(fp, other_user):
    stranger = FloorplanSessionFactory(owner=other_user)
    response = fp.post(session_url(stranger, "scans"), {"type": "bedroom", "scan": _scan()}, format="json")
    assert response.status_code == 404 and error_of(response)["code"] == "SESSION_NOT_FOUND"
    assert not stranger.rooms.exists()


def _structure(*rooms: dict) -> dict:
    return {"version": 2, "story": 0, "rooms": list(rooms), "walls": [], "doors": [], "windows": [], "openings": [],
            "objects": [], "floors": [], "sections": []}


def _two_rooms() -> dict:
    # The second room is scanned turned by 90°, 15 cm (one wall) east of the first.
    second = captured_room(walls_around([(0.0, 0.0), (2.0, 0.0), (2.0, 3.0), (0.0, 3.0)], rotate_deg=90.0,
                                        offset=(4.15, 2.0)))
    return _structure(_scan(), second)


@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<svg"), ("dxf", b"SECTION"), ("pdf", b"%PDF"),
                                            ("png", b"\x89PNG"), ("ifc", b"ISO-10303-21")])
def test_a_structure_becomes_the_merged_plan_and_exports(fp, session, fmt, magic):
    response = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": _two_rooms()}, format="json")
    assert response.status_code == 201, response.json()
    first, second = response.json()["rooms"]
    assert first["position"] == {"x": pytest.approx(0.0, abs=1e-9), "y": pytest.approx(0.0, abs=1e-9)}
    # Positions are stored to the hundredth of a foot.
    assert second["position"] == {"x": pytest.approx(4.15 * FEET_PER_METRE, abs=0.005),
                                  "y": pytest.approx(0.0, abs=1e-9)}
    session.refresh_from_db()
    assert session.shared_walls == [{"rooms": [first["roomId"], second["roomId"]], "wall": "east/west",
                                     "reconciled": False, "lengthDiscrepancy": 3.3}]  # 3 m against 2 m
    assert session.merged_plan_svg.startswith("<svg")
    exported = fp.get(session_url(session, "export", fmt))
    assert exported.status_code == 200 and magic in exported.content[:200]


def test_ansi_areas_of_a_scanned_l_shape_are_its_polygon_not_its_box(fp, session):
    l_shape = captured_room(walls_around([(0.0, 0.0), (5.0, 0.0), (5.0, 2.0), (2.0, 2.0), (2.0, 4.0), (0.0, 4.0)]))
    response = fp.post(session_url(session, "scans"), {"type": "living_room", "scan": _structure(l_shape)},
                       format="json")
    assert response.status_code == 201, response.json()
    session.refresh_from_db()
    row = plans.area_report(session, plans.placed_plan(session)).row("Living Room#1")
    # ANSI works from dimensions rounded to a tenth of a foot: 150.7 sq ft within that, not the 215.3 of its box.
    assert row.area == pytest.approx(14.0 * FEET_PER_METRE**2, abs=1.0)


def test_a_structure_needs_a_session_without_merged_rooms(fp, session):
    assert fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": _two_rooms()},
                   format="json").status_code == 201
    again = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": _two_rooms()}, format="json")
    assert again.status_code == 400 and error_of(again)["details"] == {"path": "rooms"}
    assert session.rooms.count() == 2


def test_a_structure_room_whose_walls_cross_is_refused_by_path(fp, session):
    crossed = captured_room(walls_around(CROSSED, offset=(6.0, 0.0)))
    response = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": _structure(_scan(), crossed)},
                       format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "UNSUPPORTED_SCAN_SHAPE"
    assert error["details"]["walls"] == [f"rooms[1].walls[{i}]" for i in range(4)]
    assert not session.rooms.exists()


def test_a_floors_polygon_corners_shape_the_room_and_a_bad_corner_names_its_path(fp, session):
    scan = _scan()
    scan["story"] = 1
    # The floor's frame is turned -90° about x: its local (x, y) lie on the world's (x, -z).
    scan["floors"] = [{"identifier": "F", "dimensions": [4.0, 3.0, 0.0], "polygonCorners": [
        [0.0, 0.0, 0.0], [0.0, -3.0, 0.0], [3.0, -3.0, 0.0], [4.0, -2.0, 0.0], [4.0, 0.0, 0.0]],
        "transform": [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]}]
    response = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": scan}, format="json")
    assert response.status_code == 201, response.json()
    analysis = response.json()["rooms"][0]["analysis"]
    assert (analysis["shape"], len(analysis["polygon"]["vertices"]), analysis["story"]) == ("polygon", 5, 1)
    scan["floors"][0]["polygonCorners"][2] = [3.0, "far", 0.0]
    refused = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": scan}, format="json")
    assert refused.status_code == 400 and error_of(refused)["details"] == {"path": "floors[0].polygonCorners[2]"}
