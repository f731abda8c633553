"""Rooms placed on a plan, the walls they share, and the floor two rooms both claim."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import shapely

from floorplans.geometry.measures import GeometryError, Point, Rect, check_number, round_half_up
from floorplans.geometry.parsing import parse_analysis
from floorplans.geometry.rooms import PolygonWall, RoomAnalysis, WallSegment

# Less than this is float noise between rooms that only touch.
OVERLAP_EPSILON_SQFT = 0.01


@dataclass(frozen=True)
class Room:
    """A room on the plan: ``x``, ``y`` is its north-west corner in plan coordinates (y grows south)."""

    room_id: str
    analysis: RoomAnalysis
    label: str = ""
    x: float = 0.0
    y: float = 0.0

    @property
    def name(self) -> str:
        return self.label or self.room_id

    @property
    def width(self) -> float:
        return self.analysis.width

    @property
    def height(self) -> float:
        return self.analysis.height

    @property
    def bounds(self) -> Rect:
        return self.x, self.y, self.x + self.width, self.y + self.height

    def rectangles(self) -> tuple[Rect, ...]:
        return tuple((x0 + self.x, y0 + self.y, x1 + self.x, y1 + self.y) for x0, y0, x1, y1 in
                     self.analysis.rectangles())

    def outline(self) -> tuple[Point, ...]:
        return tuple((x + self.x, y + self.y) for x, y in self.analysis.outline())

    def wall_segments(self) -> tuple[WallSegment, ...]:
        return tuple(s.moved(self.x, self.y) for s in self.analysis.wall_segments())

    def polygon_walls(self) -> tuple[PolygonWall, ...]:
        """A polygon room's walls in plan coordinates (none for a rectangle or L-shape)."""
        return tuple(w.moved(self.x, self.y) for w in self.analysis.polygon_walls())

    def at(self, x: float, y: float) -> "Room":
        return replace(self, x=x, y=y)

    def position(self) -> dict[str, float]:
        return {"x": round_half_up(self.x, 2), "y": round_half_up(self.y, 2)}


def make_room(room_id: str, analysis: Mapping[str, Any] | RoomAnalysis, *, label: str = "",
              position: Mapping[str, Any] | None = None) -> Room:
    """A ``Room`` from stored data: the analysis dict and the ``{"x", "y"}`` position (None = origin)."""
    parsed = analysis if isinstance(analysis, RoomAnalysis) else parse_analysis(analysis)
    position = position or {}
    return Room(str(room_id), parsed, label, check_number(position.get("x", 0.0), "position.x"),
                check_number(position.get("y", 0.0), "position.y"))


@dataclass(frozen=True)
class SharedWall:
    """The wall two merged rooms share; ``wall`` is "east/west" when the second room is east of the first."""

    rooms: tuple[str, str]
    wall: str
    reconciled: bool
    length_discrepancy: float

    def to_dict(self) -> dict[str, Any]:
        return {"rooms": list(self.rooms), "wall": self.wall, "reconciled": self.reconciled,
                "lengthDiscrepancy": self.length_discrepancy}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SharedWall":
        first, second = data["rooms"]
        return cls((str(first), str(second)), str(data["wall"]), bool(data["reconciled"]),
                   float(data["lengthDiscrepancy"]))


@dataclass(frozen=True)
class Overlap:
    rooms: tuple[str, str]
    area: float  # square feet, rounded to 0.01

    def to_dict(self) -> dict[str, Any]:
        return {"rooms": list(self.rooms), "area": self.area}


@dataclass(frozen=True)
class Plan:
    """Placed rooms, in the order they were merged, and the walls they share."""

    rooms: tuple[Room, ...] = ()
    shared_walls: tuple[SharedWall, ...] = ()

    def __post_init__(self) -> None:
        ids = [room.room_id for room in self.rooms]
        if len(set(ids)) != len(ids):
            raise GeometryError("A room appears twice on the plan")

    def room(self, room_id: str) -> Room:
        for room in self.rooms:
            if room.room_id == str(room_id):
                return room
        raise GeometryError(f"Room {room_id} is not on the plan")

    def with_room(self, room: Room) -> "Plan":
        """The plan with ``room`` added, or put in place of the room with its id."""
        ids = [r.room_id for r in self.rooms]
        if room.room_id in ids:
            rooms = tuple(room if r.room_id == room.room_id else r for r in self.rooms)
        else:
            rooms = (*self.rooms, room)
        return replace(self, rooms=rooms)

    def without_room(self, room_id: str) -> "Plan":
        return Plan(tuple(r for r in self.rooms if r.room_id != room_id),
                    tuple(s for s in self.shared_walls if room_id not in s.rooms))

    def scaled(self, factor: float) -> "Plan":
        """Every room and position times ``factor`` about the plan origin (rooms stay in contact)."""
        return replace(self, rooms=tuple(replace(r, analysis=r.analysis.scaled(factor), x=r.x * factor,
                                                 y=r.y * factor) for r in self.rooms))

    @property
    def bounds(self) -> Rect:
        """The rooms' bounding box (interior measurements); (0, 0, 0, 0) without rooms."""
        if not self.rooms:
            return 0.0, 0.0, 0.0, 0.0
        boxes = [room.bounds for room in self.rooms]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                max(b[3] for b in boxes))

    def total_dimensions(self) -> dict[str, float]:
        x0, y0, x1, y1 = self.bounds
        return {"width": round_half_up(x1 - x0, 1), "height": round_half_up(y1 - y0, 1)}

    def room_positions(self) -> dict[str, dict[str, float]]:
        return {room.room_id: room.position() for room in self.rooms}


def _rect_overlap(a: Rect, b: Rect) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def overlap_area(a: Room, b: Room) -> float:
    """Floor area two rooms both claim, square feet (each room's rectangles are disjoint, so sums are exact)."""
    if a.analysis.is_polygon or b.analysis.is_polygon:
        return shapely.Polygon(a.outline()).intersection(shapely.Polygon(b.outline())).area
    return sum(_rect_overlap(ra, rb) for ra in a.rectangles() for rb in b.rectangles())


def find_overlaps(plan: Plan, room_id: str | None = None) -> tuple[Overlap, ...]:
    """Pairs of rooms that overlap by more than ``OVERLAP_EPSILON_SQFT``; only ``room_id``'s pairs if given."""
    found = []
    for i, a in enumerate(plan.rooms):
        for b in plan.rooms[i + 1:]:
            if room_id is not None and room_id not in (a.room_id, b.room_id):
                continue
            area = overlap_area(a, b)
            if area > OVERLAP_EPSILON_SQFT:
                found.append(Overlap((a.room_id, b.room_id), round_half_up(area, 2)))
    return tuple(found)

