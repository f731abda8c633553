"""Square footage by ANSI Z765-2021, the US residential measuring standard.

What counts, per room (``AreaRoom``):

* Gross living area (GLA) is finished, above-grade area only. A room with any
  part below grade is below grade; finished below-grade area is reported
  separately, never added to GLA.
* Garages, carports, porches, decks, patios and balconies are excluded even
  when finished, as are unfinished rooms and openings to the floor below (a
  two-storey foyer's upper floor). A heated, enclosed porch finished like the
  house should be typed as a room (e.g. "sunroom"), not "porch".
* Ceilings: a room counts only if its ceiling is at least 7 ft (the
  standard's allowances under beams and ducts are not modelled). Under a
  sloped ceiling at least half of the room's floor must have 7 ft or more,
  otherwise the room is excluded; when it qualifies, floor under less than
  5 ft does not count. The slope runs linearly across the room's depth
  (north-south), from ``low`` on ``low_side`` to ``high`` on the other side.
* Dimensions are rounded to 0.1 ft before any area is computed; totals are
  rounded to the whole square foot (half up).
* A polygon room (a scan with walls off square) has no width-times-depth: its
  area is the shoelace formula on its vertices as measured (snapping each
  corner to 0.1 ft would move its slanted walls), rounded to 0.1 sq ft like
  every row; its exterior footprint is the polygon grown by the exterior wall
  with mitred corners.

Interior and exterior: rooms are measured inside, wall face to wall face, and
their areas are reported as such ("interior"). The standard measures the
house at its exterior finished surfaces, so GLA and below-grade area
("exterior") are the footprint of the counted rooms grown outward by the
exterior wall thickness (``EXTERIOR_WALL_FT``, 0.5 ft, a 2x6 wall with
finishes), minus the parts of counted rooms that do not count (openings to
below, floor under 5 ft). Rooms with a plan position (the north-west corner,
y grows south, as in ``floorplans.geometry``) on the same level are grown as
one footprint, so the walls between them count once, polygon rooms' included
(their grown outlines are unioned, filling a gap narrower than two walls as
the drawing's shared walls do); a room without a position is grown on its own,
which overstates the walls it shares.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import shapely

from floorplans.geometry.measures import EXTERIOR_WALL_FT, GeometryError, Point, Rect, round_half_up
from floorplans.geometry.plan import Room
from floorplans.geometry.rooms import Notch, polygon_area, room_rectangles

STANDARD = "ANSI Z765-2021"
EXCLUDED_TYPES = ("garage", "carport", "porch", "deck", "patio", "balcony")
GRADES = ("above", "below")
MIN_CEILING_FT = 7.0
MIN_SLOPED_CEILING_FT = 5.0
MIN_SHARE_AT_FULL_HEIGHT = 0.5

GLA, BELOW_GRADE, EXCLUDED = "gla", "below_grade", "excluded"


@dataclass(frozen=True)
class SlopedCeiling:
    """A ceiling rising linearly across the room's depth from ``low`` (on ``low_side``) to ``high``."""

    low: float
    high: float
    low_side: str = "north"  # or "south"

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.high:
            raise GeometryError(f"A sloped ceiling goes from low to high: {self.low:g} ft to {self.high:g} ft")
        if self.low_side not in ("north", "south"):
            raise GeometryError(f"A sloped ceiling's low side is north or south, not {self.low_side!r}")

    def depth_share_at_least(self, height: float) -> float:
        """The share of the depth (0-1) where the ceiling is at least ``height``."""
        if self.high == self.low:
            return 1.0 if self.low >= height else 0.0
        return min(1.0, max(0.0, (self.high - height) / (self.high - self.low)))


@dataclass(frozen=True)
class AreaRoom:
    """One room as the area calculation needs it; ``width`` east-west, ``depth`` north-south, interior feet."""

    label: str
    type: str
    width: float
    depth: float
    finished: bool = True
    grade: str = "above"  # "below" if any part of the room is below grade
    ceiling_height: float | None = None  # None: not measured, taken to be at least 7 ft
    sloped_ceiling: SlopedCeiling | None = None  # replaces ceiling_height when given
    open_to_below: float = 0.0  # square feet of floor opening onto the level below
    notch: Notch | None = None  # L-shapes, as in geometry
    level: int = 1  # rooms on one level and with positions are measured as one footprint
    x: float | None = None  # plan position (north-west corner), optional
    y: float | None = None
    polygon: tuple[Point, ...] = ()  # a polygon room's vertices, room-local as in geometry

    def __post_init__(self) -> None:
        if not (self.width > 0 and self.depth > 0):
            raise GeometryError(f"{self.label}: width and depth must be more than 0 ft")
        if self.polygon and (len(self.polygon) < 3 or polygon_area(self.polygon) <= 0):
            raise GeometryError(f"{self.label}: a polygon room needs three corners around some floor")
        if self.grade not in GRADES:
            raise GeometryError(f"{self.label}: grade is above or below, not {self.grade!r}")
        if self.ceiling_height is not None and self.ceiling_height <= 0:
            raise GeometryError(f"{self.label}: the ceiling height must be more than 0 ft")
        if self.notch is not None and (self.notch.width >= self.width or self.notch.depth >= self.depth):
            raise GeometryError(f"{self.label}: the notch must be smaller than the room")
        if self.open_to_below < 0 or self.open_to_below > self.width * self.depth:
            raise GeometryError(f"{self.label}: the area open to below must be between 0 and the room's area")

    @classmethod
    def from_room(cls, room: Room, *, type: str, finished: bool = True, grade: str = "above",
                  sloped_ceiling: SlopedCeiling | None = None, open_to_below: float = 0.0,
                  level: int = 1) -> "AreaRoom":
        """A placed ``Room``: size, notch, ceiling height and position come from it."""
        analysis = room.analysis
        return cls(room.name, type, analysis.width, analysis.height, finished, grade, analysis.ceiling_height,
                   sloped_ceiling, open_to_below, analysis.notch, level, room.x, room.y, analysis.vertices)

    @property
    def positioned(self) -> bool:
        return self.x is not None and self.y is not None


@dataclass(frozen=True)
class AreaRow:
    """One line of the calculation table. Areas are interior square feet, rounded to 0.1."""

    label: str
    type: str
    width: float  # rounded to 0.1 ft
    depth: float
    dimensions: str
    area: float  # the room's floor area
    counted_area: float  # what counts toward GLA or below-grade area (0 when excluded)
    category: str  # "gla", "below_grade" or "excluded"
    reason: str

    @property
    def included_in_gla(self) -> bool:
        return self.category == GLA

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "type": self.type, "dimensions": self.dimensions, "width": self.width,
                "depth": self.depth, "area": self.area, "countedArea": self.counted_area,
                "category": self.category, "includedInGla": self.included_in_gla, "reason": self.reason,
                "convention": "interior"}


@dataclass(frozen=True)
class AreaReport:
    rows: tuple[AreaRow, ...]
    gross_living_area: int  # exterior, square feet
    below_grade_finished_area: int  # exterior, square feet
    gross_living_area_interior: int
    below_grade_finished_area_interior: int
    exterior_wall: float
    declaration: str

    conventions = {"rooms": "interior", "grossLivingArea": "exterior", "belowGradeFinishedArea": "exterior"}

    def row(self, label: str) -> AreaRow | None:
        return next((row for row in self.rows if row.label == label), None)

    def summary(self) -> list[str]:
        """The lines to print with the plan: the two totals, then the declaration."""
        return [f"Gross living area: {self.gross_living_area:,} sq ft (finished, above grade, exterior)",
                f"Below-grade finished area: {self.below_grade_finished_area:,} sq ft (exterior)",
                self.declaration]

    def plan_notes(self) -> list[str]:
        """Short lines for the plan's own notes (one line each, unwrapped in the SVG legend)."""
        return [*self.summary()[:2],
                f"Calculated in accordance with {STANDARD}; room areas interior, totals to exterior faces."]

    def table(self) -> list[list[str]]:
        """The calculation table as text cells, with a header row, for the PDF."""
        rows = [["Room", "Dimensions", "Area (sq ft, interior)", "Counted (sq ft)", "In GLA", "Reason"]]
        rows += [[r.label, r.dimensions, f"{r.area:,.1f}", f"{r.counted_area:,.1f}",
                  "yes" if r.included_in_gla else "no", r.reason] for r in self.rows]
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {"standard": STANDARD, "grossLivingArea": self.gross_living_area,
                "belowGradeFinishedArea": self.below_grade_finished_area,
                "grossLivingAreaInterior": self.gross_living_area_interior,
                "belowGradeFinishedAreaInterior": self.below_grade_finished_area_interior,
                "exteriorWall": self.exterior_wall, "conventions": dict(self.conventions),
                "rooms": [row.to_dict() for row in self.rows], "declaration": self.declaration}


def declaration(exterior_wall: float = EXTERIOR_WALL_FT) -> str:
    return (f"Calculated in accordance with {STANDARD} from interior room measurements. Gross living area is "
            f"finished above-grade area measured to the exterior finished surfaces (a {exterior_wall:g} ft "
            "exterior wall added to the interior measurements); below-grade finished area is reported "
            "separately. Garages, porches, unfinished areas, openings to the floor below, ceilings under 7 ft "
            "and sloped-ceiling areas under 5 ft are excluded. Dimensions rounded to 0.1 ft, totals to the "
            "nearest square foot. Measurements are approximate; verify before use.")


def calculate_areas(rooms: Sequence[AreaRoom], *, exterior_wall: float = EXTERIOR_WALL_FT) -> AreaReport:
    """The ANSI Z765 calculation for a house: one row per room, GLA and below-grade totals."""
    rounded = [_rounded(room) for room in rooms]
    rows, deductions = zip(*(_row(room) for room in rounded), strict=True) if rounded else ((), ())
    totals: dict[str, int] = {}
    for category in (GLA, BELOW_GRADE):
        members = [(room, deduction) for room, row, deduction in zip(rounded, rows, deductions, strict=True)
                   if row.category == category]
        interior = sum(_area(room) - deduction for room, deduction in members)
        exterior = _footprint([room for room, _ in members], exterior_wall) - sum(d for _, d in members)
        totals[category] = _whole(exterior)
        totals[category + "_interior"] = _whole(interior)
    return AreaReport(tuple(rows), totals[GLA], totals[BELOW_GRADE], totals[GLA + "_interior"],
                      totals[BELOW_GRADE + "_interior"], exterior_wall, declaration(exterior_wall))


def _rounded(room: AreaRoom) -> AreaRoom:
    notch = room.notch and replace(room.notch, width=round_half_up(room.notch.width, 1),
                                   depth=round_half_up(room.notch.depth, 1))
    return replace(room, width=round_half_up(room.width, 1), depth=round_half_up(room.depth, 1), notch=notch)


def _area(room: AreaRoom) -> float:
    if room.polygon:
        return polygon_area(room.polygon)
    return sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in room_rectangles(room.width, room.depth, room.notch))


def _row(room: AreaRoom) -> tuple[AreaRow, float]:
    """The room's table row and the square feet of it that do not count although the room does."""
    area = _area(room)
    dimensions = f"{room.width:.1f} ft x {room.depth:.1f} ft"
    if room.polygon:
        dimensions = f"polygon of {len(room.polygon)} walls within {dimensions}"
    if room.notch:
        dimensions += f" less {room.notch.width:.1f} ft x {room.notch.depth:.1f} ft"

    def row(category: str, reason: str, counted: float = 0.0) -> AreaRow:
        return AreaRow(room.label, room.type, room.width, room.depth, dimensions, _tenth(area), _tenth(counted),
                       category, reason)

    if room.type.lower() in EXCLUDED_TYPES:
        return row(EXCLUDED, f"{room.type.capitalize()}: not living area under {STANDARD}"), 0.0
    if not room.finished:
        return row(EXCLUDED, "Unfinished"), 0.0
    notes = []
    deduction = 0.0
    slope = room.sloped_ceiling
    if slope:
        share = _area_at_least(room, slope, MIN_CEILING_FT) / area
        if share < MIN_SHARE_AT_FULL_HEIGHT - 1e-9:
            return row(EXCLUDED, f"Sloped ceiling: only {share:.0%} of the floor has 7 ft or more "
                                 "(at least 50% required)"), 0.0
        deduction = area - _area_at_least(room, slope, MIN_SLOPED_CEILING_FT)
        notes.append(f"sloped ceiling {slope.low:g}-{slope.high:g} ft, {share:.0%} at 7 ft or more"
                     + (f", {deduction:.1f} sq ft under 5 ft not counted" if deduction > 1e-9 else ""))
    elif room.ceiling_height is not None and room.ceiling_height < MIN_CEILING_FT:
        return row(EXCLUDED, f"Ceiling {room.ceiling_height:g} ft is under 7 ft"), 0.0
    if room.open_to_below:
        deduction += room.open_to_below
        notes.append(f"{room.open_to_below:.1f} sq ft open to below not counted")
    counted = max(0.0, area - deduction)
    extra = "; " + "; ".join(notes) if notes else ""
    if room.grade == "below":
        below = row(BELOW_GRADE, f"Finished, below grade: reported separately, not in GLA{extra}", counted)
        return below, area - counted
    return row(GLA, f"Finished, above grade{extra}", counted), area - counted


def _area_at_least(room: AreaRoom, slope: SlopedCeiling, height: float) -> float:
    """Floor area (square feet) under a ceiling of at least ``height`` in a sloped room."""
    share = slope.depth_share_at_least(height)
    # The qualifying band is the part of the depth farthest from the low side.
    band = (0.0, share * room.depth) if slope.low_side == "south" else ((1 - share) * room.depth, room.depth)
    if room.polygon:
        strip = shapely.box(-room.width, band[0], 2 * room.width, band[1]) if band[1] > band[0] else None
        return shapely.Polygon(room.polygon).intersection(strip).area if strip is not None else 0.0
    total = 0.0
    for x0, y0, x1, y1 in room_rectangles(room.width, room.depth, room.notch):
        total += (x1 - x0) * max(0.0, min(y1, band[1]) - max(y0, band[0]))
    return total


def _footprint(rooms: Sequence[AreaRoom], exterior_wall: float) -> float:
    """Area of the rooms grown outward by the exterior wall, rooms with positions on one level as one outline.

    Growing each rectangle by the wall and taking the union equals growing the
    union (square corners), so shared walls and gaps narrower than two walls
    count once.
    """
    groups: dict[Any, list[Rect]] = {}
    polygons: dict[Any, list[shapely.Polygon]] = {}
    for index, room in enumerate(rooms):
        key = ("level", room.level) if room.positioned else ("alone", index)
        x, y = (room.x, room.y) if room.positioned else (0.0, 0.0)
        if room.polygon:
            grown = shapely.Polygon([(x + px, y + py) for px, py in room.polygon]).buffer(exterior_wall,
                                                                                           join_style="mitre")
            polygons.setdefault(key, []).append(grown)
            groups.setdefault(key, [])
            continue
        groups.setdefault(key, []).extend(
            (x + x0 - exterior_wall, y + y0 - exterior_wall, x + x1 + exterior_wall, y + y1 + exterior_wall)
            for x0, y0, x1, y1 in room_rectangles(room.width, room.depth, room.notch))
    # Rectangles alone keep their exact arithmetic; a group with a polygon is unioned by shapely.
    return sum(shapely.union_all([*(shapely.box(*r) for r in rects), *polygons[key]]).area if key in polygons
               else union_area(rects) for key, rects in groups.items())


def union_area(rects: Sequence[Rect]) -> float:
    """Area covered by axis-aligned rectangles (coordinate compression; plans have a few dozen)."""
    xs = sorted({x for r in rects for x in (r[0], r[2])})
    ys = sorted({y for r in rects for y in (r[1], r[3])})
    total = 0.0
    for xa, xb in itertools.pairwise(xs):
        for ya, yb in itertools.pairwise(ys):
            cx, cy = (xa + xb) / 2, (ya + yb) / 2
            if any(r[0] < cx < r[2] and r[1] < cy < r[3] for r in rects):
                total += (xb - xa) * (yb - ya)
    return total


def _tenth(square_feet: float) -> float:
    return round_half_up(round(square_feet, 6), 1)


def _whole(square_feet: float) -> int:
    # Areas of 0.1 ft dimensions are exact to 0.01 sq ft; drop float noise so 152.4999999 totals 153.
    return int(round_half_up(round(square_feet, 6), 0))

