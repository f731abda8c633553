"""The walls of a placed plan: each room's wall segments, and where two rooms' walls lie back to back.

The drawing (``floorplans/layout.py``) and the IFC model (``floorplans/export_ifc.py``)
both decide wall thickness from this: a stretch two rooms share is one interior
wall centred on their common line, the rest are exterior walls outside the room.

A polygon room's walls are never shared (``floorplans.geometry.merging``): each
is an exterior wall outside the room along its own segment, and consecutive
walls meet in a mitre, where their outer faces cross (``outer_corners``).
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from floorplans.geometry.measures import EXTERIOR_WALL_FT, INTERIOR_WALL_FT, Point
from floorplans.geometry.plan import Plan, Room
from floorplans.geometry.rooms import PolygonWall, WallSegment

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
