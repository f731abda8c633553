"""A scanned structure with polygon rooms (an angled wall, a room turned 20°) through every export."""

import io
import math
import re

import ezdxf
import ifcopenshell
import ifcopenshell.util.element
import ifcopenshell.util.placement
import ifcopenshell.validate
import numpy as np
import pytest
from PIL import Image

from floorplans.geometry.measures import EXTERIOR_WALL_FT
from floorplans.scans import FEET_PER_METRE
from tests.floorplans.calls import session_url
from tests.floorplans.roomplan_scans import captured_room, surface, walls_around

pytestmark = pytest.mark.django_db

FT = FEET_PER_METRE
RECTANGLE = [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0), (0.0, 3.0)]
# The south-east corner cut by a wall at 30° to the east wall: 1 m across, so 2 m long.
CUT = [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0 - 1.0 / math.tan(math.radians(30))), (3.0, 3.0), (0.0, 3.0)]
SLANTED_M = 2.0


def _shoelace(points) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, [*points[1:], points[0]], strict=True))) / 2


def _structure() -> dict:
    angled = walls_around(CUT, offset=(0.0, 3.15))  # a wall (15 cm) south of the first room
    door = surface("door", length=0.8, height=2.0, centre=(3.5, 3.15 + 3.0 - 0.5 / math.tan(math.radians(30))),
                   y=1.0, yaw_deg=0.0, parent=angled[2]["identifier"])
    turned = walls_around([(0.0, 0.0), (2.0, 0.0), (2.0, 3.0), (0.0, 3.0)], rotate_deg=20.0, offset=(5.0, 0.5))
    rooms = [captured_room(walls_around(RECTANGLE)), captured_room(angled, doors=[door]), captured_room(turned)]
    return {"version": 2, "story": 0, "rooms": rooms, "walls": [], "doors": [], "windows": [], "openings": [],
            "objects": [], "floors": [], "sections": []}


@pytest.fixture
def scanned(fp, session):
    response = fp.post(session_url(session, "scans"), {"type": "bedroom", "scan": _structure()}, format="json")
    assert response.status_code == 201, response.json()
    assert [room["analysis"]["shape"] for room in response.json()["rooms"]] == ["rectangle", "polygon", "polygon"]
    return session


def _export(fp, session, fmt: str, **query) -> bytes:
    response = fp.get(session_url(session, "export", fmt), query)
    assert response.status_code == 200, response.content[:300]
    return response.content


def _slanted(points, *, least: float = 0.1) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The edges of a closed outline running neither east-west nor north-south."""
    edges = zip(points, [*points[1:], points[0]], strict=True)
    return [(a, b) for a, b in edges if abs(a[0] - b[0]) > least and abs(a[1] - b[1]) > least]


def test_the_svg_draws_walls_along_the_angled_and_turned_rooms(fp, scanned):
    svg = _export(fp, scanned, "svg").decode()
    outlines = [[tuple(float(v) for v in p.split(",")) for p in points.split()]
                for points in re.findall(r'<polygon points="([^"]+)" fill="#000" stroke="none"', svg)]
    lengths = [math.dist(a, b) for outline in outlines for a, b in _slanted(outline)]
    assert any(abs(length - SLANTED_M * FT) < 0.01 for length in lengths)  # the 30° wall's room face
    assert sum(abs(length - 3.0 * FT) < 0.01 for length in lengths) >= 2  # the turned room's long walls
    assert "Bedroom#2" in svg and "<path" in svg  # its label and the door's swing


def test_the_dxf_reads_back_with_the_angled_wall_in_inches(fp, scanned):
    doc = ezdxf.read(io.StringIO(_export(fp, scanned, "dxf").decode("utf-8")))
    assert not doc.audit().has_errors
    walls = [[tuple(p[:2]) for p in e.get_points()] for e in doc.modelspace().query('LWPOLYLINE[layer=="A-WALL"]')]
    lengths = [math.dist(a, b) for outline in walls for a, b in _slanted(outline)]
    assert any(abs(length - SLANTED_M * FT * 12) < 0.1 for length in lengths)
    assert len(doc.modelspace().query('HATCH[layer=="A-WALL"]')) == len(walls)
    assert len(doc.modelspace().query('ARC[layer=="A-DOOR"]')) == 1


def test_the_pdf_and_png_render_the_plan(fp, scanned):
    assert _export(fp, scanned, "pdf", paper="tabloid").startswith(b"%PDF")
    image = Image.open(io.BytesIO(_export(fp, scanned, "png", dpi=72))).convert("L")
    assert image.getextrema() == (0, 255)  # black walls on white


def test_the_ifc_is_valid_with_the_angled_wall_along_its_segment(fp, scanned):
    model = ifcopenshell.file.from_string(_export(fp, scanned, "ifc").decode())
    logger = ifcopenshell.validate.json_logger()
    ifcopenshell.validate.validate(model, logger, express_rules=True)
    assert logger.statements == []
    spaces = {space.Name: ifcopenshell.util.element.get_psets(space)["Qto_SpaceBaseQuantities"]["NetFloorArea"]
              for space in model.by_type("IfcSpace")}
    assert spaces["Bedroom#2"] == pytest.approx(_shoelace(CUT), rel=0.01)
    assert spaces["Bedroom#3"] == pytest.approx(6.0, rel=0.01)

    def direction(wall) -> np.ndarray:
        return ifcopenshell.util.placement.get_local_placement(wall.ObjectPlacement)[:3, 0]

    (slanted,) = [wall for wall in model.by_type("IfcWall") if wall.Name.startswith("Bedroom#2 wall")
                  and min(abs(direction(wall)[:2])) > 0.1]
    assert sorted(abs(direction(slanted)[:2])) == [pytest.approx(0.5), pytest.approx(math.sqrt(3) / 2)]
    # The wall runs past its two corners (150° and 120° inside) to where its outer face meets its neighbours'.
    reach_ft = EXTERIOR_WALL_FT * (1 / math.tan(math.radians(75)) + 1 / math.tan(math.radians(60)))
    quantities = ifcopenshell.util.element.get_psets(slanted)["Qto_WallBaseQuantities"]
    assert quantities["Length"] == pytest.approx(SLANTED_M + reach_ft * 0.3048, abs=1e-3)
    assert quantities["Width"] == pytest.approx(EXTERIOR_WALL_FT * 0.3048)
    (door,) = model.by_type("IfcDoor")
    assert door.OverallHeight == pytest.approx(2.0, abs=1e-3)  # the scanned head height, not 6'-8"
    opening = door.FillsVoids[0].RelatingOpeningElement
    assert opening.VoidsElements[0].RelatingBuildingElement == slanted
    turned = [wall for wall in model.by_type("IfcWall") if wall.Name.startswith("Bedroom#3 wall")]
    assert len(turned) == 4
    assert all(sorted(abs(direction(w)[:2])) == [pytest.approx(math.sin(math.radians(20))),
                                                  pytest.approx(math.cos(math.radians(20)))] for w in turned)
