"""A RoomPlan scan's footprint turned into the plan's room analysis (feet), as a rectangle, L-shape or polygon.

A scan is turned (by at most 45°) so its longest wall lies on an axis. When
every wall lies within ``ANGLE_TOLERANCE_DEG`` of an axis and the squared
outline has 4 or 6 corners, the walls are squared (each straight run on the
mean of its ends, corners where runs meet) into a rectangle or L-shape, and
the largest turn and corner shift are written in the room's notes. Any other
footprint (a wall further off square, a curved wall's chords, a U or T shape)
is kept as it was scanned, turned the same way, as a ``"polygon"`` room (see
``floorplans.geometry.rooms``), with a note saying why. Only a footprint that
is no room at all, its walls crossing each other, is refused with
``UNSUPPORTED_SCAN_SHAPE`` naming the walls; nothing is squared silently.

Confidence: RoomPlan grades each surface only ``high``, ``medium`` or ``low``
(no probability). A room is as sure as its least sure wall, read as
``CONFIDENCE_OF_GRADE`` (high 0.9, medium 0.6, low 0.3; a wall without a grade
counts as low): a scan never claims more than its worst wall.
"""

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from config.errors import ValidationFailed
from floorplans.errors import UnsupportedScanShape
from floorplans.geometry.rooms import Notch, RoomAnalysis, WallSegment, is_simple_polygon
from floorplans.roomplan import ScannedOpening, ScannedRoom, parse_captured_room

FEET_PER_METRE = 1 / 0.3048
ANGLE_TOLERANCE_DEG = 3.0
CONFIDENCE_OF_GRADE = {"high": 0.9, "medium": 0.6, "low": 0.3}
_CORNER_EPS_FT = 1e-6

Point = tuple[float, float]


@dataclass(frozen=True)
class ScanImport:
    """The room's analysis document (``source: lidar``), its confidence, notes and squared outline (feet)."""

    analysis: dict[str, Any]
    confidence: float
    notes: tuple[str, ...]
    outline: tuple[Point, ...]
    corner: Point = (0.0, 0.0)  # metres: the north-west corner of its box, in the turned scan frame

    def position(self, origin: Point) -> dict[str, float]:
        """Its plan position (feet) when the structure's north-west corner ``origin`` is the plan's origin."""
        return {"x": (self.corner[0] - origin[0]) * FEET_PER_METRE, "y": (self.corner[1] - origin[1]) * FEET_PER_METRE}


def is_structure(data: Any) -> bool:
    """A ``CapturedStructure`` (rooms placed together) rather than one ``CapturedRoom``."""
    return isinstance(data, Mapping) and "rooms" in data


def read_scan(data: Any, *, max_surfaces: int) -> list[ScanImport]:
    """The rooms of a ``CapturedRoom`` (one) or a ``CapturedStructure``, ready for the plan; nothing is stored."""
    if is_structure(data):
        return read_structure(data, max_surfaces=max_surfaces)
    return [to_analysis(parse_captured_room(data, max_surfaces=max_surfaces), confidence=scan_confidence(data))]


def read_structure(data: Any, *, max_surfaces: int) -> list[ScanImport]:
    """Each room of a ``CapturedStructure`` (``rooms``), squared on the structure's one pair of axes.

    The axes are those of the longest wall of all rooms, so every room keeps
    its place and turn from the scan (a turn by a multiple of 90° is still
    square); paths in refusals start with ``rooms[i].``.
    """
    rooms = data.get("rooms")
    if not isinstance(rooms, list) or not rooms:
        raise ValidationFailed("rooms: a CapturedStructure needs a list of rooms.", details={"path": "rooms"})
    count = sum(len(room.get(key) or ()) for room in rooms if isinstance(room, Mapping)
                for key in ("walls", "doors", "windows", "openings"))
    if count > max_surfaces:
        raise ValidationFailed(f"rooms: the scan has {count} walls, doors, windows and openings; at most "
                               f"{max_surfaces} are read.", details={"path": "rooms"})
    stories = [room.get("story", 0) if isinstance(room, Mapping) else 0 for room in rooms]
    other = next((i for i, story in enumerate(stories) if story != stories[0]), None)
    if other is not None:  # the plan is one floor: rooms of two stories would be drawn on top of each other
        raise ValidationFailed(f"rooms[{other}].story: the rooms are on more than one story; import one story "
                               "at a time.", details={"path": f"rooms[{other}].story"})
    scanned = []
    for i, room in enumerate(rooms):
        with _prefixed(f"rooms[{i}]"):
            scanned.append((parse_captured_room(room, max_surfaces=max_surfaces), scan_confidence(room)))
    turn = _longest_wall_turn(np.concatenate([_edges(np.array(r.polygon, dtype=float)) for r, _ in scanned]))
    imports = []
    for i, (room, confidence) in enumerate(scanned):
        with _prefixed(f"rooms[{i}]"):
            imports.append(to_analysis(room, confidence=confidence, turn=turn))
    return imports


@contextmanager
def _prefixed(prefix: str) -> Iterator[None]:
    """Refusals of one room of a structure, with their paths under ``prefix``."""
    try:
        yield
    except UnsupportedScanShape as exc:
        details = {**exc.details, "walls": [f"{prefix}.{wall}" for wall in exc.details["walls"]]}
        raise UnsupportedScanShape(f"{prefix}: {exc.message}", details=details) from None
    except ValidationFailed as exc:
        path = f"{prefix}.{exc.details['path']}" if exc.details.get("path") else prefix
        message = f"{prefix}.{exc.message}" if exc.details.get("path") else f"{prefix}: {exc.message}"
        raise ValidationFailed(message, details={"path": path}) from None


def scan_confidence(data: Mapping[str, Any]) -> float:
    """The lowest grade of the scan's walls, as a number (see the module docstring)."""
    grades = []
    for i, wall in enumerate(data.get("walls") or []):
        given = wall.get("confidence") if isinstance(wall, Mapping) else None
        if given is None:
            grades.append(CONFIDENCE_OF_GRADE["low"])
            continue
        grade = next(iter(given), None) if isinstance(given, Mapping) and len(given) == 1 else None
        if grade not in CONFIDENCE_OF_GRADE:
            raise ValidationFailed(f"walls[{i}].confidence: must be one of {', '.join(CONFIDENCE_OF_GRADE)}.",
                                   details={"path": f"walls[{i}].confidence"})
        grades.append(CONFIDENCE_OF_GRADE[grade])
    return min(grades, default=CONFIDENCE_OF_GRADE["low"])


def to_analysis(room: ScannedRoom, *, confidence: float, turn: float | None = None) -> ScanImport:
    """The scanned room as the plan's analysis; ``UnsupportedScanShape`` when its walls cross each other.

    ``turn`` (radians) is the direction that becomes east; by default the room's longest wall.
    """
    polygon = np.array(room.polygon, dtype=float)
    if not is_simple_polygon([(float(x), float(z)) for x, z in polygon]):
        walls = sorted(set(room.edge_walls))
        raise UnsupportedScanShape(f"{', '.join(walls)}: the walls cross each other, so they enclose no one room.",
                                   details={"walls": walls, "notes": list(room.notes)})
    if turn is None:
        turn = _longest_wall_turn(_edges(polygon))
    c, s = math.cos(turn), math.sin(turn)
    turned = polygon @ np.array([[c, -s], [s, c]])  # rows (x, z) turned by -turn: the longest wall along +x
    angles = np.degrees(np.arctan2(*(np.roll(turned, -1, axis=0) - turned)[:, ::-1].T))
    off = np.abs((angles + 45) % 90 - 45)
    wrong = [k for k in range(len(off)) if off[k] > ANGLE_TOLERANCE_DEG]
    if wrong:
        walls = sorted({room.edge_walls[k] for k in wrong})
        return _polygon_analysis(room, turned, turn, confidence, [
            f"Kept as a polygon: {', '.join(walls)} up to {max(off[k] for k in wrong):.1f}° off square (more than "
            f"{ANGLE_TOLERANCE_DEG:g}°), so no wall was squared."])
    horizontal = [abs(a) < 45 or abs(a) > 135 for a in angles]
    corners, shift = _squared(turned, horizontal)
    if len(corners) not in (4, 6):
        return _polygon_analysis(room, turned, turn, confidence, [
            f"Kept as a polygon: its {len(corners)} square corners are neither a rectangle (4) nor an L-shape (6)."])
    origin = corners.min(axis=0)
    local = (corners - origin) * FEET_PER_METRE
    width, height = (float(v) for v in local.max(axis=0))
    notch = _notch(local, width, height)
    bare = RoomAnalysis(width, height, shape="L-shape" if notch else "rectangle", notch=notch)
    walls: dict[str, list[dict]] = {}
    inner: dict[str, list[dict]] = {}
    for opening in room.openings:
        centre = _centre(room.polygon, opening) @ np.array([[c, -s], [s, c]])
        segment, along = _on_wall(bare.wall_segments(), (centre - origin) * FEET_PER_METRE,
                                  horizontal[opening.edge])
        (inner if segment.inner else walls).setdefault(segment.side, []).append({
            "type": opening.kind, "position": along - opening.width * FEET_PER_METRE / 2,
            "width": opening.width * FEET_PER_METRE, "sillHeight": opening.sill * FEET_PER_METRE,
            "headHeight": opening.head * FEET_PER_METRE})
    notes = [*room.notes,
             f"Turned {math.degrees(turn):.1f}° to square the scan (its longest wall sets the plan's axes).",
             f"Walls squared: at most {float(off.max()):.1f}° off square, corners moved at most "
             f"{shift * 100:.1f} cm."]
    analysis: dict[str, Any] = {
        "dimensions": {"width": width, "height": height, "confidence": confidence},
        "ceilingHeight": room.ceiling_height * FEET_PER_METRE,
        "walls": walls, "referenceObject": None, "shape": bare.shape, "source": "lidar", "notes": notes}
    if notch:
        analysis["notch"] = {"corner": notch.corner, "width": notch.width, "depth": notch.depth, "walls": inner}
    if room.story is not None:
        analysis["story"] = room.story
    return ScanImport(analysis, confidence, tuple(notes), tuple((float(x), float(y)) for x, y in local),
                      (float(origin[0]), float(origin[1])))


def _polygon_analysis(room: ScannedRoom, turned: np.ndarray, turn: float, confidence: float,
                      why: list[str]) -> ScanImport:
    """The room as scanned, turned by ``turn``: a polygon with its openings on its walls by index."""
    origin = turned.min(axis=0)
    local = (turned - origin) * FEET_PER_METRE
    width, height = (float(v) for v in local.max(axis=0))
    openings = []
    for opening in room.openings:
        length = math.dist(local[opening.edge], local[(opening.edge + 1) % len(local)])
        wide = opening.width * FEET_PER_METRE
        if wide > length + _CORNER_EPS_FT:  # no room on its wall: say which opening, as every scan refusal does
            raise ValidationFailed(f"{opening.path}.dimensions: the {opening.kind} is {opening.width:.2f} m wide but "
                                   f"its wall is {length / FEET_PER_METRE:.2f} m long.",
                                   details={"path": f"{opening.path}.dimensions"})
        # RoomPlan may let a door overhang its wall's end by a few millimetres; keep it on the wall.
        position = min(max(0.0, opening.position * FEET_PER_METRE), max(0.0, length - wide))
        openings.append({"wall": opening.edge, "type": opening.kind, "position": position, "width": wide,
                         "sillHeight": opening.sill * FEET_PER_METRE, "headHeight": opening.head * FEET_PER_METRE})
    notes = [*room.notes, *why,
             f"Turned {math.degrees(turn):.1f}° (its longest wall sets the plan's axes); the footprint's "
             f"{len(local)} walls are kept as scanned."]
    analysis: dict[str, Any] = {
        "dimensions": {"width": width, "height": height, "confidence": confidence},
        "ceilingHeight": room.ceiling_height * FEET_PER_METRE, "walls": {}, "referenceObject": None,
        "shape": "polygon", "polygon": {"vertices": [[float(x), float(y)] for x, y in local], "openings": openings},
        "source": "lidar", "notes": notes}
    if room.story is not None:
        analysis["story"] = room.story
    return ScanImport(analysis, confidence, tuple(notes), tuple((float(x), float(y)) for x, y in local),
                      (float(origin[0]), float(origin[1])))


def _edges(polygon: np.ndarray) -> np.ndarray:
    return np.roll(polygon, -1, axis=0) - polygon


def _longest_wall_turn(vectors: np.ndarray) -> float:
    """The smallest turn (-45° to 45°) that lines the longest wall up with an axis: the scan keeps its bearing."""
    longest = int(np.argmax(np.hypot(vectors[:, 0], vectors[:, 1])))
    quarter = math.pi / 2
    return (math.atan2(vectors[longest, 1], vectors[longest, 0]) + quarter / 2) % quarter - quarter / 2


def _squared(points: np.ndarray, horizontal: Sequence[bool]) -> tuple[np.ndarray, float]:
    """Corners of the runs of same-direction edges, each run on the mean line of its points; the largest shift."""
    n = len(points)
    start = next((k for k in range(n) if horizontal[k] != horizontal[k - 1]), None)
    if start is None:
        return np.empty((0, 2)), 0.0
    runs: list[tuple[bool, list[int]]] = []  # (horizontal, the edges of the run)
    for k in [*range(start, n), *range(start)]:
        if runs and runs[-1][0] == horizontal[k]:
            runs[-1][1].append(k)
        else:
            runs.append((horizontal[k], [k]))
    lines = []
    for is_horizontal, edges in runs:
        ends = points[[*edges, (edges[-1] + 1) % n]]
        lines.append(float(ends[:, 1 if is_horizontal else 0].mean()))
    corners, shift = [], 0.0
    for i, (is_horizontal, edges) in enumerate(runs):
        here, following = lines[i], lines[(i + 1) % len(runs)]
        corner = (following, here) if is_horizontal else (here, following)
        shift = max(shift, math.dist(corner, points[(edges[-1] + 1) % n]))
        corners.append(corner)
    return np.array(corners), shift


def _notch(local: np.ndarray, width: float, height: float) -> Notch | None:
    """An L-shape's cut-out corner and size, read from its one inner corner."""
    if len(local) == 4:
        return None
    box = {"NW": (0.0, 0.0), "NE": (width, 0.0), "SE": (width, height), "SW": (0.0, height)}
    corner = next(name for name, point in box.items()
                  if not any(math.dist(point, p) < _CORNER_EPS_FT for p in local))
    inner = next(p for p in local if all(abs(p[i] - edge) > _CORNER_EPS_FT
                                         for i, edge in ((0, 0.0), (0, width), (1, 0.0), (1, height))))
    x, y = float(inner[0]), float(inner[1])
    return Notch(corner, x if corner[1] == "W" else width - x, y if corner[0] == "N" else height - y)


def _centre(polygon: Sequence[Point], opening: ScannedOpening) -> np.ndarray:
    a, b = np.array(polygon[opening.edge]), np.array(polygon[(opening.edge + 1) % len(polygon)])
    return a + (b - a) / np.linalg.norm(b - a) * (opening.position + opening.width / 2)


def _on_wall(segments: Sequence[WallSegment], point: np.ndarray, horizontal: bool) -> tuple[WallSegment, float]:
    """The squared wall nearest ``point`` running the same way as its scanned wall, and how far along it lies."""
    def fit(segment: WallSegment) -> tuple[float, float]:
        along = float(point[0 if horizontal else 1]) - segment.along
        beyond = max(0.0, -along, along - segment.length)
        return math.hypot(float(point[1 if horizontal else 0]) - segment.line, beyond), along

    segment = min((seg for seg in segments if seg.horizontal == horizontal), key=lambda seg: fit(seg)[0])
    return segment, fit(segment)[1]
