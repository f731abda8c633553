"""The SVG renderer: standalone, black and white, north up, with legend and disclaimer."""

import itertools
import math
import xml.etree.ElementTree as ET

import pytest

from floorplans.drawing import DIMENSIONS, DISCLAIMER, DOOR, LINEWEIGHTS_MM, ROOM_NAMES, WALL, Drawing, Polygon, Text
from floorplans.render_svg import render_svg
from tests.floorplans.sample_drawing import (
    DIMENSION_TEXTS,
    NOTE,
    ROOM_LABELS,
    SUBTITLE,
    TITLE,
    WEST_WALL,
    sample_drawing,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def source() -> str:
    return render_svg(sample_drawing(north_angle=20.0))


@pytest.fixture(scope="module")
def root(source: str) -> ET.Element:
    return ET.fromstring(source)


def _group(root: ET.Element, **attrs: str) -> ET.Element:
    for element in root.iter(f"{SVG}g"):
        if all(element.get(key.replace("_", "-")) == value for key, value in attrs.items()):
            return element
    raise AssertionError(f"no <g> with {attrs}")


def _layer(root: ET.Element, layer: str) -> ET.Element:
    return _group(root, data_layer=layer)


def _points(polygon: ET.Element) -> list[tuple[float, float]]:
    return [tuple(float(v) for v in pair.split(",")) for pair in polygon.get("points", "").split()]


def test_it_is_a_standalone_svg_with_a_viewbox(root: ET.Element) -> None:
    assert root.tag == f"{SVG}svg"
    assert len(root.get("viewBox", "").split()) == 4
    assert root.get("width") is None  # scales to its container unless asked


def test_width_px_sets_the_size_keeping_the_aspect_ratio() -> None:
    element = ET.fromstring(render_svg(sample_drawing(), width_px=800))
    _, _, view_w, view_h = (float(v) for v in element.get("viewBox").split())
    assert element.get("width") == "800"
    assert int(element.get("height")) == round(800 * view_h / view_w)


def test_it_flips_y_so_north_is_up(root: ET.Element) -> None:
    walls = _layer(root, WALL).findall(f"{SVG}polygon")
    assert {(x, -y) for x, y in WEST_WALL} in [set(_points(p)) for p in walls]
    _, min_y, _, height = (float(v) for v in root.get("viewBox").split())
    assert min_y < -12 < min_y + height  # the north wall (y = 12 ft) is near the top


def test_walls_are_filled_black_without_a_stroke(root: ET.Element) -> None:
    walls = _layer(root, WALL).findall(f"{SVG}polygon")
    assert len(walls) == 8
    assert all(p.get("fill") == "#000" and p.get("stroke") == "none" for p in walls)


def test_it_uses_only_black_and_white(root: ET.Element) -> None:
    colours = {
        element.get(attr) for element in root.iter() for attr in ("fill", "stroke", "color") if element.get(attr)
    }
    assert colours <= {"#000", "#fff", "none"}
    assert not [element for element in root.iter() if element.get("style") or element.get("opacity")]


def test_lineweights_are_proportional_to_the_layer_pens(root: ET.Element) -> None:
    widths = {layer: float(_layer(root, layer).get("stroke-width")) for layer in (WALL, DOOR, DIMENSIONS)}
    for layer in (DOOR, DIMENSIONS):
        assert widths[layer] / widths[WALL] == pytest.approx(LINEWEIGHTS_MM[layer] / LINEWEIGHTS_MM[WALL], rel=1e-3)


def test_door_swings_are_arcs(root: ET.Element) -> None:
    arcs = [p for p in _layer(root, DOOR).findall(f"{SVG}path") if " A " in p.get("d", "")]
    assert len(arcs) == 2


def test_dimensions_have_extension_lines_ticks_and_text(root: ET.Element) -> None:
    layer = _layer(root, DIMENSIONS)
    # Per dimension: the dimension line, two extension lines and two ticks.
    assert len(layer.findall(f"{SVG}line")) == 5 * len(DIMENSION_TEXTS)
    assert sorted(t.text for t in layer.findall(f"{SVG}text")) == sorted(DIMENSION_TEXTS)


def test_vertical_dimension_text_reads_from_the_right(root: ET.Element) -> None:
    texts = {t.text: t for t in _layer(root, DIMENSIONS).findall(f"{SVG}text")}
    assert texts["12'-0\""].get("transform", "").startswith("rotate(-90 ")


def test_it_has_a_north_arrow_rotated_by_the_north_angle(root: ET.Element) -> None:
    arrow = _group(root, **{"class": "north-arrow"})
    circle = arrow.find(f"{SVG}circle")
    cx, cy, r = (float(circle.get(k)) for k in ("cx", "cy", "r"))
    tip_x, tip_y = _points(arrow.findall(f"{SVG}polygon")[0])[0]
    bearing = math.degrees(math.atan2(tip_x - cx, -(tip_y - cy)))  # clockwise from screen up
    assert bearing == pytest.approx(20.0, abs=0.01)
    assert [t.text for t in arrow.iter(f"{SVG}text")] == ["N"]
    assert 0.7 * r < math.hypot(tip_x - cx, tip_y - cy) <= r


def test_it_has_a_graduated_scale_bar(root: ET.Element) -> None:
    bar = _group(root, **{"class": "scale-bar"})
    fills = [rect.get("fill") for rect in bar.findall(f"{SVG}rect")]
    assert all(a != b for a, b in itertools.pairwise(fills))  # alternating black and white
    labels = [t.text for t in bar.findall(f"{SVG}text")]
    assert labels[-1] == "FEET"
    marks = [float(label) for label in labels[:-1]]
    assert marks[0] == 0 and marks == sorted(marks) and len(marks) >= 3
    # The bar is drawn in plan feet: its length in user units is its last mark.
    xs = [float(r.get("x")) for r in bar.findall(f"{SVG}rect")]
    ends = [float(r.get("x")) + float(r.get("width")) for r in bar.findall(f"{SVG}rect")]
    assert max(ends) - min(xs) == pytest.approx(marks[-1])


def test_it_carries_the_disclaimer(source: str, root: ET.Element) -> None:
    assert DISCLAIMER == "Plan is approximate, verify actual conditions before use"
    disclaimer = _group(root, **{"class": "disclaimer"})
    assert [t.text for t in disclaimer.iter(f"{SVG}text")] == [DISCLAIMER]


def test_it_writes_only_the_expected_text(root: ET.Element) -> None:
    texts = sorted(t.text for t in root.iter(f"{SVG}text"))
    expected = [*ROOM_LABELS, *DIMENSION_TEXTS, TITLE, SUBTITLE, NOTE, DISCLAIMER, "N", "0", "2", "4", "8", "FEET"]
    assert texts == sorted(expected)


def test_text_is_escaped(source: str, root: ET.Element) -> None:
    assert "Main floor &lt;ground&gt; &amp; entry" in source
    assert SUBTITLE in [t.text for t in root.iter(f"{SVG}text")]


def test_a_single_room_renders_as_a_small_review_image() -> None:
    room = Drawing(title="Bedroom #2")
    room.add(Polygon(WALL, ((0, 0), (12, 0), (12, 14), (0, 14)), filled=False))
    room.add(Text(ROOM_NAMES, (6, 7), "BEDROOM #2", 0.5))
    element = ET.fromstring(render_svg(room, width_px=320))
    assert element.get("width") == "320"
    assert "BEDROOM #2" in [t.text for t in element.iter(f"{SVG}text")]
    assert _group(element, **{"class": "scale-bar"}) is not None


def test_an_empty_drawing_still_renders() -> None:
    ET.fromstring(render_svg(Drawing()))
