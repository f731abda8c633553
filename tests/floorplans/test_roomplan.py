"""Reading RoomPlan scans: footprints as polygons, openings on their walls, and path-named refusals."""

import math

import pytest

from config.errors import ValidationFailed
from floorplans.roomplan import parse_captured_room
from tests.floorplans.roomplan_scans import captured_room, surface, walls_around

RECTANGLE = [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0), (0.0, 3.0)]
L_SHAPE = [(0.0, 0.0), (5.0, 0.0), (5.0, 2.0), (2.0, 2.0), (2.0, 4.0), (0.0, 4.0)]
LIMIT = 200


def _parse(data: dict):
    return parse_captured_room(data, max_surfaces=LIMIT)


def test_a_rectangular_room_has_its_four_corners_area_and_ceiling():
    room = _parse(captured_room(walls_around(RECTANGLE, height=2.6)))
    assert len(room.polygon) == 4 and room.area == pytest.approx(12.0, abs=1e-6)
    assert room.ceiling_height == pytest.approx(2.6)
    assert sorted((round(x, 6), round(z, 6)) for x, z in room.polygon) == sorted(RECTANGLE)


def test_an_l_shaped_room_stays_a_six_corner_polygon_not_its_bounding_box():
    room = _parse(captured_room(walls_around(L_SHAPE)))
    assert len(room.polygon) == 6
    assert room.area == pytest.approx(5 * 4 - 3 * 2, abs=1e-6)  # not the 20 m² box


def test_a_rotated_and_moved_room_keeps_its_shape_and_area():
    room = _parse(captured_room(walls_around(L_SHAPE, rotate_deg=33.0, offset=(7.0, -2.0))))
    assert room.area == pytest.approx(14.0, abs=1e-6)
    sides = sorted(round(math.dist(a, b), 6) for a, b in zip(room.polygon, room.polygon[1:] + room.polygon[:1],
                                                             strict=True))
    assert sides == [2.0, 2.0, 2.0, 3.0, 4.0, 5.0]


def test_walls_given_in_any_order_and_direction_still_close_the_room():
    walls = walls_around(RECTANGLE)
    walls[1]["transform"][0:3] = [-v for v in walls[1]["transform"][0:3]]  # local x turned round
    room = _parse(captured_room([walls[2], walls[0], walls[3], walls[1]]))
    assert room.area == pytest.approx(12.0, abs=1e-6)


def test_a_curved_wall_becomes_chords_with_a_note():
    walls = walls_around(RECTANGLE)
    # The east wall (x = 4, z 0..3) becomes a half circle bulging east: the wall's local z points west,
    # so the arc runs through local z < 0, from one end of the wall (-1.5, 0) to the other (1.5, 0).
    walls[1]["curve"] = {"startAngle": {"value": -180.0, "unit": {"symbol": "°"}},
                         "endAngle": {"value": 0.0, "unit": {"symbol": "°"}}, "radius": 1.5, "center": [0.0, 0.0]}
    room = _parse(captured_room(walls))
    assert len(room.polygon) > 6 and any("Curved wall" in note for note in room.notes)
    half_disc = math.pi * 1.5**2 / 2
    assert room.area == pytest.approx(12.0 + half_disc, rel=0.02)  # chords cut a little off the arc


def test_a_door_sits_on_its_parent_wall_with_width_and_head_height():
    walls = walls_around(RECTANGLE)
    door = surface("door", length=0.9, height=2.0, centre=(1.5, 0.0), y=1.0, yaw_deg=0.0,
                   parent=walls[0]["identifier"])
    window = surface("window", length=1.2, height=1.0, centre=(4.0, 1.5), y=1.5, yaw_deg=-90.0)
    room = _parse(captured_room(walls, doors=[door], windows=[window]))
    by_kind = {opening.kind: opening for opening in room.openings}
    assert by_kind["door"].width == pytest.approx(0.9) and by_kind["door"].sill == pytest.approx(0.0)
    assert by_kind["door"].head == pytest.approx(2.0)
    start = room.polygon[by_kind["door"].edge]
    assert math.dist(start, (0.0, 0.0)) < 1e-6 or math.dist(start, (4.0, 0.0)) < 1e-6
    assert by_kind["window"].sill == pytest.approx(1.0) and by_kind["window"].head == pytest.approx(2.0)


@pytest.mark.parametrize(("break_it", "path"), [
    (lambda d: d["walls"][3].update(transform=d["walls"][3]["transform"][:12]), "walls[3].transform"),
    (lambda d: d["walls"][2]["transform"].__setitem__(12, float("nan")), "walls[2].transform"),
    (lambda d: d["walls"][1].update(dimensions=[0.0, 2.5, 0.0]), "walls[1].dimensions"),
    (lambda d: d["walls"][0].update(dimensions=[4.0, "tall", 0.0]), "walls[0].dimensions"),
    (lambda d: d["walls"][3]["transform"].__setitem__(3, 0.5), "walls[3].transform"),
    (lambda d: d["walls"][1].update(polygonCorners=[[0.0, 0.0, 0.0], [1.0, float("inf"), 0.0], [1.0, 1.0, 0.0]]),
     "walls[1].polygonCorners[1]"),
    (lambda d: d["walls"][1].update(polygonCorners=[[0.0, 0.0, 0.0]]), "walls[1].polygonCorners"),
    (lambda d: d.update(floors=[{"transform": d["walls"][0]["transform"], "polygonCorners": [[0.0, 0.0]]}]),
     "floors[0].polygonCorners[0]"),
    (lambda d: d.update(story="ground"), "story"),
])
def test_bad_input_is_refused_naming_its_path(break_it, path):
    data = captured_room(walls_around(RECTANGLE))
    break_it(data)
    with pytest.raises(ValidationFailed) as raised:
        _parse(data)
    assert raised.value.details == {"path": path} and raised.value.message.startswith(path)


def test_walls_that_do_not_meet_are_refused():
    walls = walls_around(RECTANGLE)
    walls[2]["transform"][14] += 0.5  # the north wall moved half a metre away
    with pytest.raises(ValidationFailed, match="do not"):
        _parse(captured_room(walls))


def test_more_surfaces_than_the_limit_are_refused():
    with pytest.raises(ValidationFailed) as raised:
        parse_captured_room(captured_room(walls_around(L_SHAPE)), max_surfaces=5)
    assert raised.value.details == {"path": "walls"}


def test_a_walls_polygon_corners_give_its_height_and_base():
    walls = walls_around(RECTANGLE, height=2.5)
    # The east wall is a gable end: 3 m along, 2.5 m at its eaves and 3.5 m at its ridge.
    walls[1]["polygonCorners"] = [[-1.5, -1.25, 0.0], [1.5, -1.25, 0.0], [1.5, 1.25, 0.0], [0.0, 2.25, 0.0],
                                  [-1.5, 1.25, 0.0]]
    room = _parse(captured_room(walls))
    assert room.ceiling_height == pytest.approx(3.5)
    assert room.area == pytest.approx(12.0, abs=1e-6)
