"""The walls of a placed plan: each room's wall segments, and where two rooms' walls lie back to back.

The drawing (``floorplans/layout.py``) and the IFC model (``floorplans/export_ifc.py``)
both decide wall thickness from this: a stretch two rooms share is one interior
wall centred on their common line, the rest are exterior walls outside the room.

A polygon room's walls are exterior walls outside the room along their own
segments, consecutive walls meeting in a mitre where their outer faces cross
(``outer_corners``), except where one faces another room's wall (polygon or
rectangle): turned less than ``PARALLEL_DEG`` from it, the faces at most
``SHARED_GAP_FT`` apart and side by side for more than ``MIN_SHARED_FT``, that
stretch is one interior wall (``shared_stretches``), as thick as a partition or
the gap when wider, centred between the faces. Two rectangles' shared walls
are ``shared_intervals``'s, exactly as before polygon rooms.
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from floorplans.geometry.measures import EXTERIOR_WALL_FT, INTERIOR_WALL_FT, Point, Segment
from floorplans.geometry.plan import Plan, Room
from floorplans.geometry.rooms import Opening, PolygonWall, WallSegment

EPS = 1e-6
# Consecutive walls turning less than this (the sine of about 0.06°) are one line: their mitre would
# lie absurdly far out for no visible corner.
_IN_LINE = 1e-3
# As SVG's default stroke-miterlimit: a mitre reaching past 4 wall thicknesses (a corner under about
# 29°) is cut back to that, so a sharp corner does not throw a spike across the sheet.
MITRE_LIMIT = 4.0

WallKey = tuple[bool, float]  # (horizontal, the coordinate the wall lies on)
Shared = dict[WallKey, list[tuple[float, float]]]


@dataclass(frozen=True)
class PlacedWall:
    room: Room
    segment: WallSegment  # plan coordinates

    @property
    def key(self) -> WallKey:
        return self.segment.horizontal, round(self.segment.line, 6)

    @property
    def sign(self) -> int:
        """+1 if the wall faces +x or +y (east, south), else -1."""
        return 1 if self.segment.side in ("east", "south") else -1

    @property
    def interval(self) -> tuple[float, float]:
        return self.segment.along, self.segment.along + self.segment.length


def placed_walls(plan: Plan) -> list[PlacedWall]:
    """Every room's wall segments in plan coordinates, room by room."""
    return [PlacedWall(room, segment) for room in plan.rooms for segment in room.wall_segments()]


def shared_intervals(walls: list[PlacedWall]) -> Shared:
    """Where two rooms' walls lie back to back: per wall line, the stretches they share."""
    shared: Shared = {}
    for a, b in itertools.combinations(walls, 2):
        if a.room.room_id == b.room.room_id or a.key != b.key or a.sign == b.sign:
            continue
        lo, hi = max(a.interval[0], b.interval[0]), min(a.interval[1], b.interval[1])
        if hi - lo > EPS:
            shared.setdefault(a.key, []).append((lo, hi))
    return shared


def is_shared(shared: Shared, wall: PlacedWall, at: float) -> bool:
    """Whether ``at`` (along the wall's axis) lies on a stretch another room shares."""
    return any(lo - EPS <= at <= hi + EPS for lo, hi in shared.get(wall.key, ()))


def across(shared: Shared, wall: PlacedWall, at: float) -> tuple[float, float, float]:
    """(room face, middle, far face) of the wall at ``at``, on the axis across the wall."""
    line, sign = wall.segment.line, wall.sign
    if is_shared(shared, wall, at):
        half = INTERIOR_WALL_FT / 2
        return line - sign * half, line, line + sign * half
    return line, line + sign * EXTERIOR_WALL_FT / 2, line + sign * EXTERIOR_WALL_FT


# Facing walls of two rooms are one wall when they turn less than 2° from each other, their faces lie at
# most one exterior wall apart plus a scan's few centimetres (or overlap by those centimetres), and they
# run side by side for more than a few centimetres.
PARALLEL_DEG = 2.0
SHARED_GAP_FT = EXTERIOR_WALL_FT + 0.25
OVERLAP_TOLERANCE_FT = 0.1
MIN_SHARED_FT = 0.1
CORNER_FT = 0.25  # a stretch ending this close to a room's corner ends at the corner
_OUTWARD = {"north": (0.0, -1.0), "south": (0.0, 1.0), "east": (1.0, 0.0), "west": (-1.0, 0.0)}


@dataclass(frozen=True)
class Face(Segment):
    """A wall's room face in plan coordinates, from ``start`` to ``end``, its openings measured from ``start``:
    wall ``index`` of a polygon room's ``polygon_walls()`` or of a rectangle's ``wall_segments()``."""

    room: Room
    index: int
    start: Point
    end: Point
    outward: Point  # the unit normal out of the room
    openings: tuple[Opening, ...]

    def along(self, point: Point) -> float:
        """How far along the face the foot of ``point`` lies."""
        return (point[0] - self.start[0]) * self.direction[0] + (point[1] - self.start[1]) * self.direction[1]

    def out(self, point: Point) -> float:
        """How far outside the face ``point`` lies."""
        return (point[0] - self.start[0]) * self.outward[0] + (point[1] - self.start[1]) * self.outward[1]


@dataclass(frozen=True)
class SharedStretch:
    """Where two rooms' faces, one of them a polygon room's, are one interior wall: along ``first`` from ``lo``
    to ``hi``, its centre line ``gap_lo / 2`` and ``gap_hi / 2`` outside ``first`` at those ends."""

    first: Face
    second: Face
    lo: float
    hi: float
    gap_lo: float
    gap_hi: float

    @property
    def thickness(self) -> float:
        """An interior wall, or the whole gap where the faces are further apart (as between rectangles)."""
        return max(INTERIOR_WALL_FT, self.gap_lo, self.gap_hi)

    def centre(self, along: float) -> float:
        """How far outside ``first`` the wall's centre line lies at ``along``."""
        share = (along - self.lo) / (self.hi - self.lo)
        return (self.gap_lo + (self.gap_hi - self.gap_lo) * share) / 2

    def on_first(self, face: Face, distance: float) -> float:
        """Where ``distance`` along ``face`` (either side) lies along ``first``."""
        return distance if face == self.first else self.first.along(face.point_at(distance))

    def extent(self) -> tuple[float, float]:
        """Its ends along ``first``, each run on by ``EXTERIOR_WALL_FT`` where it meets a room's corner, through
        the corner's exterior wall (each room's own walls there stop at its mitre, leaving this side open)."""
        def at_corner(along: float) -> bool:
            point = self.first.point_at(along)
            return any(min(math.dist(point, face.start), math.dist(point, face.end)) < CORNER_FT
                       for face in (self.first, self.second))
        return (self.lo - (EXTERIOR_WALL_FT if at_corner(self.lo) else 0.0),
                self.hi + (EXTERIOR_WALL_FT if at_corner(self.hi) else 0.0))

    def openings(self) -> list[tuple[Face, Opening, tuple[float, float]]]:
        """Both sides' openings on the stretch, once each (one both rooms recorded is the first's), with their
        ends (``position``, then ``end``) along ``first``."""
        found: list[tuple[Face, Opening, tuple[float, float]]] = []
        for face in (self.first, self.second):
            for opening in face.openings:
                ends = (self.on_first(face, opening.position), self.on_first(face, opening.end))
                a, b = sorted(ends)
                if self.lo - EPS <= (a + b) / 2 <= self.hi + EPS and not any(
                        min(b, max(e)) - max(a, min(e)) > EPS for _, _, e in found):
                    found.append((face, opening, ends))
        return found

    def interval(self, face: Face) -> tuple[float, float]:
        """The stretch along ``face`` (either side), low to high."""
        if face == self.first:
            return self.lo, self.hi
        ends = sorted(face.along(self.first.point_at(v)) for v in (self.lo, self.hi))
        return ends[0], ends[1]


def faces(plan: Plan) -> list[Face]:
    """Every wall face of every room, polygon walls and rectangles' segments alike, room by room."""
    found = []
    for room in plan.rooms:
        for wall in room.polygon_walls():
            found.append(Face(room, wall.index, wall.start, wall.end, wall.outward, wall.openings))
        for k, segment in enumerate(room.wall_segments()):
            found.append(Face(room, k, segment.start, segment.end, _OUTWARD[segment.side], segment.openings))
    return found


def shared_stretches(plan: Plan) -> list[SharedStretch]:
    """Facing walls of two rooms, at least one a polygon room, that are one wall (see ``SHARED_GAP_FT``); the
    stretches of two rectangles are ``shared_intervals``'s and do not appear here."""
    all_faces = faces(plan)
    limit = -math.cos(math.radians(PARALLEL_DEG))
    stretches = []
    for a, b in itertools.combinations(all_faces, 2):
        if a.room.room_id == b.room.room_id or not (a.room.analysis.is_polygon or b.room.analysis.is_polygon):
            continue
        if a.outward[0] * b.outward[0] + a.outward[1] * b.outward[1] > limit:
            continue  # not facing each other
        (t0, d0), (t1, d1) = sorted((a.along(p), a.out(p)) for p in (b.start, b.end))
        lo, hi = max(0.0, t0), min(a.length, t1)
        if hi - lo <= MIN_SHARED_FT:
            continue
        gaps = [d0 + (d1 - d0) * (t - t0) / (t1 - t0) for t in (lo, hi)]
        if all(-OVERLAP_TOLERANCE_FT <= g <= SHARED_GAP_FT for g in gaps):
            stretches.append(SharedStretch(a, b, lo, hi, max(0.0, gaps[0]), max(0.0, gaps[1])))
    return stretches


def stretches_of(stretches: Sequence[SharedStretch], face: Face) -> list[tuple[SharedStretch, float, float]]:
    """The stretches ``face`` takes part in, each with its interval along ``face``, run on to the face's end
    when less than ``MIN_SHARED_FT`` short of it (what a wall shared at a slight slant leaves over, which the
    shared wall covers)."""
    found = []
    for stretch in stretches:
        if face in (stretch.first, stretch.second):
            lo, hi = stretch.interval(face)
            found.append((stretch, 0.0 if lo < MIN_SHARED_FT else lo,
                          face.length if hi > face.length - MIN_SHARED_FT else hi))
    return found


def free_intervals(length: float, taken: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The parts of ``0``-``length`` outside the ``taken`` intervals, in order."""
    free, start = [], 0.0
    for lo, hi in sorted(taken):
        if lo > start + EPS:
            free.append((start, lo))
        start = max(start, hi)
    if start < length - EPS:
        free.append((start, length))
    return free


def outer_corners(walls: Sequence[PolygonWall], thickness: float = EXTERIOR_WALL_FT) -> list[Point]:
    """Where the outer faces of a polygon room's consecutive walls meet: corner ``k`` at the start of wall ``k``
    (at most ``MITRE_LIMIT`` thicknesses from it)."""
    corners: list[Point] = []
    for before, wall in zip([*walls[-1:], *walls[:-1]], walls, strict=True):
        (dx0, dy0), (dx1, dy1) = before.direction, wall.direction
        p0, p1 = before.point_at(0.0, thickness), wall.point_at(0.0, thickness)
        cross = dx0 * dy1 - dy0 * dx1
        if abs(cross) < _IN_LINE:  # walls in line: their faces are one line
            corners.append(p1)
            continue
        s = ((p1[0] - p0[0]) * dy1 - (p1[1] - p0[1]) * dx1) / cross
        corner = (p0[0] + dx0 * s, p0[1] + dy0 * s)
        reach = math.dist(corner, wall.start)
        if reach > MITRE_LIMIT * thickness:  # a sharp corner: pull the spike in along the bisector
            share = MITRE_LIMIT * thickness / reach
            corner = (wall.start[0] + (corner[0] - wall.start[0]) * share,
                      wall.start[1] + (corner[1] - wall.start[1]) * share)
        corners.append(corner)
    return corners


def corner_reach(wall: PolygonWall, corner: Point, *, at_start: bool) -> float:
    """How far the mitred outer corner lies beyond the wall's ``start`` (or ``end``), along the wall (0 or more)."""
    (dx, dy), (x, y) = wall.direction, wall.start if at_start else wall.end
    along = (corner[0] - x) * dx + (corner[1] - y) * dy
    return max(0.0, -along if at_start else along) if math.isfinite(along) else 0.0
