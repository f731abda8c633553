"""Walls two scanned rooms share where one of them is a polygon room: one interior wall, drawn and modelled once."""

import math
import re

import ifcopenshell
import ifcopenshell.util.element
import ifcopenshell.validate
import pytest
import shapely

from floorplans.areas import AreaRoom, calculate_areas
from floorplans.drawing import GLAZING, WALL, Polygon
from floorplans.export_ifc import export_ifc
from floorplans.geometry.measures import EXTERIOR_WALL_FT, INTERIOR_WALL_FT, round_half_up
from floorplans.geometry.merging import touching_walls
from floorplans.geometry.plan import Plan, make_room
from floorplans.layout import build_drawing
from floorplans.scans import FEET_PER_METRE, read_structure
from tests.floorplans.roomplan_scans import captured_room, surface, walls_around

FT = FEET_PER_METRE
TURN = 20.0
HALL = [(0.0, 0.0), (6.0, 0.0), (6.0, 3.0), (0.0, 3.0)]  # its 6 m wall sets the plan's axes
# The south-east corner cut at 30°, so the room stays a polygon; its west wall is square.
CUT = [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0 - 1.0 / math.tan(math.radians(30))), (3.0, 3.0), (0.0, 3.0)]
GAP_M = 0.12  # one wall between two scanned rooms' faces


def _turned(p: tuple[float, float], offset: tuple[float, float]) -> tuple[float, float]:
    """A point of the turned rooms' own frame in the scan's world (as ``walls_around`` turns them)."""
    c, s = math.cos(math.radians(TURN)), math.sin(math.radians(TURN))
    return offset[0] + p[0] * c + p[1] * s, offset[1] - p[0] * s + p[1] * c


def _structure(*rooms: dict) -> dict:
    return {"version": 2, "story": 0, "rooms": list(rooms), "walls": [], "doors": [], "windows": [], "openings": [],
            "objects": [], "floors": [], "sections": []}


def _plan(structure: dict) -> tuple[Plan, tuple[float, float]]:
    """The structure's rooms placed as the scan import places them, and the scan point at the plan's origin."""
    imports = read_structure(structure, max_surfaces=500)
    origin = (min(i.corner[0] for i in imports), min(i.corner[1] for i in imports))
    rooms = tuple(make_room(f"r{k}", i.analysis, label=f"Room {k}", position=i.position(origin))
                  for k, i in enumerate(imports))
    return Plan(rooms), origin


def _drawn(origin: tuple[float, float], point: tuple[float, float]) -> shapely.Point:
    """A scan point (metres, x-z) in drawing coordinates (feet, y north)."""
    return shapely.Point((point[0] - origin[0]) * FT, -(point[1] - origin[1]) * FT)


def _walls_at(drawing, where: shapely.Point) -> int:
    return sum(shapely.Polygon(item.points).buffer(1e-9).contains(where) for item in drawing.items
               if isinstance(item, Polygon) and item.layer == WALL)


def _turned_pair(gap: float, more: float = 0.0) -> tuple[dict, tuple[float, float]]:
    """The hall, and two 3 x 2.5 m rooms turned 20° side by side ``gap`` metres apart (the second turned
    ``more`` degrees further about its west wall's north end); the second has a door in the wall between them."""
    offset = (12.0, 0.0)
    east = [(3.0 + gap + x, z) for x, z in [(0.0, 0.0), (3.0, 0.0), (3.0, 2.5), (0.0, 2.5)]]
    c, s = math.cos(math.radians(more)), math.sin(math.radians(more))
    east = [(3.0 + gap + (x - 3.0 - gap) * c + z * s, -(x - 3.0 - gap) * s + z * c) for x, z in east]
    second = walls_around(east, rotate_deg=TURN, offset=offset)
    a, b = _turned(east[3], offset), _turned(east[0], offset)
    door = surface("door", length=0.9, height=2.0, centre=_turned((3.0 + gap, 1.25), offset), y=1.0,
                   yaw_deg=-math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])), parent=second[3]["identifier"])
    structure = _structure(captured_room(walls_around(HALL)),
                           captured_room(walls_around([(0.0, 0.0), (3.0, 0.0), (3.0, 2.5), (0.0, 2.5)],
                                                      rotate_deg=TURN, offset=offset)),
                           captured_room(second, doors=[door]))
    return structure, offset


def _ifc_walls(plan: Plan):
    rows = calculate_areas([AreaRoom.from_room(room, type="bedroom") for room in plan.rooms]).rows
    model = ifcopenshell.file.from_string(export_ifc(plan, rows, name="Scan").decode())
    logger = ifcopenshell.validate.json_logger()
    ifcopenshell.validate.validate(model, logger)
    assert logger.statements == []
    return model, model.by_type("IfcWall")


def _quantity(wall, name: str) -> float:
    return ifcopenshell.util.element.get_psets(wall)["Qto_WallBaseQuantities"][name]


def test_two_turned_rooms_side_by_side_share_one_wall_with_the_door_cut_in():
    structure, offset = _turned_pair(GAP_M)
    plan, origin = _plan(structure)
    assert [room.analysis.shape for room in plan.rooms] == ["rectangle", "polygon", "polygon"]
    drawing = build_drawing(plan)
    gap_ft = GAP_M * FT
    # Halfway between the faces, away from the door: one wall, not two back to back.
    middle = _drawn(origin, _turned((3.0 + GAP_M / 2, 0.5), offset))
    assert _walls_at(drawing, middle) == 1
    (shared,) = [shapely.Polygon(item.points) for item in drawing.items
                 if isinstance(item, Polygon) and item.layer == WALL
                 and shapely.Polygon(item.points).buffer(1e-9).contains(middle)]
    # As thick as the gap it fills (more than a partition's 4 1/2"), and from the corner to the door.
    assert max(gap_ft, INTERIOR_WALL_FT) == pytest.approx(gap_ft)
    assert shared.area == pytest.approx(gap_ft * ((1.25 - 0.45) * FT + EXTERIOR_WALL_FT), rel=1e-3)
    # Neither room's floor is painted, and the door leaves a gap in the wall.
    for x in (3.0 - 0.02, 3.0 + GAP_M + 0.02):
        assert _walls_at(drawing, _drawn(origin, _turned((x, 0.5), offset))) == 0
    assert _walls_at(drawing, _drawn(origin, _turned((3.0 + GAP_M / 2, 1.25), offset))) == 0
    # The rooms' other walls stay exterior walls, outside each room.
    assert _walls_at(drawing, _drawn(origin, _turned((1.5, -0.1), offset))) == 1
    assert _walls_at(drawing, _drawn(origin, _turned((-0.1, 1.25), offset))) == 1

    (recorded,) = touching_walls(plan, max_gap=1.0)
    assert recorded.rooms == ("r1", "r2") and re.fullmatch(r"wall \d/wall \d", recorded.wall)
    assert (recorded.reconciled, recorded.length_discrepancy) == (True, 0.0)  # both 2.5 m

    model, walls = _ifc_walls(plan)
    assert len(walls) == 4 + 3 + 3 + 1  # the hall; each turned room's three own walls; the one they share
    (one,) = [wall for wall in walls if "/" in wall.Name]
    # From corner to corner, running on through the exterior wall at each end.
    assert _quantity(one, "Length") == pytest.approx((2.5 * FT + 2 * EXTERIOR_WALL_FT) / FT, rel=1e-6)
    assert _quantity(one, "Width") == pytest.approx(GAP_M, rel=1e-6)
    (door,) = model.by_type("IfcDoor")
    assert door.FillsVoids[0].RelatingOpeningElement.VoidsElements[0].RelatingBuildingElement == one

    # The gross area counts the shared wall once: the two rooms' outline grown by the exterior wall as one.
    report = calculate_areas([AreaRoom.from_room(room, type="bedroom") for room in plan.rooms])
    hall = (round_half_up(6 * FT) + 2 * EXTERIOR_WALL_FT) * (round_half_up(3 * FT) + 2 * EXTERIOR_WALL_FT)
    pair = ((6.0 + GAP_M) * FT + 2 * EXTERIOR_WALL_FT) * (2.5 * FT + 2 * EXTERIOR_WALL_FT)
    twice = 2 * (3.0 * FT + 2 * EXTERIOR_WALL_FT) * (2.5 * FT + 2 * EXTERIOR_WALL_FT)
    assert report.gross_living_area == pytest.approx(hall + pair, abs=1)
    assert abs(report.gross_living_area - (hall + twice)) > 4


def test_a_polygon_room_beside_a_rectangle_shares_one_wall_with_the_rectangles_window():
    hall = walls_around(HALL)
    window = surface("window", length=1.0, height=1.2, centre=(6.0, 1.0), y=1.4, yaw_deg=-90.0,
                     parent=hall[1]["identifier"])
    cut = captured_room(walls_around(CUT, offset=(6.0 + GAP_M, 0.0)))
    plan, origin = _plan(_structure(captured_room(hall, windows=[window]), cut))
    assert [room.analysis.shape for room in plan.rooms] == ["rectangle", "polygon"]
    drawing = build_drawing(plan)
    assert _walls_at(drawing, _drawn(origin, (6.0 + GAP_M / 2, 2.2))) == 1
    # The rectangle's wall no longer paints into the polygon room, and the window is cut through the one wall.
    assert _walls_at(drawing, _drawn(origin, (6.0 + GAP_M + 0.02, 2.2))) == 0
    assert _walls_at(drawing, _drawn(origin, (6.0 + GAP_M / 2, 1.0))) == 0
    glass = [item for item in drawing.items if item.layer == GLAZING]
    # Its three lines lie on the two faces of the one wall and between them.
    assert sorted(line.start[0] for line in glass) == pytest.approx([6.0 * FT, (6.0 + GAP_M / 2) * FT,
                                                                    (6.0 + GAP_M) * FT])

    (recorded,) = touching_walls(plan, max_gap=1.0)
    # The hall's 3 m east wall against the polygon's west wall, cut short by nothing: the same length.
    assert (recorded.rooms, recorded.wall[:5], recorded.reconciled) == (("r0", "r1"), "east/", True)

    model, walls = _ifc_walls(plan)
    assert len(walls) == 3 + 4 + 1  # the hall's other three, the polygon's other four, the shared one
    (one,) = [wall for wall in walls if "/" in wall.Name]
    assert _quantity(one, "Length") == pytest.approx((3.0 * FT + 2 * EXTERIOR_WALL_FT) / FT, rel=1e-6)
    (glazing,) = model.by_type("IfcWindow")
    assert glazing.FillsVoids[0].RelatingOpeningElement.VoidsElements[0].RelatingBuildingElement == one


def test_turned_rooms_a_metre_apart_keep_both_exterior_walls():
    structure, offset = _turned_pair(1.0)
    plan, origin = _plan(structure)
    drawing = build_drawing(plan)
    assert _walls_at(drawing, _drawn(origin, _turned((3.5, 0.5), offset))) == 0  # the gap between the walls
    assert _walls_at(drawing, _drawn(origin, _turned((3.1, 0.5), offset))) == 1  # the first room's own wall
    assert _walls_at(drawing, _drawn(origin, _turned((3.9, 0.5), offset))) == 1  # the second room's own wall
    assert touching_walls(plan, max_gap=1.0) == ()
    _, walls = _ifc_walls(plan)
    assert len(walls) == 4 + 4 + 4 and not any("/" in wall.Name for wall in walls)


@pytest.mark.parametrize(("more", "shared"), [(1.0, True), (3.0, False)])
def test_walls_turned_more_than_two_degrees_apart_are_not_one_wall(more, shared):
    structure, _ = _turned_pair(GAP_M, more)
    plan, _ = _plan(structure)
    assert [room.analysis.shape for room in plan.rooms] == ["rectangle", "polygon", "polygon"]
    _, walls = _ifc_walls(plan)
    assert (len(walls), any("/" in wall.Name for wall in walls)) == ((11, True) if shared else (12, False))
