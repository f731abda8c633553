"""The IFC export: a schema-valid IFC4 model read back with IfcOpenShell, in metres."""

import ifcopenshell
import ifcopenshell.geom
import ifcopenshell.util.element
import ifcopenshell.validate
import numpy as np
import pytest

from floorplans import areas
from floorplans.export_ifc import export_ifc
from floorplans.geometry.plan import Plan, make_room

FT = 0.3048
KITCHEN = {"dimensions": {"width": 12, "height": 10}, "ceilingHeight": 9,
           "walls": {"east": [{"type": "door", "position": 3, "width": 3}],
                     "north": [{"type": "window", "position": 2, "width": 4}]}}
BEDROOM = {"dimensions": {"width": 10, "height": 10},
           "walls": {"west": [{"type": "door", "position": 3, "width": 3}],
                     "south": [{"type": "opening", "position": 1, "width": 2}]}}
L_ROOM = {"dimensions": {"width": 20, "height": 16}, "shape": "L-shape",
          "notch": {"corner": "NE", "width": 8, "depth": 6}}


def _model(plan: Plan) -> ifcopenshell.file:
    report = areas.calculate_areas([areas.AreaRoom.from_room(room, type="bedroom") for room in plan.rooms])
    return ifcopenshell.file.from_string(export_ifc(plan, report.rows, name="12 Elm St").decode())


@pytest.fixture(scope="module")
def two_rooms() -> ifcopenshell.file:
    return _model(Plan((make_room("k", KITCHEN, label="Kitchen"),
                        make_room("b", BEDROOM, label="Bedroom", position={"x": 12, "y": 0}))))


def _errors(model: ifcopenshell.file) -> list:
    logger = ifcopenshell.validate.json_logger()
    ifcopenshell.validate.validate(model, logger, express_rules=True)
    return logger.statements


def _quantities(product, qto: str) -> dict:
    return ifcopenshell.util.element.get_psets(product)[qto]


def _wall(model: ifcopenshell.file, name: str):
    return next(wall for wall in model.by_type("IfcWall") if wall.Name == name)


def test_the_model_is_valid_ifc4_with_one_storey(two_rooms):
    assert two_rooms.schema == "IFC4"
    assert _errors(two_rooms) == []
    assert len(two_rooms.by_type("IfcBuildingStorey")) == 1
    assert two_rooms.by_type("IfcProject")[0].Name == "12 Elm St"
    units = {unit.UnitType: (unit.Prefix, unit.Name) for unit in two_rooms.by_type("IfcSIUnit")}
    assert units["LENGTHUNIT"] == (None, "METRE") and units["AREAUNIT"] == (None, "SQUARE_METRE")


def test_the_validator_flags_a_broken_model(two_rooms):
    broken = ifcopenshell.file.from_string(two_rooms.to_string())
    broken.by_type("IfcDoor")[0].OverallWidth = -1.0  # not a positive length
    assert _errors(broken)


def test_the_shared_wall_is_one_interior_wall_and_the_shared_door_one_door(two_rooms):
    # 4 kitchen walls, and the bedroom's north, east and south: its west wall is the kitchen's east one.
    assert len(two_rooms.by_type("IfcWall")) == 7
    assert len(two_rooms.by_type("IfcDoor")) == 1 and len(two_rooms.by_type("IfcWindow")) == 1
    assert len(two_rooms.by_type("IfcOpeningElement")) == 3  # door, window and the plain opening
    partition = _quantities(_wall(two_rooms, "Kitchen east wall"), "Qto_WallBaseQuantities")
    assert partition["Width"] == pytest.approx(0.375 * FT) and partition["Length"] == pytest.approx(10 * FT)


def test_an_exterior_wall_runs_past_the_corners_at_its_thickness_and_ceiling_height(two_rooms):
    north = _quantities(_wall(two_rooms, "Kitchen north wall"), "Qto_WallBaseQuantities")
    assert north["Length"] == pytest.approx(13 * FT)  # 12 ft room + half a foot of wall at each corner
    assert north["Width"] == pytest.approx(0.5 * FT) and north["Height"] == pytest.approx(9 * FT)
    # The bedroom has no ceiling height: 8 ft.
    bedroom = _quantities(_wall(two_rooms, "Bedroom east wall"), "Qto_WallBaseQuantities")
    assert bedroom["Height"] == pytest.approx(8 * FT)


def test_an_exterior_wall_solid_lies_outside_the_room_on_its_side(two_rooms):
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    shape = ifcopenshell.geom.create_shape(settings, _wall(two_rooms, "Kitchen west wall"))
    verts = np.array(shape.geometry.verts).reshape(-1, 3)
    # x: half a foot west of the room's west face; y (north): the room's 10 ft plus the corners; z: the ceiling.
    assert verts.min(axis=0) == pytest.approx([-0.5 * FT, -10.5 * FT, 0.0], abs=1e-6)
    assert verts.max(axis=0) == pytest.approx([0.0, 0.5 * FT, 9 * FT], abs=1e-6)


def test_openings_fill_their_wall_with_doors_and_windows(two_rooms):
    window = two_rooms.by_type("IfcWindow")[0]
    void = window.FillsVoids[0].RelatingOpeningElement
    assert void.VoidsElements[0].RelatingBuildingElement.Name == "Kitchen north wall"
    assert window.OverallWidth == pytest.approx(4 * FT)
    door = two_rooms.by_type("IfcDoor")[0]
    assert door.FillsVoids[0].RelatingOpeningElement.VoidsElements[0].RelatingBuildingElement.Name == \
        "Kitchen east wall"
    assert door.OverallWidth == pytest.approx(3 * FT) and door.OverallHeight == pytest.approx((6 + 8 / 12) * FT)


def test_each_room_is_a_space_with_its_ansi_area(two_rooms):
    spaces = {space.Name: _quantities(space, "Qto_SpaceBaseQuantities") for space in two_rooms.by_type("IfcSpace")}
    assert spaces["Kitchen"]["NetFloorArea"] == pytest.approx(120 * FT**2)
    assert spaces["Bedroom"]["NetFloorArea"] == pytest.approx(100 * FT**2)


def test_an_l_shaped_room_keeps_its_notch_in_walls_and_area():
    model = _model(Plan((make_room("l", L_ROOM, label="Den"),)))
    assert _errors(model) == []
    assert len(model.by_type("IfcWall")) == 6
    area = _quantities(model.by_type("IfcSpace")[0], "Qto_SpaceBaseQuantities")["NetFloorArea"]
    assert area == pytest.approx((20 * 16 - 8 * 6) * FT**2)
