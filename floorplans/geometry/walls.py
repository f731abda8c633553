"""The walls of a placed plan: each room's wall segments, and where two rooms' walls lie back to back.

The drawing (``floorplans/layout.py``) and the IFC model (``floorplans/export_ifc.py``)
both decide wall thickness from this: a stretch two rooms share is one interior
wall centred on their common line, the rest are exterior walls outside the room.
"""

import itertools
from dataclasses import dataclass

from floorplans.geometry.measures import EXTERIOR_WALL_FT, INTERIOR_WALL_FT
from floorplans.geometry.plan import Plan, Room
from floorplans.geometry.rooms import WallSegment

EPS = 1e-6

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
