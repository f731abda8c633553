"""Export a ``Drawing`` as an AutoCAD DXF (R2010) with ezdxf.

Units: one DXF drawing unit is one INCH ($INSUNITS = 1, $LUNITS = 4
architectural, $MEASUREMENT = 0 imperial), the convention US architectural
CAD files follow, so DIST and the dimension entities read 12'-0" in AutoCAD,
BricsCAD or LibreCAD. Plan feet are multiplied by 12 on the way out.

Every layer is colour 7 (black on paper) and CONTINUOUS, with the pen width
of ``LINEWEIGHTS_MM`` as the layer lineweight; entities stay BYLAYER. Walls
are a closed LWPOLYLINE plus a SOLID HATCH. Dimensions are true DIMENSION
entities with an architectural-tick style, scaled (DIMSCALE) for the scale
the plan would be printed at; the legend (title, north arrow, scale bar,
notes and disclaimer) sits under the plan in model space at the same scale.
"""

import io

import ezdxf
from ezdxf import const, zoom
from ezdxf.document import Drawing as DxfDocument
from ezdxf.enums import TextEntityAlignment
from ezdxf.layouts import Modelspace

from floorplans.drawing import LAYERS, LINEWEIGHTS_MM, NOTES, Arc, Dimension, Drawing, Item, Line, Point, Polygon, Text
from floorplans.errors import ExportFailed
from floorplans.sheets import SCALES, Legend, legend_layout, north_arrow, preferred_scale

INCHES_PER_FOOT = 12.0
DIMSTYLE = "STAGECRAFT-ARCH"
TEXT_STYLE = "STAGECRAFT"


def export_dxf(drawing: Drawing) -> bytes:
    """The drawing as DXF R2010 bytes (UTF-8), coordinates in inches.

    The document is audited before it is returned; an audit error (a bug
    here, never the user's input) raises ``ExportFailed`` rather than handing
    out a file CAD programs might refuse.
    """
    scale = SCALES[preferred_scale(drawing)]
    doc = _new_document(dimscale=scale.ratio)
    msp = doc.modelspace()
    for item in drawing.items:
        _add_item(msp, item)
    _add_legend(msp, legend_layout(drawing, feet_per_inch=scale.feet_per_inch), drawing.north_angle)
    zoom.extents(msp)

    auditor = doc.audit()
    if auditor.has_errors:
        raise ExportFailed("The DXF failed its audit: " + "; ".join(str(e.message) for e in auditor.errors))
    stream = io.StringIO()
    doc.write(stream)
    return doc.encode(stream.getvalue())


def _new_document(*, dimscale: int) -> DxfDocument:
    doc = ezdxf.new("R2010", setup=["linetypes"], units=ezdxf.units.IN)
    doc.header["$MEASUREMENT"] = 0
    doc.header["$LUNITS"] = 4  # architectural: 12'-0 1/2"
    doc.header["$LWDISPLAY"] = 1
    doc.header["$DIMSCALE"] = dimscale
    doc.styles.add(TEXT_STYLE, font="arial.ttf")
    for name in LAYERS:
        doc.layers.add(name, color=7, linetype="Continuous", lineweight=_lineweight(LINEWEIGHTS_MM[name]))
    # Sizes are on paper, in inches; DIMSCALE turns them into model inches at the print scale.
    doc.dimstyles.add(
        DIMSTYLE,
        dxfattribs={
            "dimscale": dimscale,
            "dimtxt": 3 / 32,
            "dimtxsty": TEXT_STYLE,
            "dimblk": "ARCHTICK",
            "dimasz": 3 / 32,
            "dimtsz": 0.0,
            "dimexe": 1 / 8,
            "dimexo": 1 / 16,
            "dimdle": 1 / 16,
            "dimgap": 1 / 32,
            "dimtad": 1,  # text above the dimension line
            "dimtih": 0,
            "dimtoh": 0,  # text aligned with the line, not horizontal
            "dimlunit": 4,
            "dimzin": 3,
            "dimlfac": 1.0,
        },
    )
    return doc


def _lineweight(mm: float) -> int:
    """DXF lineweights are hundredths of a millimetre: 0.50 mm is 50."""
    return round(mm * 100)


def _inches(point: Point) -> tuple[float, float]:
    return point[0] * INCHES_PER_FOOT, point[1] * INCHES_PER_FOOT


def _add_item(msp: Modelspace, item: Item) -> None:
    if isinstance(item, Polygon):
        _add_polygon(msp, item.layer, item.points, filled=item.filled)
    elif isinstance(item, Line):
        msp.add_line(_inches(item.start), _inches(item.end), dxfattribs={"layer": item.layer})
    elif isinstance(item, Arc):
        msp.add_arc(
            _inches(item.center),
            item.radius * INCHES_PER_FOOT,
            item.start_angle,
            item.end_angle,
            dxfattribs={"layer": item.layer},
        )
    elif isinstance(item, Text):
        _add_text(msp, item.layer, item.position, item.text, item.height, rotation=item.rotation)
    elif isinstance(item, Dimension):
        # ezdxf's distance is positive to the left of p1→p2, as Dimension.offset is.
        dim = msp.add_aligned_dim(
            p1=_inches(item.start),
            p2=_inches(item.end),
            distance=item.offset * INCHES_PER_FOOT,
            text=_dimension_text(item.text),
            dimstyle=DIMSTYLE,
            dxfattribs={"layer": item.layer},
        )
        dim.render()


def _dimension_text(text: str) -> str:
    """The layout's text verbatim; a backslash would start an MTEXT code, so it is doubled."""
    return text.replace("\\", "\\\\") or " "


def _add_polygon(msp: Modelspace, layer: str, points: tuple[Point, ...], *, filled: bool) -> None:
    vertices = [_inches(p) for p in points]
    msp.add_lwpolyline(vertices, close=True, dxfattribs={"layer": layer})
    if filled:
        hatch = msp.add_hatch(color=const.BYLAYER, dxfattribs={"layer": layer})
        hatch.paths.add_polyline_path(vertices, is_closed=True)


def _add_text(
    msp: Modelspace,
    layer: str,
    position: Point,
    text: str,
    height: float,
    *,
    rotation: float = 0.0,
    align: TextEntityAlignment = TextEntityAlignment.MIDDLE_CENTER,
) -> None:
    entity = msp.add_text(
        text,
        height=height * INCHES_PER_FOOT,
        rotation=rotation,
        dxfattribs={"layer": layer, "style": TEXT_STYLE},
    )
    entity.set_placement(_inches(position), align=align)


def _add_legend(msp: Modelspace, legend: Legend, north_angle: float) -> None:
    for line in legend.texts:
        _add_text(msp, NOTES, line.position, line.text, line.height, align=TextEntityAlignment.LEFT)

    arrow = north_arrow(north_angle)
    (cx, cy), radius = legend.arrow_center, legend.arrow_radius

    def place(points: tuple[Point, ...]) -> tuple[Point, ...]:
        return tuple((cx + x * radius, cy + y * radius) for x, y in points)

    msp.add_circle(_inches((cx, cy)), radius * INCHES_PER_FOOT, dxfattribs={"layer": NOTES})
    _add_polygon(msp, NOTES, place(arrow.outline), filled=False)
    _add_polygon(msp, NOTES, place(arrow.filled), filled=True)
    lx, ly = arrow.label_position
    _add_text(msp, NOTES, (cx + lx * radius, cy + ly * radius), "N", legend.arrow_label_height)

    x0, yc = legend.bar_origin
    half = legend.bar_height / 2
    for start, end, filled in legend.bar.segments:
        corners = ((x0 + start, yc - half), (x0 + end, yc - half), (x0 + end, yc + half), (x0 + start, yc + half))
        _add_polygon(msp, NOTES, corners, filled=filled)
    for position, label in legend.bar_labels:
        _add_text(msp, NOTES, position, label, legend.label_height)
