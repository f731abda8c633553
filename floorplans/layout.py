"""Placed rooms to a ``Drawing``: walls, doors, windows, room names, exterior dimensions.

Coordinates: the plan (``floorplans.geometry``) has y growing SOUTH and each
room's position at its north-west corner; the drawing has y growing NORTH, so
a plan point (x, y) is drawn at (x, -y). The first room's north-west corner
stays at the drawing's origin and the plan lies below the x axis.

Walls (A-WALL, filled polygons) follow the rooms' interior measurements:

* exterior walls, ``EXTERIOR_WALL_FT`` (6") thick, lie OUTSIDE the rooms, so
  the walls' outer faces of the two 12 ft rooms of the document span
  x = -0.5 to 24.5;
* interior walls, ``INTERIOR_WALL_FT`` (4 1/2"), are centred on the line two
  rooms share, taking 2 1/4" from each (within the measurements' accuracy);
* gaps closer than two exterior walls between rooms are filled solid.

The solid wall area is computed on a grid of every edge involved and handed
out as non-overlapping rectangles: long wall runs with the corner squares on
the north and south runs, split where doors, windows and openings cut them.

Openings: door leaves are Lines at right angles to the wall with a 90° swing
Arc into the room that recorded the door, hinged on the jamb the position is
measured from (the west or north jamb) unless the opening says
``"hinge": "end"``; windows are three Lines across the gap (both wall faces
and the glass) on A-GLAZ; a closet gets one Line across its opening on
A-DOOR; a plain opening is just the gap. A door or window both rooms
recorded is drawn once.

Polygon rooms (scans with walls off square) are drawn with the same items:
each wall an exterior wall outside the room along its own segment, a filled
quadrilateral mitred to its neighbours at the corners and cut where its
openings are; the openings drawn across the gap as above; the room name at
the polygon's centroid. Where a polygon room's wall faces another room's wall
within 2° and one wall apart (``floorplans.geometry.walls.shared_stretches``)
that stretch is drawn once, as one interior wall centred between the two faces
(a partition's thickness, or the gap when wider, as rectangles' gaps are
filled), cut where either room's openings are; a rectangle's exterior wall
strip there is left out, so it no longer paints into the polygon room.

Room names, size and area go on A-FLOR-IDEN as separate Texts at the centre
of the room's largest rectangle. Dimension strings on A-ANNO-DIMS: along the
north side a chain between room edges (interior measurements) and the
overall width between the exterior faces; the same along the west side. The
disclaimer and the ANSI area summary are sheet notes (``Drawing.disclaimer``
and ``Drawing.notes``), which every renderer prints in its legend or title
block, so they are not repeated as Text items.
"""

import bisect
import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

import shapely

from floorplans.areas import AreaReport
from floorplans.drawing import (
    DIMENSIONS,
    DOOR,
    GLAZING,
    ROOM_NAMES,
    WALL,
    Arc,
    Dimension,
    Drawing,
    Line,
    Point,
    Polygon,
    Text,
)
from floorplans.geometry.measures import EXTERIOR_WALL_FT, INTERIOR_WALL_FT, Rect, round_half_up
from floorplans.geometry.parsing import parse_analysis
from floorplans.geometry.plan import Plan, Room
from floorplans.geometry.rooms import Opening, RoomAnalysis, WallSegment, polygon_area
from floorplans.geometry.walls import (
    Face,
    PlacedWall,
    Shared,
    SharedStretch,
    across,
    faces,
    free_intervals,
    outer_corners,
    placed_walls,
    shared_intervals,
    shared_stretches,
    stretches_of,
)

NAME_TEXT_FT = 0.5
DETAIL_TEXT_FT = 0.35
LINE_SPACING_FT = 0.8
CHAIN_OFFSET_FT = 2.0
OVERALL_OFFSET_FT = 3.5
MIN_CHAIN_FT = 0.5  # room edges closer than this along a side share one chain mark
_EPS = 1e-6


def feet_inches(feet: float) -> str:
    """Feet as drafters write them, to the nearest inch: 12.5 -> 12'-6"."""
    inches = int(round_half_up(abs(feet) * 12, 0))
    whole, rest = divmod(inches, 12)
    sign = "-" if feet < 0 and inches else ""
    return f"{sign}{whole}'-{rest}\""


def build_drawing(plan: Plan, *, title: str = "", subtitle: str = "", north_angle: float = 0.0,
                  areas: AreaReport | None = None) -> Drawing:
    """The drawing every export of ``plan`` is rendered from (no furniture, exterior dimensions only).

    ``north_angle`` is degrees clockwise from the drawing's +y to true north;
    with ``areas`` the room labels show its interior areas and the sheet notes
    carry the GLA totals and a one-line ANSI statement (the full declaration
    and table go on the PDF's area sheet, from the ``AreaReport``).
    """
    drawing = Drawing(title=title, subtitle=subtitle, north_angle=north_angle,
                      notes=areas.plan_notes() if areas else [])
    if not plan.rooms:
        return drawing
    walls = placed_walls(plan)
    shared = shared_intervals(walls)
    stretches = shared_stretches(plan)
    square_faces = [face for face in faces(plan) if not face.room.analysis.is_polygon]
    for rect in _wall_rectangles(plan, walls, shared, _cut_by_stretches(square_faces, stretches)):
        drawing.add(Polygon(WALL, _rect_points(rect)))
    _add_openings(drawing, walls, shared, _in_stretches(square_faces, stretches))
    for room in plan.rooms:
        if room.analysis.is_polygon:
            _add_polygon_room(drawing, room, stretches)
    for stretch in stretches:
        _add_shared_stretch(drawing, stretch)
    for room in plan.rooms:
        _add_label(drawing, room, areas)
    _add_dimensions(drawing, plan)
    return drawing


def room_drawing(analysis: RoomAnalysis | Mapping[str, Any], label: str) -> Drawing:
    """One room on its own, for reviewing an analysis."""
    parsed = analysis if isinstance(analysis, RoomAnalysis) else parse_analysis(analysis)
    return build_drawing(Plan((Room("room", parsed, label),)), title=label)


# -- Walls --------------------------------------------------------------------------------------


def _across(wall: PlacedWall, opening: Opening, shared: Shared) -> tuple[float, float, float]:
    """(room face, middle, far face) of the wall at an opening, on the axis across the wall."""
    return across(shared, wall, wall.segment.along + opening.centre)


def _plan_rect(wall: PlacedWall, along: tuple[float, float], across: tuple[float, float]) -> Rect:
    (a0, a1), (c0, c1) = sorted(along), sorted(across)
    rect = (a0, c0, a1, c1) if wall.segment.horizontal else (c0, a0, c1, a1)
    return tuple(round(v, 6) for v in rect)  # type: ignore[return-value]


def _cut_by_stretches(square_faces: list[Face], stretches: list[SharedStretch]) -> list[Rect]:
    """A rectangle's exterior wall strip wherever it is one wall with a polygon room's (drawn by the stretch)."""
    cuts = []
    for face in square_faces:
        for _, lo, hi in stretches_of(stretches, face):
            (x0, y0), (x1, y1) = face.point_at(lo), face.point_at(hi, EXTERIOR_WALL_FT)
            cuts.append(tuple(round(v, 6) for v in (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))))
    return cuts


def _in_stretches(square_faces: list[Face], stretches: list[SharedStretch]) -> Callable[[PlacedWall, Opening], bool]:
    """Whether a rectangle's opening lies on a stretch shared with a polygon room (drawn by the stretch)."""
    spans = {(face.room.room_id, face.start, face.end): [(lo, hi) for _, lo, hi in stretches_of(stretches, face)]
             for face in square_faces}

    def inside(wall: PlacedWall, opening: Opening) -> bool:
        seg = wall.segment
        return any(lo - _EPS <= opening.centre <= hi + _EPS
                   for lo, hi in spans.get((wall.room.room_id, seg.start, seg.end), ()))
    return inside


def _wall_rectangles(plan: Plan, walls: list[PlacedWall], shared: Shared, cuts: list[Rect]) -> list[Rect]:
    """Solid wall as rectangles: (rooms grown by the exterior wall, minus rooms) plus partitions, minus gaps
    and ``cuts``."""
    t = EXTERIOR_WALL_FT
    inside = [tuple(round(v, 6) for v in r) for room in plan.rooms for r in room.rectangles()]
    grown = [(x0 - t, y0 - t, x1 + t, y1 + t) for x0, y0, x1, y1 in inside]
    half = INTERIOR_WALL_FT / 2
    inner = []
    for (horizontal, line), spans in shared.items():
        for lo, hi in spans:
            rect = (lo, line - half, hi, line + half) if horizontal else (line - half, lo, line + half, hi)
            inner.append(tuple(round(v, 6) for v in rect))
    gaps = [_plan_rect(w, (w.segment.along + o.position, w.segment.along + o.end), _across(w, o, shared)[::2])
            for w in walls for o in w.segment.openings] + cuts
    xs = sorted({r[i] for r in (*grown, *inside, *inner, *gaps) for i in (0, 2)})
    ys = sorted({r[i] for r in (*grown, *inside, *inner, *gaps) for i in (1, 3)})
    grid = _Grid(xs, ys)
    outer, room, partition, gap = (grid.mark(rects) for rects in (grown, inside, inner, gaps))
    solid = {cell for cell in (outer - room) | partition if cell not in gap}
    return grid.rectangles(solid)


class _Grid:
    """Cells between sorted x and y coordinates, addressed (column, row)."""

    def __init__(self, xs: list[float], ys: list[float]) -> None:
        self.xs, self.ys = xs, ys

    def mark(self, rects: list) -> set[tuple[int, int]]:
        cells = set()
        for x0, y0, x1, y1 in rects:
            i0, i1 = bisect.bisect_left(self.xs, x0), bisect.bisect_left(self.xs, x1)
            j0, j1 = bisect.bisect_left(self.ys, y0), bisect.bisect_left(self.ys, y1)
            cells.update(itertools.product(range(i0, i1), range(j0, j1)))
        return cells

    def rectangles(self, cells: set[tuple[int, int]]) -> list[Rect]:
        """Runs of cells along each row, stacked while the next row has the same run."""
        done: list[Rect] = []
        open_runs: dict[tuple[int, int], int] = {}  # (first column, last column + 1) -> first row
        for j in range(len(self.ys)):  # one row past the last, to close every run
            runs = set()
            i = 0
            while i < len(self.xs) - 1:
                if (i, j) in cells:
                    start = i
                    while (i, j) in cells:
                        i += 1
                    runs.add((start, i))
                else:
                    i += 1
            for run in [r for r in open_runs if r not in runs]:
                done.append((self.xs[run[0]], self.ys[open_runs.pop(run)], self.xs[run[1]], self.ys[j]))
            for run in runs:
                open_runs.setdefault(run, j)
        return sorted(done, key=lambda r: (r[1], r[0]))


def _rect_points(rect: Rect) -> tuple[Point, ...]:
    x0, y0, x1, y1 = rect
    return _pt(x0, y1), _pt(x1, y1), _pt(x1, y0), _pt(x0, y0)  # counter-clockwise once y points north


def _pt(x: float, y: float) -> Point:
    """A plan point (y south) in drawing coordinates (y north)."""
    return x + 0.0, -y + 0.0


# -- Doors, windows, closets --------------------------------------------------------------------


def _add_openings(drawing: Drawing, walls: list[PlacedWall], shared: Shared,
                  in_stretch: Callable[[PlacedWall, Opening], bool]) -> None:
    drawn: dict[tuple[bool, float], list[tuple[float, float]]] = {}
    for wall in walls:
        seg = wall.segment
        for opening in seg.openings:
            lo, hi = seg.along + opening.position, seg.along + opening.end
            if opening.type == "opening" or in_stretch(wall, opening) or any(
                    min(hi, b) - max(lo, a) > _EPS for a, b in drawn.get(wall.key, ())):
                continue
            drawn.setdefault(wall.key, []).append((lo, hi))
            _draw_opening(drawing, opening, lambda along, across, seg=seg: _on_wall(seg, along, across), (lo, hi),
                          _across(wall, opening, shared), inward=-wall.sign)


def _draw_opening(drawing: Drawing, opening: Opening, point: Callable[[float, float], Point],
                  span: tuple[float, float], across: tuple[float, float, float], *, inward: float) -> None:
    """A window's three lines, a closet's one, or a door's leaf and swing, across a wall's gap.

    ``point(along, across)`` is the drawing point of wall coordinates; ``span`` the opening's ends along the
    wall, ``across`` its (room face, middle, far face), ``inward`` the sign of "into the room" across it.
    """
    lo, hi = span
    face, middle, far = across
    if opening.type == "window":
        for line in (face, middle, far):
            drawing.add(Line(GLAZING, point(lo, line), point(hi, line)))
    elif opening.type == "closet":
        drawing.add(Line(DOOR, point(lo, middle), point(hi, middle)))
    elif opening.type == "door":
        hinge, latch = (hi, lo) if opening.extra.get("hinge") == "end" else (lo, hi)
        leaf_end = point(hinge, face + inward * opening.width)
        centre = point(hinge, face)
        drawing.add(Line(DOOR, centre, leaf_end))
        open_angle, closed_angle = _angle(centre, leaf_end), _angle(centre, point(latch, face))
        quarter = math.isclose((closed_angle - open_angle) % 360, 90, abs_tol=1e-6)
        start, end = (open_angle, closed_angle) if quarter else (closed_angle, open_angle)
        drawing.add(Arc(DOOR, centre, opening.width, start, end))


# -- Polygon rooms --------------------------------------------------------------------------------


def _add_polygon_room(drawing: Drawing, room: Room, stretches: list[SharedStretch]) -> None:
    """A polygon room's exterior walls outside it, mitred at its corners and cut at its openings, and the
    openings; where a wall is one with a neighbour's (``stretches``) that stretch is left to the shared wall."""
    t = EXTERIOR_WALL_FT
    walls = room.polygon_walls()
    corners = outer_corners(walls, t)
    for k, wall in enumerate(walls):
        face = Face(room, wall.index, wall.start, wall.end, wall.outward, wall.openings)
        for s0, s1 in free_intervals(wall.length, [(lo, hi) for _, lo, hi in stretches_of(stretches, face)]):
            inner = wall.point_at(s0)
            outer = corners[k] if s0 <= _EPS else wall.point_at(s0, t)
            pieces = []
            for opening in sorted(wall.openings, key=lambda o: o.position):
                if not s0 - _EPS <= opening.centre <= s1 + _EPS:
                    continue  # on a shared stretch, drawn with it
                pieces.append((inner, wall.point_at(opening.position), wall.point_at(opening.position, t), outer))
                inner, outer = wall.point_at(opening.end), wall.point_at(opening.end, t)
                _draw_opening(drawing, opening, lambda along, across, w=wall: _pt(*w.point_at(along, across)),
                              (opening.position, opening.end), (0.0, t / 2, t), inward=-1.0)
            end = corners[(k + 1) % len(walls)] if s1 >= wall.length - _EPS else wall.point_at(s1, t)
            pieces.append((inner, wall.point_at(s1), end, outer))
            for piece in pieces:
                if polygon_area(piece) > _EPS:  # an opening at a wall's very end leaves nothing there
                    drawing.add(Polygon(WALL, tuple(_pt(*p) for p in reversed(piece))))


def _add_shared_stretch(drawing: Drawing, stretch: SharedStretch) -> None:
    """One interior wall where two rooms' faces meet (one a polygon room's), centred between them, cut where
    either side's openings are (see ``SharedStretch.extent`` for its ends)."""
    first = stretch.first
    half = stretch.thickness / 2
    spans = []
    for face, opening, ends in stretch.openings():
        inward = -1.0 if face == first else 1.0  # the room that recorded it: first lies on the inner side
        middle = stretch.centre(sum(ends) / 2)
        _draw_opening(drawing, opening, lambda along, out: _pt(*first.point_at(along, out)), ends,
                      (middle + inward * half, middle, middle - inward * half), inward=inward)
        spans.append(sorted(ends))
    lo, hi = stretch.extent()
    cuts = [lo, *(v for span in sorted(spans) for v in span), hi]
    for a, b in zip(cuts[::2], cuts[1::2], strict=True):
        if b - a <= _EPS:
            continue
        ca, cb = (stretch.centre(min(max(v, stretch.lo), stretch.hi)) for v in (a, b))
        quad = (first.point_at(a, ca - half), first.point_at(b, cb - half), first.point_at(b, cb + half),
                first.point_at(a, ca + half))
        drawing.add(Polygon(WALL, tuple(_pt(*p) for p in quad)))


def _on_wall(segment: WallSegment, along: float, across: float) -> Point:
    """Drawing point from a distance along the wall's axis and a coordinate across it (plan feet)."""
    return _pt(along, across) if segment.horizontal else _pt(across, along)


def _angle(origin: Point, towards: Point) -> float:
    """Degrees counter-clockwise from east, 0-360, exact for the right angles doors have."""
    return round(math.degrees(math.atan2(towards[1] - origin[1], towards[0] - origin[0])), 9) % 360


# -- Labels and dimensions ------------------------------------------------------------------------


def _add_label(drawing: Drawing, room: Room, areas: AreaReport | None) -> None:
    if room.analysis.is_polygon:
        outline = shapely.Polygon(room.outline())
        centre = outline.centroid if outline.contains(outline.centroid) else outline.representative_point()
        cx, cy = _pt(centre.x, centre.y)
    else:
        x0, y0, x1, y1 = max(room.rectangles(), key=lambda r: (r[2] - r[0]) * (r[3] - r[1]))
        cx, cy = _pt((x0 + x1) / 2, (y0 + y1) / 2)
    row = areas.row(room.name) if areas else None
    area = row.area if row else room.analysis.area
    drawing.add(Text(ROOM_NAMES, (cx, cy), room.name, NAME_TEXT_FT))
    drawing.add(Text(ROOM_NAMES, (cx, cy - LINE_SPACING_FT),
                     f"{feet_inches(room.width)} x {feet_inches(room.height)}", DETAIL_TEXT_FT))
    drawing.add(Text(ROOM_NAMES, (cx, cy - 2 * LINE_SPACING_FT), f"{round_half_up(area, 0):,.0f} sq ft",
                     DETAIL_TEXT_FT))


def _add_dimensions(drawing: Drawing, plan: Plan) -> None:
    t = EXTERIOR_WALL_FT
    x0, y0, x1, y1 = plan.bounds
    north, south, west, east = -y0 + t, -y1 - t, x0 - t, x1 + t
    xs = _chain_marks([v for room in plan.rooms for v in (room.bounds[0], room.bounds[2])])
    for a, b in itertools.pairwise(xs):
        drawing.add(Dimension(DIMENSIONS, (a, north), (b, north), CHAIN_OFFSET_FT, feet_inches(b - a)))
    drawing.add(Dimension(DIMENSIONS, (west, north), (east, north), OVERALL_OFFSET_FT, feet_inches(east - west)))
    ys = _chain_marks([v for room in plan.rooms for v in (room.bounds[1], room.bounds[3])])
    for a, b in itertools.pairwise(ys):
        # South to north, so the positive offset (left of start→end) is to the west.
        drawing.add(Dimension(DIMENSIONS, _pt(west, b), _pt(west, a), CHAIN_OFFSET_FT, feet_inches(b - a)))
    drawing.add(Dimension(DIMENSIONS, (west, south), (west, north), OVERALL_OFFSET_FT, feet_inches(north - south)))


def _chain_marks(values: list[float]) -> list[float]:
    """Sorted room edges along one side, dropping any closer than ``MIN_CHAIN_FT`` to the last kept."""
    ordered = sorted(set(values))
    marks = [ordered[0]]
    for value in ordered[1:-1]:
        if value - marks[-1] >= MIN_CHAIN_FT and ordered[-1] - value >= MIN_CHAIN_FT:
            marks.append(value)
    if ordered[-1] > marks[-1]:
        marks.append(ordered[-1])
    return marks
