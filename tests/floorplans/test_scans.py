"""RoomPlan footprints as plan rooms: squared to the room's own axes or kept as polygons, openings on their walls."""

import math

import pytest

from config.errors import ValidationFailed
from floorplans.errors import UnsupportedScanShape
from floorplans.geometry.merging import touching_walls
from floorplans.geometry.parsing import parse_analysis
from floorplans.geometry.plan import Plan, make_room
from floorplans.roomplan import parse_captured_room
from floorplans.scans import FEET_PER_METRE, read_structure, scan_confidence, to_analysis
from tests.floorplans.roomplan_scans import captured_room, surface, walls_around

RECTANGLE = [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0), (0.0, 3.0)]
L_SHAPE = [(0.0, 0.0), (5.0, 0.0), (5.0, 2.0), (2.0, 2.0), (2.0, 4.0), (0.0, 4.0)]
FT = FEET_PER_METRE


def _import(data: dict):
    return to_analysis(parse_captured_room(data, max_surfaces=200), confidence=scan_confidence(data))


def test_a_rectangle_with_a_door_and_a_window_on_their_walls():
    walls = walls_around(RECTANGLE, height=2.6)
    door = surface("door", length=0.9, height=2.0, centre=(1.5, 0.0), y=1.0, yaw_deg=0.0,
                   parent=walls[0]["identifier"])
    window = surface("window", length=1.0, height=1.2, centre=(4.0, 1.5), y=1.5, yaw_deg=-90.0)
    imported = _import(captured_room(walls, doors=[door], windows=[window]))
    analysis = parse_analysis(imported.analysis)  # the plan's own checks accept it
    assert (analysis.shape, analysis.width, analysis.height) == ("rectangle", pytest.approx(4 * FT),
                                                                 pytest.approx(3 * FT))
    assert analysis.ceiling_height == pytest.approx(2.6 * FT)
    assert imported.analysis["source"] == "lidar"
    (on_north,), (on_east,) = imported.analysis["walls"]["north"], imported.analysis["walls"]["east"]
    assert on_north["type"] == "door" and on_north["position"] == pytest.approx(1.05 * FT)
    assert on_north["width"] == pytest.approx(0.9 * FT) and on_north["headHeight"] == pytest.approx(2.0 * FT)
    # East walls are measured from their north end: the window's near edge is 1 m from it.
    assert on_east["type"] == "window" and on_east["position"] == pytest.approx(1.0 * FT)
    assert on_east["sillHeight"] == pytest.approx(0.9 * FT) and on_east["headHeight"] == pytest.approx(2.1 * FT)


def test_an_l_shape_keeps_its_notch_and_area():
    imported = _import(captured_room(walls_around(L_SHAPE)))
    analysis = parse_analysis(imported.analysis)
    assert analysis.shape == "L-shape" and analysis.notch.corner == "SE"
    assert (analysis.notch.width, analysis.notch.depth) == (pytest.approx(3 * FT), pytest.approx(2 * FT))
    assert analysis.area == pytest.approx(14.0 * FT**2)  # not the 20 m² box


def test_a_turned_room_is_read_in_its_own_axes_with_a_note():
    imported = _import(captured_room(walls_around(L_SHAPE, rotate_deg=33.0, offset=(7.0, -2.0))))
    analysis = parse_analysis(imported.analysis)
    assert analysis.area == pytest.approx(14.0 * FT**2)
    assert sorted([analysis.width, analysis.height]) == [pytest.approx(4 * FT), pytest.approx(5 * FT)]
    assert any(note.startswith("Turned -33.0°") for note in imported.notes)


def test_a_wall_slightly_off_square_is_squared_and_the_deviation_noted():
    crooked = [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0), (0.1, 3.0)]  # the west wall 1.9° off
    imported = _import(captured_room(walls_around(crooked)))
    assert imported.analysis["shape"] == "rectangle"
    note = next(n for n in imported.notes if n.startswith("Walls squared"))
    assert "at most 1.9° off square" in note and "0.0 cm" not in note
    square = next(n for n in _import(captured_room(walls_around(RECTANGLE))).notes if n.startswith("Walls squared"))
    assert "at most 0.0° off square, corners moved at most 0.0 cm" in square


def _shoelace(points) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, [*points[1:], points[0]], strict=True))) / 2


def test_an_angled_wall_is_kept_as_a_polygon_with_its_area():
    # A wall at 30° to the east wall cuts the south-east corner (the 4 x 3 m room loses a triangle).
    cut = [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0 - 1.0 / math.tan(math.radians(30))), (3.0, 3.0), (0.0, 3.0)]
    walls = walls_around(cut, height=2.5)
    door = surface("door", length=0.8, height=2.0, centre=(3.5, 3.0 - 0.5 / math.tan(math.radians(30))), y=1.0,
                   yaw_deg=-math.degrees(math.atan2(1.0 / math.tan(math.radians(30)), -1.0)),
                   parent=walls[2]["identifier"])
    imported = _import(captured_room(walls, doors=[door]))
    analysis = parse_analysis(imported.analysis)
    assert analysis.shape == "polygon" and len(analysis.vertices) == 5
    expected = _shoelace(cut) * FT**2
    assert abs(analysis.area - expected) / expected < 0.01
    assert analysis.area < 12.0 * FT**2 - 1  # not its box
    slanted = max(analysis.polygon_walls(), key=lambda w: min(abs(w.direction[0]), abs(w.direction[1])))
    assert slanted.length == pytest.approx(2.0 * FT)  # 1 m across at 30°: 2 m long
    (door_on,) = slanted.openings
    assert door_on.type == "door" and door_on.centre == pytest.approx(1.0 * FT, abs=0.01)
    assert door_on.extra["headHeight"] == pytest.approx(2.0 * FT)
    assert any(n.startswith("Kept as a polygon: walls[2]") for n in imported.notes)


def test_a_room_with_two_notches_is_a_polygon_of_its_corners():
    u_shape = [(0.0, 0.0), (1.0, 0.0), (1.0, 2.0), (3.0, 2.0), (3.0, 0.0), (4.0, 0.0), (4.0, 3.0), (0.0, 3.0)]
    analysis = parse_analysis(_import(captured_room(walls_around(u_shape))).analysis)
    assert analysis.shape == "polygon" and len(analysis.vertices) == 8
    assert analysis.area == pytest.approx(8.0 * FT**2)


def test_a_curved_wall_becomes_segments_with_a_note():
    walls = walls_around(RECTANGLE)
    walls[1]["curve"] = {"startAngle": {"value": -180.0, "unit": {"symbol": "°"}},
                         "endAngle": {"value": 0.0, "unit": {"symbol": "°"}}, "radius": 1.5, "center": [0.0, 0.0]}
    imported = _import(captured_room(walls))
    analysis = parse_analysis(imported.analysis)
    assert analysis.shape == "polygon" and len(analysis.vertices) == 3 + 12  # three walls and 12 chords
    assert any("Curved wall" in note and "12 straight segments" in note for note in imported.analysis["notes"])
    # A half disc of 1.5 m beside the 4 x 3 m room (chords cut a little off the arc).
    assert analysis.area == pytest.approx((12.0 + math.pi * 1.5**2 / 2) * FT**2, rel=0.01)


def test_walls_that_cross_each_other_are_unsupported_naming_them():
    bow_tie = [(0.0, 0.0), (4.0, 0.0), (0.0, 3.0), (4.0, 3.0)]
    with pytest.raises(UnsupportedScanShape) as refused:
        _import(captured_room(walls_around(bow_tie)))
    assert refused.value.details["walls"] == ["walls[0]", "walls[1]", "walls[2]", "walls[3]"]
    assert refused.value.status == 400 and "cross" in refused.value.message


def test_a_floors_polygon_corners_give_the_outline():
    # The floor's own frame is turned -90° about x (its local y runs to world -z), then moved to z = 3.
    floor_transform = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 3.0, 1.0]
    corners = [[0.0, 3.0, 0.0], [4.0, 3.0, 0.0], [4.0, 1.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    room = captured_room(walls_around(RECTANGLE))  # the walls alone would make a 12 m² rectangle
    room["floors"] = [{**surface("floor", length=4.0, height=3.0, centre=(2.0, 1.5), y=0.0, yaw_deg=0.0),
                       "transform": floor_transform, "polygonCorners": corners}]
    room["story"] = 2
    imported = _import(room)
    analysis = parse_analysis(imported.analysis)
    assert analysis.shape == "polygon" and analysis.area == pytest.approx(11.5 * FT**2)
    assert any("floors[0].polygonCorners" in note for note in imported.notes)
    assert imported.analysis["story"] == 2
    room["floors"][0]["polygonCorners"][1] = [4.0, float("nan"), 0.0]
    with pytest.raises(ValidationFailed) as refused:
        _import(room)
    assert refused.value.details == {"path": "floors[0].polygonCorners[1]"}


def test_confidence_is_the_least_sure_wall():
    walls = walls_around(RECTANGLE)
    assert scan_confidence(captured_room(walls)) == 0.9
    walls[2]["confidence"] = {"low": {}}
    assert scan_confidence(captured_room(walls)) == 0.3
    walls[2]["confidence"] = {"medium": {}}
    assert _import(captured_room(walls)).confidence == 0.6
    del walls[2]["confidence"]
    assert scan_confidence(captured_room(walls)) == 0.3  # no grade is no evidence


def test_an_unknown_confidence_grade_names_its_path():
    walls = walls_around(RECTANGLE)
    walls[3]["confidence"] = {"certain": {}}
    with pytest.raises(ValidationFailed) as refused:
        scan_confidence(captured_room(walls))
    assert refused.value.details == {"path": "walls[3].confidence"}


def test_the_outline_is_the_squared_footprint_in_feet():
    outline = _import(captured_room(walls_around(L_SHAPE, rotate_deg=90.0))).outline
    assert len(outline) == 6
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(outline, [*outline[1:], outline[0]], strict=True))
    assert abs(area) / 2 == pytest.approx(14.0 * FT**2)
    assert all(math.isfinite(v) and v >= -1e-9 for point in outline for v in point)


def _structure(*rooms: dict) -> dict:
    return {"version": 2, "story": 0, "rooms": list(rooms), "walls": [], "doors": [], "windows": [], "openings": [],
            "objects": [], "floors": [], "sections": []}


# Room B is 3 m east-west and 2 m north-south, scanned turned by 90° and 15 cm (a wall) east of room A.
B_TURNED = dict(rotate_deg=90.0, offset=(4.15, 2.0))
B_LOCAL = [(0.0, 0.0), (2.0, 0.0), (2.0, 3.0), (0.0, 3.0)]


def test_a_structure_places_each_room_where_it_was_scanned():
    first, second = read_structure(_structure(captured_room(walls_around(RECTANGLE)),
                                              captured_room(walls_around(B_LOCAL, **B_TURNED))), max_surfaces=200)
    origin = (min(first.corner[0], second.corner[0]), min(first.corner[1], second.corner[1]))
    assert first.position(origin) == {"x": pytest.approx(0.0, abs=1e-9), "y": pytest.approx(0.0, abs=1e-9)}
    assert second.position(origin) == {"x": pytest.approx(4.15 * FT), "y": pytest.approx(0.0, abs=1e-9)}
    assert (second.analysis["dimensions"]["width"], second.analysis["dimensions"]["height"]) == (
        pytest.approx(3 * FT), pytest.approx(2 * FT))


def test_a_structure_room_turned_off_the_structures_axes_is_a_polygon_in_place():
    turned = captured_room(walls_around(B_LOCAL, rotate_deg=20.0, offset=(6.0, 0.0)))
    first, second = read_structure(_structure(captured_room(walls_around(RECTANGLE)), turned), max_surfaces=200)
    assert first.analysis["shape"] == "rectangle" and second.analysis["shape"] == "polygon"
    polygon = parse_analysis(second.analysis)
    assert polygon.area == pytest.approx(6.0 * FT**2)
    # The structure keeps the first room's axes: the second's walls stay 20° off them.
    directions = [math.degrees(math.atan2(w.direction[1], w.direction[0])) % 90 for w in polygon.polygon_walls()]
    assert directions == [pytest.approx(70.0)] * 4
    origin = (min(first.corner[0], second.corner[0]), min(first.corner[1], second.corner[1]))
    placed = second.position(origin)
    assert placed["x"] > 4.0 * FT  # east of the first room, where it was scanned


def test_a_structure_room_that_cannot_be_read_names_its_path():
    broken = captured_room(walls_around(RECTANGLE))
    broken["walls"][3]["transform"] = [float("nan")] * 16
    with pytest.raises(ValidationFailed) as refused:
        read_structure(_structure(captured_room(walls_around(RECTANGLE)), broken), max_surfaces=200)
    assert refused.value.details == {"path": "rooms[1].walls[3].transform"}
    with pytest.raises(ValidationFailed) as too_many:
        read_structure(_structure(broken, broken), max_surfaces=7)
    assert too_many.value.details == {"path": "rooms"}


def test_only_rooms_a_wall_apart_share_a_wall():
    room = {"dimensions": {"width": 10.0, "height": 10.0}, "walls": {}, "shape": "rectangle"}

    def pair(gap: float):
        plan = Plan((make_room("a", room), make_room("b", room, position={"x": 10.0 + gap, "y": 3.0})))
        return touching_walls(plan, max_gap=1.0)

    (shared,) = pair(0.5)
    assert (shared.rooms, shared.wall, shared.reconciled) == (("a", "b"), "east/west", True)
    assert pair(2.5) == ()  # a corridor's width apart: two walls, not one


def test_a_structure_of_two_stories_is_refused():
    upstairs = captured_room(walls_around(RECTANGLE))
    upstairs["story"] = 1
    with pytest.raises(ValidationFailed) as refused:
        read_structure(_structure(captured_room(walls_around(RECTANGLE)), upstairs), max_surfaces=200)
    assert refused.value.details == {"path": "rooms[1].story"}
