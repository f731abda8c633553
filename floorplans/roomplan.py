"""Read one Apple RoomPlan ``CapturedRoom`` (exported with ``JSONEncoder``) into a room footprint.

The format, as checked against Apple's documentation of ``CapturedRoom.Surface``
(``dimensions``, ``transform``, ``polygonCorners``, ``curve`` with ``startAngle``,
``endAngle``, ``radius`` and a local x-z ``center``) and against exported files
and readers in public repositories found through code search (a RoomPlan field
report listing "transforms flat 16 column-major; categories keyed
(``{"door":{"isOpen":false}}``); confidence keyed"; a scan reader whose floors
carry ``{"floor": {}}`` / ``{"high": {}}`` and flat column-major transforms;
a TypeScript model of ``Wall`` with ``polygonCorners: number[][]``,
``dimensions: number[]``, ``transform: number[]``, ``parentIdentifier``,
``story``, ``completedEdges``, ``curve: null``):

* top level: ``walls``, ``doors``, ``windows``, ``openings``, ``objects`` (and
  ``floors``, ``sections``, ``story``, ``version``, ``referenceOriginTransform``);
* a surface: ``identifier``, ``dimensions`` ``[x, y, z]`` in metres (a wall's
  x is its length, y its height), ``transform`` 16 floats of a simd_float4x4 in
  column-major order (translation in 12-14), ``category`` and ``confidence``
  as single-key objects, ``parentIdentifier`` (a door's wall), ``curve``;
* y is up; a wall is a plane whose local x runs along it, centred on the
  transform's translation.

The footprint is the walls' base lines in the x-z plane joined end to end
(endpoints within ``SNAP_M`` snap together), so L-shapes and angled walls stay
polygons; a curved wall becomes ``CURVE_STEP_DEG`` chords, with a note. When a
floor carries iOS 17's ``polygonCorners`` (simd_float3 points in the floor's
own frame) the footprint is that outline, moved by the floor's ``transform``,
rather than one rebuilt from the walls; the walls still give the ceiling
height and the openings' walls. A wall's own ``polygonCorners`` (in its plane,
x along it and y up about its centre) give its length, base and height when
present. A room's ``story`` is kept. Every
refusal is a ``ValidationFailed`` whose ``details.path`` names the field, e.g.
``walls[3].transform``.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from config.errors import ValidationFailed

SNAP_M = 0.1  # RoomPlan corners agree to a few millimetres; 10 cm still never joins two real corners
MIN_WALL_M = 0.01
CURVE_STEP_DEG = 15.0
OPENING_KINDS = {"doors": "door", "windows": "window", "openings": "opening"}

Point = tuple[float, float]  # metres: (x, z) of the scan's world


@dataclass(frozen=True)
class ScannedOpening:
    """A door, window or opening on footprint edge ``edge``: ``position`` metres from the edge's start."""

    kind: str
    edge: int
    position: float
    width: float
    sill: float
    head: float
    path: str = ""  # where it sits in the scan, e.g. ``doors[2]``


@dataclass(frozen=True)
class ScannedRoom:
    """A room's footprint (metres, x-z, counter-clockwise seen from above) and what sits on its walls."""

    polygon: tuple[Point, ...]
    openings: tuple[ScannedOpening, ...]
    ceiling_height: float
    notes: tuple[str, ...] = field(default=())
    edge_walls: tuple[str, ...] = field(default=())  # the path of the wall each polygon edge came from
    story: int | None = None

    @property
    def area(self) -> float:
        """Square metres inside the footprint (shoelace)."""
        xs, zs = np.array([p[0] for p in self.polygon]), np.array([p[1] for p in self.polygon])
        return float(abs(np.dot(xs, np.roll(zs, -1)) - np.dot(zs, np.roll(xs, -1))) / 2)


@dataclass(frozen=True)
class _Wall:
    identifier: str
    path: str
    points: tuple[Point, ...]  # base line, two points or a curve's chords
    bottom: float
    height: float


def parse_captured_room(data: Any, *, max_surfaces: int) -> ScannedRoom:
    """The footprint of a RoomPlan ``CapturedRoom``; ``ValidationFailed`` (with ``details.path``) when unusable."""
    if not isinstance(data, Mapping):
        _fail("", "A RoomPlan scan is a JSON object (a CapturedRoom).")
    count = sum(len(data.get(key) or ()) for key in ("walls", *OPENING_KINDS))
    if count > max_surfaces:
        _fail("walls", f"The scan has {count} walls, doors, windows and openings; at most {max_surfaces} are read.")
    notes: list[str] = []
    walls = [_wall(item, f"walls[{i}]", notes) for i, item in enumerate(_list(data, "walls"))]
    if len(walls) < 3:
        _fail("walls", "A room needs at least three walls.")
    outline = _floor_outline(data)
    if outline is None:
        polygon, edges = _footprint(walls)
        paths = tuple(walls[w].path for w in edges)
    else:
        polygon, path = outline
        edges = [_facing_wall(walls, polygon, k) for k in range(len(polygon))]
        paths = tuple(walls[w].path if w is not None else path for w in edges)
        notes.append(f"Outline read from {path} (iOS 17), not rebuilt from the walls.")
    floor = min(wall.bottom for wall in walls)
    openings = [_opening(item, f"{key}[{i}]", kind, walls, polygon, edges, floor)
                for key, kind in OPENING_KINDS.items() for i, item in enumerate(_list(data, key))]
    return ScannedRoom(tuple(polygon), tuple(openings), max(wall.height for wall in walls), tuple(notes), paths,
                       _story(data))


def _story(data: Mapping[str, Any]) -> int | None:
    story = data.get("story")
    if story is not None and (isinstance(story, bool) or not isinstance(story, int)):
        _fail("story", "must be a whole number (the floor the room is on).")
    return story


def _floor_outline(data: Mapping[str, Any]) -> tuple[list[Point], str] | None:
    """The first floor's ``polygonCorners`` in the world's x-z plane, counter-clockwise; None without one."""
    for i, item in enumerate(_list(data, "floors")):
        path = f"floors[{i}]"
        if not isinstance(item, Mapping):
            _fail(path, "must be an object.")
        corners = item.get("polygonCorners") or []
        if not isinstance(corners, list):
            _fail(f"{path}.polygonCorners", "must be a list of [x, y, z] points.")
        if not corners:
            continue
        matrix = _transform(item, path)
        points: list[Point] = []
        for j, corner in enumerate(corners):
            x, y, z = _numbers(corner, f"{path}.polygonCorners[{j}]", 3)
            point = _world(matrix, x, y, z)
            if not points or math.dist(point, points[-1]) >= MIN_WALL_M:
                points.append(point)
        if len(points) > 1 and math.dist(points[0], points[-1]) < MIN_WALL_M:
            points.pop()  # the outline may repeat its first corner to close
        if len(points) < 3 or abs(_signed_area(points)) < MIN_WALL_M ** 2:
            _fail(f"{path}.polygonCorners", "a floor outline needs at least three corners around some floor.")
        return (points if _signed_area(points) > 0 else points[::-1]), f"{path}.polygonCorners"
    return None


def _facing_wall(walls: list[_Wall], polygon: list[Point], edge: int) -> int | None:
    """The wall whose base line runs along outline edge ``edge`` (both ends within ``SNAP_M``), if any."""
    a, b = polygon[edge], polygon[(edge + 1) % len(polygon)]
    for index, wall in enumerate(walls):
        ends = (wall.points[0], wall.points[-1])
        if (math.dist(a, ends[0]) <= SNAP_M and math.dist(b, ends[1]) <= SNAP_M) or (
                math.dist(a, ends[1]) <= SNAP_M and math.dist(b, ends[0]) <= SNAP_M):
            return index
    return None


def _fail(path: str, message: str) -> None:
    raise ValidationFailed(f"{path}: {message}" if path else message, details={"path": path})


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        _fail(key, "must be a list of surfaces.")
    return value


def _numbers(value: Any, path: str, size: int) -> np.ndarray:
    if not isinstance(value, list) or len(value) != size:
        _fail(path, f"must be a list of {size} numbers.")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        _fail(path, "must hold numbers only.")
    array = np.array(value, dtype=float)
    if not np.isfinite(array).all():
        _fail(path, "holds a number that is not finite (NaN or infinity).")
    return array


def _transform(item: Mapping[str, Any], path: str) -> np.ndarray:
    """The 4x4 matrix from 16 column-major floats (simd_float4x4's Codable form)."""
    matrix = _numbers(item.get("transform"), f"{path}.transform", 16).reshape((4, 4), order="F")
    if not np.allclose(matrix[3], (0, 0, 0, 1), atol=1e-4):
        _fail(f"{path}.transform", "is not an affine transform (its last row must be 0, 0, 0, 1).")
    return matrix


def _wall(item: Any, path: str, notes: list[str]) -> _Wall:
    if not isinstance(item, Mapping):
        _fail(path, "must be an object.")
    length, height, _ = _numbers(item.get("dimensions"), f"{path}.dimensions", 3)
    matrix = _transform(item, path)
    curve = item.get("curve")
    low = -height / 2
    corners = _wall_corners(item.get("polygonCorners"), f"{path}.polygonCorners")
    if corners is not None:  # iOS 17: the wall's own outline (a gable end, a wall under a stair) over its box
        (left, low), (right, high) = corners.min(axis=0)[:2], corners.max(axis=0)[:2]
        length, height = right - left, high - low
    if curve:
        local = _arc(curve, f"{path}.curve")
        notes.append(f"Curved wall {item.get('identifier', path)} drawn as {len(local) - 1} straight segments.")
    else:
        if length < MIN_WALL_M:
            where = f"{path}.polygonCorners" if corners is not None else f"{path}.dimensions"
            _fail(where, f"a wall of length {length:g} m cannot be placed.")
        local = [(-length / 2, 0.0), (length / 2, 0.0)] if corners is None else [(left, 0.0), (right, 0.0)]
    points = tuple(_world(matrix, x, 0.0, z) for x, z in local)
    centre_y = float(matrix[1, 3])
    return _Wall(str(item.get("identifier", path)), path, points, centre_y + low, float(height))


def _wall_corners(value: Any, path: str) -> np.ndarray | None:
    """A wall's ``polygonCorners`` (x along it, y up, about its centre) as rows; None when it has none."""
    if value is None or value == []:
        return None
    if not isinstance(value, list) or len(value) < 3:
        _fail(path, "must be a list of at least three [x, y, z] points.")
    return np.array([_numbers(corner, f"{path}[{j}]", 3) for j, corner in enumerate(value)])


def _arc(curve: Any, path: str) -> list[Point]:
    """Chords of a wall's curve, in the wall's local x-z plane."""
    if not isinstance(curve, Mapping):
        _fail(path, "must be an object with startAngle, endAngle, radius and center.")
    start = _angle(curve.get("startAngle"), f"{path}.startAngle")
    end = _angle(curve.get("endAngle"), f"{path}.endAngle")
    radius = _numbers([curve.get("radius")], f"{path}.radius", 1)[0]
    cx, cz = _numbers(curve.get("center", [0.0, 0.0]), f"{path}.center", 2)
    if radius <= 0 or abs(end - start) < 1e-6:
        _fail(path, "a curve needs a positive radius and two different angles.")
    steps = max(2, math.ceil(math.degrees(abs(end - start)) / CURVE_STEP_DEG))
    return [(cx + radius * math.cos(a), cz + radius * math.sin(a)) for a in np.linspace(start, end, steps + 1)]


def _angle(value: Any, path: str) -> float:
    """Radians from a Foundation ``Measurement<UnitAngle>`` (``{"value", "unit": {"symbol"}}``) or a number."""
    if isinstance(value, Mapping):
        number = _numbers([value.get("value")], f"{path}.value", 1)[0]
        symbol = (value.get("unit") or {}).get("symbol", "rad") if isinstance(value.get("unit"), Mapping) else "rad"
        return math.radians(number) if symbol in ("°", "deg") else float(number)
    return float(_numbers([value], path, 1)[0])


def _world(matrix: np.ndarray, x: float, y: float, z: float) -> Point:
    world = matrix @ np.array([x, y, z, 1.0])
    return float(world[0]), float(world[2])


def _footprint(walls: list[_Wall]) -> tuple[list[Point], list[int]]:
    """Walls joined end to end into one closed polygon; ``edges[k]`` is the wall index of polygon edge k."""
    remaining = list(range(1, len(walls)))
    chain, edges = list(walls[0].points), [0] * (len(walls[0].points) - 1)
    while remaining:
        tail = chain[-1]
        best = min((math.dist(tail, walls[i].points[end]), i, end) for i in remaining for end in (0, -1))
        distance, index, end = best
        if distance > SNAP_M:
            _fail(walls[index].path, f"the walls do not join into a closed room (a gap of {distance:.2f} m).")
        points = walls[index].points if end == 0 else walls[index].points[::-1]
        chain[-1] = _mean(tail, points[0])
        chain.extend(points[1:])
        edges.extend([index] * (len(points) - 1))
        remaining.remove(index)
    gap = math.dist(chain[0], chain[-1])
    if gap > SNAP_M:
        _fail(walls[0].path, f"the walls do not close the room (a gap of {gap:.2f} m).")
    chain[0] = _mean(chain[0], chain.pop())
    if _signed_area(chain) < 0:  # keep one orientation so edges and openings read the same way
        chain.reverse()
        edges = edges[::-1]
        edges = edges[1:] + edges[:1]
    return chain, edges


def _mean(a: Point, b: Point) -> Point:
    return (a[0] + b[0]) / 2, (a[1] + b[1]) / 2


def _signed_area(points: Sequence[Point]) -> float:
    return sum(x0 * z1 - x1 * z0 for (x0, z0), (x1, z1) in zip(points, [*points[1:], points[0]], strict=True)) / 2


def _opening(item: Any, path: str, kind: str, walls: list[_Wall], polygon: list[Point], edges: list[int | None],
             floor: float) -> ScannedOpening:
    if not isinstance(item, Mapping):
        _fail(path, "must be an object.")
    width, height, _ = _numbers(item.get("dimensions"), f"{path}.dimensions", 3)
    if width <= 0 or height <= 0:
        _fail(f"{path}.dimensions", "an opening needs a positive width and height.")
    matrix = _transform(item, path)
    centre = (float(matrix[0, 3]), float(matrix[2, 3]))
    parent = item.get("parentIdentifier")
    candidates = [k for k, w in enumerate(edges) if w is not None and walls[w].identifier == parent] or range(
        len(polygon))
    edge = min(candidates, key=lambda k: _distance_to_edge(centre, polygon, k)[0])
    distance, along = _distance_to_edge(centre, polygon, edge)
    if distance > SNAP_M * 3:
        _fail(f"{path}.transform", f"the {kind} is {distance:.2f} m from the nearest wall.")
    sill = float(matrix[1, 3]) - height / 2 - floor
    return ScannedOpening(kind, edge, along - width / 2, float(width), max(0.0, sill), max(0.0, sill) + float(height),
                          path)


def _distance_to_edge(point: Point, polygon: list[Point], edge: int) -> tuple[float, float]:
    """(distance from ``point`` to polygon edge ``edge``, how far along the edge its foot lies)."""
    a, b = np.array(polygon[edge]), np.array(polygon[(edge + 1) % len(polygon)])
    direction = b - a
    length = float(np.linalg.norm(direction))
    along = float(np.dot(np.array(point) - a, direction) / length)
    foot = a + direction * min(max(along, 0.0), length) / length
    return float(np.linalg.norm(np.array(point) - foot)), along
