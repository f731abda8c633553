"""Room geometry for floor plans (seeds/004): analyses, outlines, merging, calibration.

Pure Python, no Django. Every floor plan module that takes plan data follows
these conventions:

* Units are feet. Room dimensions are INTERIOR (wall face to wall face), as
  the agent or the vision model measures them.
* ``analysis`` is the document's room object. ``dimensions.width`` is the
  room's east-west extent, ``dimensions.height`` its north-south extent.
* Opening positions: on the north and south walls ``position`` is the
  distance from the wall's WEST end to the opening's west edge; on the east
  and west walls, from the wall's NORTH end to the opening's north edge. A
  wall's end is where that wall stops, so on an L-shaped room the notch
  shortens the walls it touches and their positions start at the notch.
* L-shapes: ``"shape": "L-shape"`` plus an optional
  ``"notch": {"corner": "NE", "width": 4.0, "depth": 5.0}``, the rectangle
  cut out of that corner (``width`` east-west, ``depth`` north-south).
  Openings on the notch's two inner walls go in ``notch.walls``, keyed by the
  way those walls face (an NE notch has a north- and an east-facing one). An
  L-shape without a notch (the vision schema has none) is drawn as its
  bounding rectangle until someone enters the notch.
* Room-local coordinates: origin at the room's north-west bounding corner,
  x east, y SOUTH.
* Plan (API) coordinates: x east, y SOUTH, like the screen. A room's
  ``position`` is the north-west corner of its bounding box. The first room
  sits at (0, 0); rooms merged north or west of it get negative coordinates,
  and merging never moves rooms already placed. ``floorplans.layout``
  converts to the drawing's y-north.
* Rooms abut along shared lines (the document's second 12 ft room sits at
  x = 12.0). The layout draws interior walls (``INTERIOR_WALL_FT``) centred
  on those lines and exterior walls (``EXTERIOR_WALL_FT``) outside the rooms.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from floorplans import sheets

WALLS = ("north", "east", "south", "west")
OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}
OPENING_TYPES = ("window", "door", "closet", "opening")
SHAPES = ("rectangle", "L-shape")
NOTCH_CORNERS = ("NE", "NW", "SE", "SW")
CONNECTION_TYPES = ("door", "opening", "wall")

# A 2x4 stud wall with drywall is 4 1/2"; the 3/8 ft partition is its nominal
# drafting width. Exterior walls (2x6, sheathing, siding) are taken as 6".
EXTERIOR_WALL_FT = 0.5
INTERIOR_WALL_FT = 0.375
RECONCILE_TOLERANCE_FT = 1.0
OVERLAP_EPSILON_SQFT = 0.01
SCALE_LIMITS = (0.5, 1.5)
# Room kept around the plan on the sheet for dimension strings and labels.
ANNOTATION_ALLOWANCE_FT = 6.0
_EPS = 1e-6

Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 with x0 < x1 and y0 < y1


class GeometryError(ValueError):
    """Plan data that cannot be true; the message says what and where."""


def round_half_up(value: float, places: int = 1) -> float:
    """Round half away from zero (12.25 -> 12.3), as measurements are, not half to even as ``round`` does."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)) + 0.0


# No house is ten thousand feet across; past this the drawing's arithmetic (Decimal rounding,
# PDF coordinates) breaks long before the number means anything.
MAX_FEET = 10_000


def _number(value: Any, what: str, *, positive: bool = False) -> float:
    # math.isfinite only for floats: it overflows on a huge int, which the bound below refuses.
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not math.isfinite(value)):
        raise GeometryError(f"{what} must be a number, not {value!r}")
    if abs(value) > MAX_FEET:
        raise GeometryError(f"{what} must be at most {MAX_FEET} ft")
    if positive and value <= 0:
        raise GeometryError(f"{what} must be more than 0 ft, not {value:g}")
    return float(value)


def _choice(value: Any, choices: Iterable[str], what: str) -> str:
    options = tuple(choices)
    for option in options:
        if isinstance(value, str) and value.strip().lower() == option.lower():
            return option
    raise GeometryError(f"Unknown {what} {value!r}; expected one of {', '.join(options)}")


# -- The analysis object --------------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """A door, window, closet or open passage; ``position`` to its near edge (see the module docstring)."""

    type: str
    position: float
    width: float
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)  # other keys, kept as given

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", _choice(self.type, OPENING_TYPES, "opening type"))
        _number(self.position, f"{self.type} position")
        _number(self.width, f"{self.type} width", positive=True)

    @property
    def end(self) -> float:
        return self.position + self.width

    @property
    def centre(self) -> float:
        return self.position + self.width / 2

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "position": self.position, "width": self.width, **self.extra}


@dataclass(frozen=True)
class Notch:
    """The rectangle cut out of an L-shaped room's ``corner``: ``width`` east-west, ``depth`` north-south."""

    corner: str
    width: float
    depth: float
    walls: Mapping[str, tuple[Opening, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "corner", _choice(self.corner, NOTCH_CORNERS, "notch corner"))
        _number(self.width, "notch width", positive=True)
        _number(self.depth, "notch depth", positive=True)
        for side in self.walls:
            if side not in self.inner_sides:
                raise GeometryError(f"A {self.corner} notch has inner walls facing {' and '.join(self.inner_sides)}, "
                                    f"not {side}")

    @property
    def inner_sides(self) -> tuple[str, str]:
        """The ways its two inner walls face: (north or south, east or west)."""
        return ("north" if self.corner[0] == "N" else "south", "east" if self.corner[1] == "E" else "west")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"corner": self.corner, "width": self.width, "depth": self.depth}
        if any(self.walls.values()):
            data["walls"] = {side: [o.to_dict() for o in openings] for side, openings in self.walls.items()}
        return data


@dataclass(frozen=True)
class WallSegment:
    """One straight wall of a room, facing ``side`` (its outward normal), with its openings.

    ``start`` is the end positions are measured from (west end of a north/south
    wall, north end of an east/west wall), in room-local or plan coordinates.
    """

    side: str
    start: Point
    length: float
    openings: tuple[Opening, ...] = ()
    inner: bool = False  # one of an L notch's two re-entrant walls

    @property
    def horizontal(self) -> bool:
        return self.side in ("north", "south")

    @property
    def end(self) -> Point:
        return self.point_at(self.length)

    @property
    def line(self) -> float:
        """The coordinate the wall lies on: y for north/south walls, x for east/west walls."""
        return self.start[1] if self.horizontal else self.start[0]

    @property
    def along(self) -> float:
        """Where the wall starts on the axis it runs along."""
        return self.start[0] if self.horizontal else self.start[1]

    def point_at(self, distance: float) -> Point:
        x, y = self.start
        return (x + distance, y) if self.horizontal else (x, y + distance)

    def span(self, opening: Opening) -> tuple[Point, Point]:
        return self.point_at(opening.position), self.point_at(opening.end)

    def moved(self, dx: float, dy: float) -> "WallSegment":
        return replace(self, start=(self.start[0] + dx, self.start[1] + dy))


@dataclass(frozen=True)
class RoomAnalysis:
    """The document's ``analysis`` object, checked: every opening fits its wall and none overlap."""

    width: float
    height: float
    walls: Mapping[str, tuple[Opening, ...]] = field(default_factory=dict)
    shape: str = "rectangle"
    notch: Notch | None = None
    ceiling_height: float | None = None
    confidence: float | None = None
    reference_object: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        _number(self.width, "dimensions.width", positive=True)
        _number(self.height, "dimensions.height", positive=True)
        object.__setattr__(self, "shape", _choice(self.shape, SHAPES, "shape"))
        given = {_choice(side, WALLS, "wall"): tuple(openings) for side, openings in self.walls.items()}
        object.__setattr__(self, "walls", {side: given.get(side, ()) for side in WALLS})
        if self.ceiling_height is not None:
            _number(self.ceiling_height, "ceilingHeight", positive=True)
        if self.notch is not None:
            if self.shape != "L-shape":
                raise GeometryError("Only an L-shape has a notch; set shape to L-shape or remove the notch")
            if self.notch.width >= self.width or self.notch.depth >= self.height:
                raise GeometryError(f"The {self.notch.corner} notch ({self.notch.width:g} x {self.notch.depth:g} ft) "
                                    f"must be smaller than the room ({self.width:g} x {self.height:g} ft)")
        for wall in self.wall_segments():
            _check_openings(wall, self.notch)

    @property
    def area(self) -> float:
        return self.width * self.height - (self.notch.width * self.notch.depth if self.notch else 0.0)

    def rectangles(self) -> tuple[Rect, ...]:
        return room_rectangles(self.width, self.height, self.notch)

    def outline(self) -> tuple[Point, ...]:
        """Corners clockwise on screen (room-local, y south), from the north-west."""
        w, h = self.width, self.height
        corners: dict[str, list[Point]] = {"NW": [(0.0, 0.0)], "NE": [(w, 0.0)], "SE": [(w, h)], "SW": [(0.0, h)]}
        if self.notch:
            nw, nd = self.notch.width, self.notch.depth
            corners[self.notch.corner] = {
                "NW": [(0.0, nd), (nw, nd), (nw, 0.0)],
                "NE": [(w - nw, 0.0), (w - nw, nd), (w, nd)],
                "SE": [(w, h - nd), (w - nw, h - nd), (w - nw, h)],
                "SW": [(nw, h), (nw, h - nd), (0.0, h - nd)],
            }[self.notch.corner]
        return tuple(p for corner in ("NW", "NE", "SE", "SW") for p in corners[corner])

    def wall_segments(self) -> tuple[WallSegment, ...]:
        """The four outer walls (north, east, south, west), then an L notch's two inner walls."""
        w, h, n = self.width, self.height, self.notch
        nw, nd, c = (n.width, n.depth, n.corner) if n else (0.0, 0.0, "")
        segments = [
            WallSegment("north", (nw if c == "NW" else 0.0, 0.0), w - (nw if c in ("NW", "NE") else 0.0)),
            WallSegment("east", (w, nd if c == "NE" else 0.0), h - (nd if c in ("NE", "SE") else 0.0)),
            WallSegment("south", (nw if c == "SW" else 0.0, h), w - (nw if c in ("SW", "SE") else 0.0)),
            WallSegment("west", (0.0, nd if c == "NW" else 0.0), h - (nd if c in ("NW", "SW") else 0.0)),
        ]
        segments = [replace(s, openings=self.walls[s.side]) for s in segments]
        if n:
            x0, y0, x1, y1 = notch_rect(w, h, n)
            across, sideways = n.inner_sides
            segments.append(WallSegment(across, (x0, y1 if across == "north" else y0), nw,
                                        tuple(n.walls.get(across, ())), inner=True))
            segments.append(WallSegment(sideways, (x0 if sideways == "east" else x1, y0), nd,
                                        tuple(n.walls.get(sideways, ())), inner=True))
        return tuple(segments)

    def wall(self, side: str) -> WallSegment:
        """The outer wall on ``side`` (the one at the bounding box's edge)."""
        side = _choice(side, WALLS, "wall")
        return next(s for s in self.wall_segments() if s.side == side and not s.inner)

    def scaled(self, factor: float) -> "RoomAnalysis":
        """Every plan length times ``factor``; the ceiling height is vertical and stays."""

        def walls(mapping: Mapping[str, tuple[Opening, ...]]) -> dict[str, tuple[Opening, ...]]:
            return {side: tuple(replace(o, position=o.position * factor, width=o.width * factor) for o in openings)
                    for side, openings in mapping.items()}

        notch = self.notch and replace(self.notch, width=self.notch.width * factor,
                                       depth=self.notch.depth * factor, walls=walls(self.notch.walls))
        return replace(self, width=self.width * factor, height=self.height * factor, walls=walls(self.walls),
                       notch=notch)

    def to_dict(self) -> dict[str, Any]:
        """Back to the document's shape (unknown keys kept as they came)."""
        dimensions: dict[str, Any] = {"width": self.width, "height": self.height}
        if self.confidence is not None:
            dimensions["confidence"] = self.confidence
        data: dict[str, Any] = {
            "dimensions": dimensions,
            "ceilingHeight": self.ceiling_height,
            "walls": {side: [o.to_dict() for o in self.walls[side]] for side in WALLS},
            "referenceObject": dict(self.reference_object) if self.reference_object is not None else None,
            "shape": self.shape,
        }
        if self.notch:
            data["notch"] = self.notch.to_dict()
        return {**data, **self.extra}


def notch_rect(width: float, height: float, notch: Notch) -> Rect:
    """The cut-out rectangle in room-local coordinates."""
    x0 = width - notch.width if notch.corner[1] == "E" else 0.0
    y0 = 0.0 if notch.corner[0] == "N" else height - notch.depth
    return x0, y0, x0 + notch.width, y0 + notch.depth


def room_rectangles(width: float, height: float, notch: Notch | None = None) -> tuple[Rect, ...]:
    """The room as disjoint rectangles (room-local): the full-width band first, then the short one."""
    if notch is None:
        return ((0.0, 0.0, width, height),)
    x0, y0, x1, y1 = notch_rect(width, height, notch)
    if notch.corner[0] == "N":
        band, short = (0.0, y1, width, height), (0.0, 0.0, width, y1)
    else:
        band, short = (0.0, 0.0, width, y0), (0.0, y0, width, height)
    short = (x1, short[1], width, short[3]) if x0 == 0.0 else (0.0, short[1], x0, short[3])
    return band, short


def _check_openings(wall: WallSegment, notch: Notch | None) -> None:
    name = f"The notch's inner {wall.side} wall" if wall.inner else f"The {wall.side} wall"
    touched = notch is not None and not wall.inner and wall.side[0].upper() in notch.corner
    shortened = f" (the {notch.corner} notch shortens it)" if touched else ""
    previous: Opening | None = None
    for opening in sorted(wall.openings, key=lambda o: o.position):
        if opening.position < -_EPS:
            raise GeometryError(f"{name}: the {opening.type} at {opening.position:g} ft starts before the wall does")
        if opening.end > wall.length + _EPS:
            raise GeometryError(f"{name}: the {opening.type} at {opening.position:g} ft, {opening.width:g} ft wide, "
                                f"ends at {opening.end:g} ft but the wall is {wall.length:g} ft long{shortened}")
        if previous is not None and opening.position < previous.end - _EPS:
            raise GeometryError(f"{name}: the {opening.type} at {opening.position:g} ft overlaps the {previous.type} "
                                f"at {previous.position:g} ft ({previous.width:g} ft wide)")
        previous = opening


_ANALYSIS_KEYS = ("dimensions", "ceilingHeight", "walls", "referenceObject", "shape", "notch")


def parse_analysis(data: Mapping[str, Any]) -> RoomAnalysis:
    """Check the document's ``analysis`` object and return it typed; ``GeometryError`` says what is wrong."""
    if not isinstance(data, Mapping):
        raise GeometryError("The analysis must be an object")
    dimensions = data.get("dimensions")
    if not isinstance(dimensions, Mapping):
        raise GeometryError("analysis.dimensions must be an object with width and height in feet")
    confidence = dimensions.get("confidence")
    if confidence is not None:
        confidence = _number(confidence, "dimensions.confidence")
    ceiling = data.get("ceilingHeight")
    reference = data.get("referenceObject")
    if reference is not None and not isinstance(reference, Mapping):
        raise GeometryError("referenceObject must be an object")
    notch = data.get("notch")
    if notch is not None:
        if not isinstance(notch, Mapping):
            raise GeometryError("notch must be an object with corner, width and depth")
        notch = Notch(notch.get("corner"), _number(notch.get("width"), "notch width"),
                      _number(notch.get("depth"), "notch depth"), _parse_walls(notch.get("walls"), "notch.walls"))
    return RoomAnalysis(
        width=_number(dimensions.get("width"), "dimensions.width"),
        height=_number(dimensions.get("height"), "dimensions.height"),
        walls=_parse_walls(data.get("walls"), "walls"),
        shape=data.get("shape") or "rectangle",
        notch=notch,
        ceiling_height=None if ceiling is None else _number(ceiling, "ceilingHeight"),
        confidence=confidence,
        reference_object=reference,
        extra={key: value for key, value in data.items() if key not in _ANALYSIS_KEYS},
    )


def _parse_walls(data: Any, what: str) -> dict[str, tuple[Opening, ...]]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise GeometryError(f"{what} must be an object keyed by north, east, south and west")
    walls: dict[str, tuple[Opening, ...]] = {}
    for name, items in data.items():
        side = _choice(name, WALLS, "wall")
        if not isinstance(items, list | tuple):
            raise GeometryError(f"{what}.{side} must be a list of openings")
        walls[side] = tuple(_parse_opening(item, f"{what}.{side}") for item in items)
    return walls


def _parse_opening(item: Any, what: str) -> Opening:
    if not isinstance(item, Mapping):
        raise GeometryError(f"Each opening in {what} must be an object with type, position and width")
    kind = _choice(item.get("type"), OPENING_TYPES, f"opening type in {what}")
    extra = {key: value for key, value in item.items() if key not in ("type", "position", "width")}
    return Opening(kind, _number(item.get("position"), f"{what} {kind} position"),
                   _number(item.get("width"), f"{what} {kind} width"), extra)


def describe_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Sentences for what changed between two analyses, like the document's ``changesApplied``."""
    before, after = parse_analysis(old), parse_analysis(new)
    changes = []
    for what, a, b in (("width", before.width, after.width), ("depth", before.height, after.height)):
        if not math.isclose(a, b):
            changes.append(f"Changed room {what} from {a:.1f} ft to {b:.1f} ft")
    if before.ceiling_height != after.ceiling_height:
        changes.append(f"Changed ceiling height from {_ft(before.ceiling_height)} to {_ft(after.ceiling_height)}")
    if (before.shape, before.notch and before.notch.to_dict()) != (after.shape, after.notch and after.notch.to_dict()):
        changes.append(f"Changed shape from {before.shape} to {after.shape}"
                       + (f" ({after.notch.corner} notch {after.notch.width:.1f} x {after.notch.depth:.1f} ft)"
                          if after.notch else ""))
    for side in WALLS:
        old_items = {(o.type, o.position, o.width) for o in before.walls[side]}
        new_items = {(o.type, o.position, o.width) for o in after.walls[side]}
        for kind, position, width in sorted(new_items - old_items, key=lambda t: t[1]):
            changes.append(f"Added {kind} on {side} wall at position {position:.1f} ft, width {width:.1f} ft")
        for kind, position, width in sorted(old_items - new_items, key=lambda t: t[1]):
            changes.append(f"Removed {kind} on {side} wall at position {position:.1f} ft, width {width:.1f} ft")
    return changes


def _ft(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.1f} ft"


# -- Rooms placed on a plan -----------------------------------------------------------------------


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

    def at(self, x: float, y: float) -> "Room":
        return replace(self, x=x, y=y)

    def position(self) -> dict[str, float]:
        return {"x": round_half_up(self.x, 2), "y": round_half_up(self.y, 2)}


def make_room(room_id: str, analysis: Mapping[str, Any] | RoomAnalysis, *, label: str = "",
              position: Mapping[str, Any] | None = None) -> Room:
    """A ``Room`` from stored data: the analysis dict and the ``{"x", "y"}`` position (None = origin)."""
    parsed = analysis if isinstance(analysis, RoomAnalysis) else parse_analysis(analysis)
    position = position or {}
    return Room(str(room_id), parsed, label, _number(position.get("x", 0.0), "position.x"),
                _number(position.get("y", 0.0), "position.y"))


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


# -- Merge ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeResult:
    plan: Plan
    shared_wall: SharedWall
    overlaps: tuple[Overlap, ...]  # the new room against every other room; empty when it fits
    aligned_on: str  # "door" or "opening" when the connecting openings were lined up, else "edges"
    reconciled_length: float | None  # the shared wall's agreed length (mean of the two), when reconciled
    changes: tuple[str, ...]  # what was done, in sentences

    def to_dict(self) -> dict[str, Any]:
        """The document's merge response without ``mergedPlanSvg`` (the renderer adds it)."""
        return {"roomPositions": self.plan.room_positions(), "totalDimensions": self.plan.total_dimensions(),
                "sharedWalls": [wall.to_dict() for wall in self.plan.shared_walls]}


def merge(plan: Plan, new_room: Room, adjacent_room_id: str, direction: str, connection_type: str = "door", *,
          tolerance: float = RECONCILE_TOLERANCE_FT) -> MergeResult:
    """Place ``new_room`` on the ``direction`` side of the adjacent room and record their shared wall.

    The new room's own position is ignored; if it is already on the plan it is
    moved (its old shared walls dropped). Connecting doors (or openings) on the
    two facing walls are lined up centre to centre when both rooms have one,
    else the rooms' north edges (east/west merges) or west edges (north/south)
    line up. Wall lengths within ``tolerance`` feet are reconciled to their
    mean. Overlaps are reported, not refused: the caller decides.
    """
    direction = _choice(direction, WALLS, "direction")
    connection_type = _choice(connection_type, CONNECTION_TYPES, "connection type")
    if new_room.room_id == str(adjacent_room_id):
        raise GeometryError("A room cannot be merged against itself")
    base = plan.without_room(new_room.room_id)
    adjacent = base.room(adjacent_room_id)
    facing, back = adjacent.analysis.wall(direction), new_room.analysis.wall(OPPOSITE[direction])
    vertical = direction in ("east", "west")

    x = {"east": adjacent.x + adjacent.width, "west": adjacent.x - new_room.width}.get(direction, adjacent.x)
    y = {"south": adjacent.y + adjacent.height, "north": adjacent.y - new_room.height}.get(direction, adjacent.y)
    wall_name = f"{direction}/{OPPOSITE[direction]}"
    changes = [f"Placed {new_room.name} {direction} of {adjacent.name}"]
    shift = _connection_shift(facing, back, connection_type)
    if shift is None:
        aligned_on = "edges"
        edge = "north" if vertical else "west"
        changes.append(f"Aligned the {edge} edges of {adjacent.name} and {new_room.name}"
                       + (f" (no {connection_type} on both facing walls)" if connection_type != "wall" else ""))
    else:
        aligned_on = connection_type
        if vertical:
            y += shift
        else:
            x += shift
        way = ("south" if shift > 0 else "north") if vertical else ("east" if shift > 0 else "west")
        moved = f", shifting {new_room.name} {way} by {abs(shift):.1f} ft" if abs(shift) >= 0.05 else ""
        changes.append(f"Lined up the {connection_type} centres on the {wall_name} wall{moved}")
    placed = new_room.at(x, y)

    discrepancy = round_half_up(abs(facing.length - back.length), 1)
    reconciled = discrepancy <= tolerance + _EPS
    length = round_half_up((facing.length + back.length) / 2, 2) if reconciled else None
    if reconciled and discrepancy:
        changes.append(f"Reconciled the {wall_name} wall to {length:g} ft (measured {facing.length:g} ft and "
                       f"{back.length:g} ft)")
    elif not reconciled:
        changes.append(f"The {wall_name} wall lengths differ by {discrepancy:g} ft, more than {tolerance:g} ft; "
                       "not reconciled")
    shared = SharedWall((adjacent.room_id, placed.room_id), wall_name, reconciled, discrepancy)
    merged = replace(base.with_room(placed), shared_walls=(*base.shared_walls, shared))
    overlaps = find_overlaps(merged, placed.room_id)
    for overlap in overlaps:
        other = merged.room(next(r for r in overlap.rooms if r != placed.room_id))
        changes.append(f"{placed.name} overlaps {other.name} by {overlap.area:g} sq ft")
    return MergeResult(merged, shared, overlaps, aligned_on, length, tuple(changes))


def _connection_shift(facing: WallSegment, back: WallSegment, connection_type: str) -> float | None:
    """How far to slide the new room along the wall so a pair of connecting openings line up.

    Both walls are measured from the rooms' aligned edges, so the shift is the
    difference of the centres; of several pairs, the smallest shift wins.
    """
    if connection_type == "wall":
        return None
    shifts = [(facing.along + a.centre) - (back.along + b.centre)
              for a in facing.openings if a.type == connection_type
              for b in back.openings if b.type == connection_type]
    return min(shifts, key=abs) if shifts else None


# -- Calibration against the house footprint ------------------------------------------------------


@dataclass(frozen=True)
class HouseBounds:
    """The document's ``houseBounds``: the footprint seen from above (roof edges), in feet."""

    width: float
    height: float
    roof_overhang: float = 0.0
    data_source: str = "satellite"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "HouseBounds":
        if not isinstance(data, Mapping):
            raise GeometryError("houseBounds must be an object with width and height")
        overhang = data.get("roofOverhangEstimate")
        return cls(_number(data.get("width"), "houseBounds.width", positive=True),
                   _number(data.get("height"), "houseBounds.height", positive=True),
                   0.0 if overhang is None else _number(overhang, "roofOverhangEstimate"),
                   str(data.get("dataSource") or "satellite"))


@dataclass(frozen=True)
class Calibration:
    plan: Plan  # the scaled plan
    scale_factor: float  # applied, rounded to 0.01
    width_ratio: float
    height_ratio: float
    adjustments: tuple[str, ...]
    overall_width: float  # exterior faces, after scaling, rounded to 0.1
    overall_height: float
    print_scale: str  # "quarter" or "eighth" (floorplans.sheets.SCALES)
    scale_reference: str  # "1 inch = 8 feet"

    def to_dict(self) -> dict[str, Any]:
        """The document's ``calibration`` object."""
        return {"scaleFactor": self.scale_factor, "adjustments": list(self.adjustments),
                "overallDimensions": {"width": self.overall_width, "height": self.overall_height},
                "scaleReference": self.scale_reference}


def calibrate(plan: Plan, house_bounds: HouseBounds | Mapping[str, Any], *, exterior_wall: float = EXTERIOR_WALL_FT,
              print_scale: str | None = None) -> Calibration:
    """Scale the plan uniformly so its exterior footprint matches the house's walls.

    The satellite sees the roof, so the walls are ``roofOverhangEstimate`` in
    from each side. The plan's footprint is its rooms' interior bounding box
    plus an exterior wall on each side; the width and depth ratios are averaged
    (both are reported) and the factor rounded to 0.01 before it is applied.
    A factor outside ``SCALE_LIMITS`` means the bounds or the rooms are wrong,
    and raises ``GeometryError``. Without ``print_scale`` the scale is the one
    ``sheets.preferred_scale`` would pick (quarter if it fits tabloid).
    """
    bounds = house_bounds if isinstance(house_bounds, HouseBounds) else HouseBounds.from_dict(house_bounds)
    if not plan.rooms:
        raise GeometryError("There are no rooms on the plan to calibrate")
    x0, y0, x1, y1 = plan.bounds
    walls_w = bounds.width - 2 * bounds.roof_overhang
    walls_h = bounds.height - 2 * bounds.roof_overhang
    if min(walls_w, walls_h) <= 2 * exterior_wall:
        raise GeometryError(f"A {bounds.roof_overhang:g} ft roof overhang leaves no house inside the "
                            f"{bounds.width:g} x {bounds.height:g} ft footprint")
    width_ratio = (walls_w - 2 * exterior_wall) / (x1 - x0)
    height_ratio = (walls_h - 2 * exterior_wall) / (y1 - y0)
    factor = round_half_up((width_ratio + height_ratio) / 2, 2)
    low, high = SCALE_LIMITS
    if not low <= factor <= high:
        raise GeometryError(f"Matching the {bounds.width:g} x {bounds.height:g} ft footprint would scale the rooms by "
                            f"{factor:.2f}x (width {width_ratio:.2f}, depth {height_ratio:.2f}), outside "
                            f"{low:g}-{high:g}x; check the house bounds and the room measurements")
    scaled = plan.scaled(factor)
    sx0, sy0, sx1, sy1 = scaled.bounds
    overall_w, overall_h = sx1 - sx0 + 2 * exterior_wall, sy1 - sy0 + 2 * exterior_wall
    source = "satellite footprint" if bounds.data_source == "satellite" else "measured house footprint"
    adjustments = [f"Scaled all rooms by {factor:.2f}x to match {source}" if factor != 1.0
                   else f"Rooms already match the {source}; no scaling applied",
                   f"Width ratio {width_ratio:.2f} and depth ratio {height_ratio:.2f}; used their mean"]
    if bounds.roof_overhang:
        adjustments.append(f"Applied {bounds.roof_overhang:.1f} ft roof overhang offset")
    if exterior_wall:
        adjustments.append(f"Added {exterior_wall:g} ft exterior walls around the interior room measurements")
    name = print_scale or preferred_print_scale(overall_w, overall_h)
    return Calibration(scaled, factor, round_half_up(width_ratio, 2), round_half_up(height_ratio, 2),
                       tuple(adjustments), round_half_up(overall_w, 1), round_half_up(overall_h, 1), name,
                       scale_reference(name))


def preferred_print_scale(width_ft: float, height_ft: float) -> str:
    """Quarter inch if the plan and its dimension strings fit a tabloid sheet, else eighth (as the SVG does)."""
    margin = 2 * ANNOTATION_ALLOWANCE_FT
    for name in ("quarter", "eighth"):
        try:
            sheets.fit_sheet("tabloid", name, width_ft + margin, height_ft + margin)
        except sheets.SheetTooSmall:
            continue
        return name
    return "eighth"


def scale_reference(print_scale: str) -> str:
    """The scale as the document words it: "1 inch = 8 feet" for 1/8" = 1'-0"."""
    return f"1 inch = {sheets.get_scale(print_scale).feet_per_inch:g} feet"
