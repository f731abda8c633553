"""The DXF export: re-readable, audit-clean, inches, layered, real dimensions."""

import io

import ezdxf
import pytest
from ezdxf.document import Drawing as DxfDocument

from floorplans.drawing import DIMENSIONS, DISCLAIMER, DOOR, GLAZING, NOTES, ROOM_NAMES, WALL, Drawing
from floorplans.export_dxf import export_dxf
from tests.floorplans.sample_drawing import DIMENSION_TEXTS, ROOM_LABELS, WEST_WALL, sample_drawing


@pytest.fixture(scope="module")
def doc() -> DxfDocument:
    data = export_dxf(sample_drawing())
    return ezdxf.read(io.StringIO(data.decode("utf-8")))


def test_it_rereads_and_audits_without_errors(doc: DxfDocument) -> None:
    auditor = doc.audit()
    assert not auditor.has_errors, [e.message for e in auditor.errors]


def test_units_are_inches_in_architectural_notation(doc: DxfDocument) -> None:
    assert doc.header["$INSUNITS"] == 1
    assert doc.header["$MEASUREMENT"] == 0
    assert doc.header["$LUNITS"] == 4


def test_layers_carry_the_standard_lineweights(doc: DxfDocument) -> None:
    weights = {
        name: doc.layers.get(name).dxf.lineweight for name in (WALL, DOOR, GLAZING, ROOM_NAMES, DIMENSIONS, NOTES)
    }
    assert weights == {WALL: 50, DOOR: 25, GLAZING: 25, ROOM_NAMES: 18, DIMENSIONS: 18, NOTES: 18}
    assert {doc.layers.get(name).dxf.color for name in weights} == {7}


def test_walls_are_closed_polylines_with_a_solid_hatch(doc: DxfDocument) -> None:
    msp = doc.modelspace()
    outlines = msp.query(f'LWPOLYLINE[layer=="{WALL}"]')
    hatches = msp.query(f'HATCH[layer=="{WALL}"]')
    assert len(outlines) == len(hatches) == 8
    assert all(p.closed for p in outlines)
    assert all(h.dxf.solid_fill == 1 and h.dxf.pattern_name == "SOLID" for h in hatches)


def test_the_west_wall_is_at_its_coordinates_in_inches(doc: DxfDocument) -> None:
    expected = {(x * 12, y * 12) for x, y in WEST_WALL}
    vertices = [{(x, y) for x, y in p.get_points("xy")} for p in doc.modelspace().query(f'LWPOLYLINE[layer=="{WALL}"]')]
    assert expected in vertices


def test_door_swings_are_arcs(doc: DxfDocument) -> None:
    arcs = doc.modelspace().query(f'ARC[layer=="{DOOR}"]')
    assert sorted(a.dxf.radius for a in arcs) == [30.0, 36.0]
    assert all((a.dxf.start_angle, a.dxf.end_angle) == (0.0, 90.0) for a in arcs)


def test_dimensions_are_real_dimension_entities(doc: DxfDocument) -> None:
    dims = doc.modelspace().query(f'DIMENSION[layer=="{DIMENSIONS}"]')
    assert len(dims) == len(DIMENSION_TEXTS)
    assert sorted(round(d.get_measurement(), 6) for d in dims) == [144.0, 168.0, 168.0, 336.0]
    assert sorted(d.dxf.text for d in dims) == sorted(DIMENSION_TEXTS)
    assert all(d.get_geometry_block() is not None for d in dims)  # rendered, as CAD programs expect


def test_room_labels_and_the_disclaimer_are_text(doc: DxfDocument) -> None:
    msp = doc.modelspace()
    assert sorted(t.dxf.text for t in msp.query(f'TEXT[layer=="{ROOM_NAMES}"]')) == sorted(ROOM_LABELS)
    assert DISCLAIMER in [t.dxf.text for t in msp.query(f'TEXT[layer=="{NOTES}"]')]


def test_entities_take_colour_from_their_layer(doc: DxfDocument) -> None:
    assert {e.dxf.color for e in doc.modelspace() if e.dxf.hasattr("color")} <= {256}


def test_an_empty_drawing_still_exports() -> None:
    doc = ezdxf.read(io.StringIO(export_dxf(Drawing()).decode("utf-8")))
    assert not doc.audit().has_errors
