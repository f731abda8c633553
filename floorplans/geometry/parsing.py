"""The document's ``analysis`` object in and out: parse and check it, and say what changed."""

import math
from collections.abc import Mapping
from typing import Any

from floorplans.geometry.measures import OPENING_TYPES, WALLS, GeometryError, check_choice, check_number
from floorplans.geometry.rooms import Notch, Opening, RoomAnalysis

_ANALYSIS_KEYS = ("dimensions", "ceilingHeight", "walls", "referenceObject", "shape", "notch", "polygon")


def parse_analysis(data: Mapping[str, Any]) -> RoomAnalysis:
    """Check the document's ``analysis`` object and return it typed; ``GeometryError`` says what is wrong."""
    if not isinstance(data, Mapping):
        raise GeometryError("The analysis must be an object")
    dimensions = data.get("dimensions")
    if not isinstance(dimensions, Mapping):
        raise GeometryError("analysis.dimensions must be an object with width and height in feet")
    confidence = dimensions.get("confidence")
    if confidence is not None:
        confidence = check_number(confidence, "dimensions.confidence")
    ceiling = data.get("ceilingHeight")
    reference = data.get("referenceObject")
    if reference is not None and not isinstance(reference, Mapping):
        raise GeometryError("referenceObject must be an object")
    notch = data.get("notch")
    if notch is not None:
        if not isinstance(notch, Mapping):
            raise GeometryError("notch must be an object with corner, width and depth")
        notch = Notch(notch.get("corner"), check_number(notch.get("width"), "notch width"),
                      check_number(notch.get("depth"), "notch depth"), _parse_walls(notch.get("walls"), "notch.walls"))
    vertices, polygon_openings = _parse_polygon(data.get("polygon"))
    return RoomAnalysis(
        width=check_number(dimensions.get("width"), "dimensions.width"),
        height=check_number(dimensions.get("height"), "dimensions.height"),
        walls=_parse_walls(data.get("walls"), "walls"),
        shape=data.get("shape") or "rectangle",
        notch=notch,
        ceiling_height=None if ceiling is None else check_number(ceiling, "ceilingHeight"),
        confidence=confidence,
        reference_object=reference,
        extra={key: value for key, value in data.items() if key not in _ANALYSIS_KEYS},
        vertices=vertices,
        polygon_openings=polygon_openings,
    )


def _parse_polygon(data: Any) -> tuple[tuple[Any, ...], dict[int, tuple[Opening, ...]]]:
    """A polygon room's ``{"vertices": [[x, y], ...], "openings": [{"wall": k, ...}]}`` (checked further by
    ``RoomAnalysis``)."""
    if data is None:
        return (), {}
    if not isinstance(data, Mapping) or not isinstance(data.get("vertices"), list | tuple):
        raise GeometryError("polygon must be an object with vertices ([[x, y], ...] in feet) and openings")
    items = data.get("openings") or []
    if not isinstance(items, list | tuple):
        raise GeometryError("polygon.openings must be a list of openings, each with its wall's index")
    openings: dict[int, list[Opening]] = {}
    for i, item in enumerate(items):
        wall = item.get("wall") if isinstance(item, Mapping) else None
        if isinstance(wall, bool) or not isinstance(wall, int):
            raise GeometryError(f"polygon.openings[{i}].wall must be the index of the wall it is on")
        opening = _parse_opening({k: v for k, v in item.items() if k != "wall"}, f"polygon.openings[{i}]")
        openings.setdefault(wall, []).append(opening)
    return tuple(data["vertices"]), {wall: tuple(found) for wall, found in openings.items()}


def _parse_walls(data: Any, what: str) -> dict[str, tuple[Opening, ...]]:
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise GeometryError(f"{what} must be an object keyed by north, east, south and west")
    walls: dict[str, tuple[Opening, ...]] = {}
    for name, items in data.items():
        side = check_choice(name, WALLS, "wall")
        if not isinstance(items, list | tuple):
            raise GeometryError(f"{what}.{side} must be a list of openings")
        walls[side] = tuple(_parse_opening(item, f"{what}.{side}") for item in items)
    return walls


def _parse_opening(item: Any, what: str) -> Opening:
    if not isinstance(item, Mapping):
        raise GeometryError(f"Each opening in {what} must be an object with type, position and width")
    kind = check_choice(item.get("type"), OPENING_TYPES, f"opening type in {what}")
    extra = {key: value for key, value in item.items() if key not in ("type", "position", "width")}
    return Opening(kind, check_number(item.get("position"), f"{what} {kind} position"),
                   check_number(item.get("width"), f"{what} {kind} width"), extra)


def describe_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Sentences for what changed between two analyses, like the document's ``changesApplied``."""
    before, after = parse_analysis(old), parse_analysis(new)
    changes = []
    for what, a, b in (("width", before.width, after.width), ("depth", before.height, after.height)):
        if not math.isclose(a, b):
            changes.append(f"Changed room {what} from {a:.1f} ft to {b:.1f} ft")
    if before.ceiling_height != after.ceiling_height:
        changes.append(f"Changed ceiling height from {_ft(before.ceiling_height)} to {_ft(after.ceiling_height)}")
    if (before.shape, before.notch and before.notch.to_dict(), before.vertices) != (
            after.shape, after.notch and after.notch.to_dict(), after.vertices):
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

