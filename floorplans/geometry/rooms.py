"""One room's shape: its openings, an L-shape's notch or a polygon's vertices, its walls, checked as built.

A ``"polygon"`` room (a LiDAR scan whose walls are not square) holds its
footprint as vertices in room-local feet (origin at the bounding box's
north-west corner, x east, y south), clockwise on screen; wall ``k`` runs from
vertex ``k`` to vertex ``k + 1`` and its openings are measured along it from
vertex ``k``. Its four compass walls stay empty: north, east, south and west
mean nothing for a wall at 30°.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import shapely

from floorplans.geometry.measures import (
    EPS,
    NOTCH_CORNERS,
    OPENING_TYPES,
    SHAPES,
    WALLS,
    GeometryError,
    Point,
    Rect,
    Segment,
    check_choice,
    check_number,
)


@dataclass(frozen=True)
class Opening:
    """A door, window, closet or open passage; ``position`` to its near edge (see the module docstring)."""

    type: str
    position: float
    width: float
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)  # other keys, kept as given

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", check_choice(self.type, OPENING_TYPES, "opening type"))
        check_number(self.position, f"{self.type} position")
        check_number(self.width, f"{self.type} width", positive=True)

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
        object.__setattr__(self, "corner", check_choice(self.corner, NOTCH_CORNERS, "notch corner"))
        check_number(self.width, "notch width", positive=True)
        check_number(self.depth, "notch depth", positive=True)
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
class PolygonWall(Segment):
    """Wall ``index`` of a polygon room: the segment ``start`` to ``end`` and the openings along it."""

    index: int
    start: Point
    end: Point
    openings: tuple[Opening, ...] = ()

    @property
    def outward(self) -> Point:
        """The unit normal pointing out of the room (vertices run clockwise on screen, y south)."""
        dx, dy = self.direction
        return dy, -dx

    def moved(self, dx: float, dy: float) -> "PolygonWall":
        return replace(self, start=(self.start[0] + dx, self.start[1] + dy), end=(self.end[0] + dx, self.end[1] + dy))


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
    vertices: tuple[Point, ...] = ()  # a polygon room's footprint (see the module docstring)
    polygon_openings: Mapping[int, tuple[Opening, ...]] = field(default_factory=dict)  # by wall index

    def __post_init__(self) -> None:
        check_number(self.width, "dimensions.width", positive=True)
        check_number(self.height, "dimensions.height", positive=True)
        object.__setattr__(self, "shape", check_choice(self.shape, SHAPES, "shape"))
        given = {check_choice(side, WALLS, "wall"): tuple(openings) for side, openings in self.walls.items()}
        object.__setattr__(self, "walls", {side: given.get(side, ()) for side in WALLS})
        if self.ceiling_height is not None:
            check_number(self.ceiling_height, "ceilingHeight", positive=True)
        if self.notch is not None:
            if self.shape != "L-shape":
                raise GeometryError("Only an L-shape has a notch; set shape to L-shape or remove the notch")
            if self.notch.width >= self.width or self.notch.depth >= self.height:
                raise GeometryError(f"The {self.notch.corner} notch ({self.notch.width:g} x {self.notch.depth:g} ft) "
                                    f"must be smaller than the room ({self.width:g} x {self.height:g} ft)")
        if self.is_polygon:
            object.__setattr__(self, "vertices", _check_polygon(self.vertices, self.width, self.height))
            if any(self.walls.values()):
                raise GeometryError("A polygon room's openings go in polygon.openings, on a wall by its index")
            for index in self.polygon_openings:
                if not (isinstance(index, int) and 0 <= index < len(self.vertices)):
                    raise GeometryError(f"A polygon room of {len(self.vertices)} walls has no wall {index!r}")
            for polygon_wall in self.polygon_walls():
                _check_openings(polygon_wall, None)
        elif self.vertices or self.polygon_openings:
            raise GeometryError("Only a polygon room has vertices; set shape to polygon or remove them")
        for wall in self.wall_segments():
            _check_openings(wall, self.notch)

    @property
    def is_polygon(self) -> bool:
        return self.shape == "polygon"

    @property
    def area(self) -> float:
        if self.is_polygon:
            return polygon_area(self.vertices)
        return self.width * self.height - (self.notch.width * self.notch.depth if self.notch else 0.0)

    def rectangles(self) -> tuple[Rect, ...]:
        """The room as disjoint rectangles; none for a polygon room (its walls are not square)."""
        if self.is_polygon:
            return ()
        return room_rectangles(self.width, self.height, self.notch)

    def polygon_walls(self) -> tuple[PolygonWall, ...]:
        """A polygon room's walls in vertex order; none for a rectangle or L-shape."""
        points = self.vertices
        return tuple(PolygonWall(k, points[k], points[(k + 1) % len(points)], tuple(self.polygon_openings.get(k, ())))
                     for k in range(len(points)))

    def outline(self) -> tuple[Point, ...]:
        """Corners clockwise on screen (room-local, y south), from the north-west (a polygon's as given)."""
        if self.is_polygon:
            return self.vertices
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
        """The four outer walls (north, east, south, west), then an L notch's two inner walls; none for a
        polygon room, whose walls are ``polygon_walls()``."""
        if self.is_polygon:
            return ()
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
        side = check_choice(side, WALLS, "wall")
        return next(s for s in self.wall_segments() if s.side == side and not s.inner)

    def scaled(self, factor: float) -> "RoomAnalysis":
        """Every plan length times ``factor``; the ceiling height is vertical and stays."""

        def walls(mapping: Mapping[str, tuple[Opening, ...]]) -> dict[str, tuple[Opening, ...]]:
            return {side: tuple(replace(o, position=o.position * factor, width=o.width * factor) for o in openings)
                    for side, openings in mapping.items()}

        notch = self.notch and replace(self.notch, width=self.notch.width * factor,
                                       depth=self.notch.depth * factor, walls=walls(self.notch.walls))
        return replace(self, width=self.width * factor, height=self.height * factor, walls=walls(self.walls),
                       notch=notch, vertices=tuple((x * factor, y * factor) for x, y in self.vertices),
                       polygon_openings=walls(self.polygon_openings))

    def stretched(self, width: float, height: float) -> "RoomAnalysis":
        """A polygon room resized to ``width`` x ``height``: its vertices scaled on each axis, each opening kept
        at its width with its centre at the same share of its wall (``GeometryError`` if one no longer fits)."""
        sx, sy = width / self.width, height / self.height
        vertices = tuple((x * sx, y * sy) for x, y in self.vertices)
        openings = {}
        for wall in self.polygon_walls():
            (x0, y0), (x1, y1) = vertices[wall.index], vertices[(wall.index + 1) % len(vertices)]
            share = math.hypot(x1 - x0, y1 - y0) / wall.length
            openings[wall.index] = tuple(replace(o, position=o.centre * share - o.width / 2) for o in wall.openings)
        return replace(self, width=width, height=height, vertices=vertices, polygon_openings=openings)

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
        if self.is_polygon:
            data["polygon"] = {"vertices": [[x, y] for x, y in self.vertices],
                               "openings": [{"wall": index, **o.to_dict()}
                                            for index in sorted(self.polygon_openings)
                                            for o in self.polygon_openings[index]]}
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


def polygon_area(points: Sequence[Point]) -> float:
    """Square feet inside a simple polygon (the shoelace formula)."""
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, [*points[1:], points[0]], strict=True))) / 2


def is_simple_polygon(points: Sequence[Point]) -> bool:
    """At least three corners, an area, and no edge crossing or touching another."""
    return len(points) >= 3 and polygon_area(points) > EPS and shapely.Polygon(points).is_valid


# A polygon room's box starts at (0, 0) and is width x height; its vertices are kept to this.
_BOX_TOLERANCE_FT = 0.01


def _check_polygon(points: Sequence[Any], width: float, height: float) -> tuple[Point, ...]:
    """The vertices as floats; ``GeometryError`` unless they run clockwise on screen (openings are measured
    from each wall's first vertex, so the order is not ours to flip) and form a simple polygon filling the box."""
    if not isinstance(points, Sequence) or len(points) < 3:
        raise GeometryError("A polygon room needs at least three vertices")
    vertices = []
    for i, point in enumerate(points):
        if not isinstance(point, Sequence) or len(point) != 2:
            raise GeometryError(f"polygon.vertices[{i}] must be [x, y] in feet")
        vertices.append((check_number(point[0], f"polygon.vertices[{i}] x"),
                         check_number(point[1], f"polygon.vertices[{i}] y")))
    for k, (a, b) in enumerate(zip(vertices, [*vertices[1:], vertices[0]], strict=True)):
        if math.dist(a, b) <= EPS:
            raise GeometryError(f"Wall {k} of the polygon has no length (vertices {k} and {k + 1} are one point)")
    if not is_simple_polygon(vertices):
        raise GeometryError("The polygon's walls cross each other or enclose no floor")
    xs, ys = [x for x, _ in vertices], [y for _, y in vertices]
    box = (min(xs), min(ys), max(xs), max(ys))
    if any(abs(a - b) > _BOX_TOLERANCE_FT for a, b in zip(box, (0.0, 0.0, width, height), strict=True)):
        raise GeometryError(f"The polygon's vertices span ({box[0]:g}, {box[1]:g}) to ({box[2]:g}, {box[3]:g}) ft; "
                            f"they must span (0, 0) to the room's {width:g} x {height:g} ft")
    if sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(vertices, [*vertices[1:], vertices[0]], strict=True)) < 0:
        raise GeometryError("The polygon's vertices must run clockwise on the plan (north up)")
    return tuple(vertices)


def _check_openings(wall: WallSegment | PolygonWall, notch: Notch | None) -> None:
    shortened = ""
    if isinstance(wall, PolygonWall):
        name = f"Wall {wall.index} of the polygon"
    else:
        name = f"The notch's inner {wall.side} wall" if wall.inner else f"The {wall.side} wall"
        if notch is not None and not wall.inner and wall.side[0].upper() in notch.corner:
            shortened = f" (the {notch.corner} notch shortens it)"
    previous: Opening | None = None
    for opening in sorted(wall.openings, key=lambda o: o.position):
        if opening.position < -EPS:
            raise GeometryError(f"{name}: the {opening.type} at {opening.position:g} ft starts before the wall does")
        if opening.end > wall.length + EPS:
            raise GeometryError(f"{name}: the {opening.type} at {opening.position:g} ft, {opening.width:g} ft wide, "
                                f"ends at {opening.end:g} ft but the wall is {wall.length:g} ft long{shortened}")
        if previous is not None and opening.position < previous.end - EPS:
            raise GeometryError(f"{name}: the {opening.type} at {opening.position:g} ft overlaps the {previous.type} "
                                f"at {previous.position:g} ft ({previous.width:g} ft wide)")
        previous = opening

