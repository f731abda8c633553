"""The physics check every spec passes before it is saved: sane sizes, units, ground, overlaps, scene box.

Conventions (seeds/002 objects): metres, y up, ``position`` is the centre of
the box's base, so an object spans x ± width/2, y .. y + height, z ± depth/2.
Small problems are corrected and listed in plain sentences naming the object;
problems that cannot be corrected without guessing raise ``PhysicsRejected``
with every reason found.
"""

import math
import pickle
from dataclasses import dataclass
from typing import Any

from designs.vocabulary import METERS, UNIT_FACTORS

TOUCH = 1e-6  # faces this close count as touching, not overlapping
SMALL_OVERLAP = 0.02  # an overlap up to 2 cm ...
SMALL_SHARE = 0.05  # ... or up to 5% of the smaller object's size is a rounding slip we may fix
MAX_SIZE = 2000.0  # 2 km
MAX_OBJECTS = 500
MAX_PASSES = 20  # separating two objects can push one into a third; give up after this many sweeps
AXES = ("x", "y", "z")
SIZES = {"x": "width", "y": "height", "z": "depth"}


@dataclass(frozen=True)
class PhysicsResult:
    """Corrected copies of the objects, the scene's bounding box, and one sentence per correction."""

    objects: list[dict]
    bounding_box: dict
    corrections: list[str]


class PhysicsRejected(Exception):
    """The objects cannot be made physically sane by small corrections; ``reasons`` says why."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("The design is not physically possible: " + " ".join(reasons))


def check(objects: list[dict], *, bounding_box: dict | None = None) -> PhysicsResult:
    """Check and correct ``objects`` (not modified; copies are returned) and the scene's ``bounding_box``.

    Corrects negative sizes, non-metre units, objects below the ground, small overlaps between solid
    objects (moving the later editable one) and a bounding box too small for the objects. Rejects
    zero or non-finite sizes, sizes or positions beyond 2 km, unknown units, large overlaps,
    overlaps between two non-editable objects, an empty design and more than 500 objects.
    """
    if not objects:
        raise PhysicsRejected(["The design has no objects."])
    if len(objects) > MAX_OBJECTS:
        raise PhysicsRejected([f"The design has {len(objects)} objects; at most {MAX_OBJECTS} are allowed."])
    corrections: list[str] = []
    reasons: list[str] = []
    fixed = [_normalise(obj, index, corrections, reasons) for index, obj in enumerate(_copy_json(objects))]
    if reasons:
        raise PhysicsRejected(reasons)
    _separate(fixed, corrections, reasons)
    if reasons:
        raise PhysicsRejected(reasons)
    return PhysicsResult(fixed, _scene_box(fixed, bounding_box, corrections), corrections)


def _copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars), made on every designs request.

    A pickle round trip of data this process just built: about 3x faster than a recursive copy
    in Python and 10x faster than ``copy.deepcopy``. No bytes from outside are unpickled.
    """
    return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def box_of(obj: dict) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
    """The (low, high) span of a checked object along x, y and z."""
    p, d = obj["position"], obj["dimensions"]
    return ((p["x"] - d["width"] / 2, p["x"] + d["width"] / 2), (p["y"], p["y"] + d["height"]),
            (p["z"] - d["depth"] / 2, p["z"] + d["depth"] / 2))


def _normalise(obj: dict, index: int, corrections: list[str], reasons: list[str]) -> dict:
    """``obj`` (a copy the check owns) in metres, with its sizes positive and its base on the ground."""
    name = str(obj.get("id") or f"object {index + 1}") if isinstance(obj, dict) else f"object {index + 1}"
    if not isinstance(obj, dict) or not isinstance(obj.get("dimensions"), dict) or not isinstance(
            obj.get("position"), dict):
        reasons.append(f"{name} has no dimensions or position.")
        return {}
    dimensions, position = obj["dimensions"], obj["position"]
    units = str(dimensions.get("units", METERS)).strip().lower()
    factor = UNIT_FACTORS.get(units)
    if factor is None:
        reasons.append(f"{name} uses unknown units \"{dimensions.get('units')}\".")
        return obj
    for axis, field in SIZES.items():
        value = _number(dimensions.get(field), f"{name} {field}", reasons)
        if value is None:
            continue
        if value == 0:
            reasons.append(f"{name} has a zero {field}.")
            continue
        if value < 0:
            corrections.append(f"{name} had a negative {field} ({value:g}); made it positive.")
            value = -value
        value *= factor
        if value > MAX_SIZE:
            reasons.append(f"{name} is {value:g} m in {field}, more than 2 km.")
        dimensions[field] = max(round(value, 4), 0.0001)
        coordinate = _number(position.get(axis), f"{name} position {axis}", reasons)
        if coordinate is not None:
            coordinate *= factor
            if abs(coordinate) > MAX_SIZE:
                reasons.append(f"{name} lies {abs(coordinate):g} m from the origin along {axis}, more than 2 km.")
            position[axis] = round(coordinate, 4)
    if "units" not in dimensions:
        corrections.append(f"{name} had no units; took them as meters.")
    elif dimensions["units"] != METERS:
        corrections.append(f"{name} was in \"{dimensions['units']}\"; converted to meters.")
    dimensions["units"] = METERS
    if isinstance(position.get("y"), float) and position["y"] < 0:
        corrections.append(f"{name} was below the ground (y = {position['y']:g}); lifted to y = 0.")
        position["y"] = 0.0
    return obj


def _number(value: object, label: str, reasons: list[str]) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        reasons.append(f"The {label} is not a number.")
        return None
    if not math.isfinite(value):
        reasons.append(f"The {label} is not a finite number.")
        return None
    return float(value)


def _separate(objects: list[dict], corrections: list[str], reasons: list[str]) -> None:
    """Push apart solid objects that overlap a little; reject those that overlap a lot."""
    solid = [index for index, obj in enumerate(objects) if (obj.get("properties") or {}).get("solid") is not False]
    for _ in range(MAX_PASSES):
        moved = False
        for first, second in _candidate_pairs(objects, solid):
            outcome = _resolve(objects, first, second, corrections, reasons)
            if outcome is None:
                return
            moved |= outcome
        if not moved:
            return
    reasons.append("Some objects still overlap after moving them apart repeatedly.")


def _candidate_pairs(objects: list[dict], solid: list[int]) -> list[tuple[int, int]]:
    """Pairs (earlier, later) whose x spans overlap: a sweep along x instead of every pair."""
    spans = {index: box_of(objects[index])[0] for index in solid}
    order = sorted(solid, key=lambda index: spans[index][0])
    pairs = []
    for position, index in enumerate(order):
        for other in order[position + 1:]:
            if spans[other][0] >= spans[index][1] - TOUCH:
                break
            pairs.append((min(index, other), max(index, other)))
    return sorted(pairs)


def _resolve(objects: list[dict], first: int, second: int, corrections: list[str], reasons: list[str]) -> bool | None:
    """True if an overlap was fixed, False if there was none, None if it was rejected."""
    a, b = box_of(objects[first]), box_of(objects[second])
    depths = []
    for (low, high), (other_low, other_high) in zip(a, b, strict=True):
        depth = min(high, other_high) - max(low, other_low)
        if depth <= TOUCH:
            return False  # apart or touching along this axis (most pairs the sweep finds)
        depths.append(depth)
    k = depths.index(min(depths))
    axis, amount = AXES[k], depths[k]
    names = objects[first].get("id"), objects[second].get("id")
    smaller = min(a[k][1] - a[k][0], b[k][1] - b[k][0])
    if amount > SMALL_OVERLAP and amount > SMALL_SHARE * smaller:
        reasons.append(f"{names[0]} and {names[1]} overlap by {amount:.3f} m, too much to correct.")
        return None
    editable = [index for index in (second, first) if objects[index].get("editable") is not False]
    if not editable:
        reasons.append(f"{names[0]} and {names[1]} overlap and neither is editable.")
        return None
    mover = editable[0]
    still = first if mover == second else second
    here, there = (a, b) if mover == first else (b, a)
    up = (here[k][0] + here[k][1]) >= (there[k][0] + there[k][1])
    if axis == "y" and not up and there[k][0] - (here[k][1] - here[k][0]) < 0:
        up = True  # never push an object into the ground
    shift = there[k][1] - here[k][0] if up else there[k][0] - here[k][1]
    position = objects[mover]["position"]
    target = position[axis] + shift
    rounded = round(target, 4)
    if up and rounded < target - 1e-12:
        rounded += 0.0001  # round away from the other object so the faces touch or part, never overlap
    elif not up and rounded > target + 1e-12:
        rounded -= 0.0001
    position[axis] = round(rounded, 4)
    corrections.append(f"{objects[mover].get('id')} overlapped {objects[still].get('id')} by {amount * 1000:.1f} mm; "
                       f"moved it {shift:+.4f} m along {axis}.")
    return True


def _scene_box(objects: list[dict], given: dict | None, corrections: list[str]) -> dict:
    """The objects' box (width/depth centred on x = z = 0, height from y = 0); a given box is kept
    when it holds them, and enlarged (with a correction) when it does not."""
    boxes = [box_of(obj) for obj in objects]
    need = {
        "width": 2 * max(max(abs(x0), abs(x1)) for (x0, x1), _, _ in boxes),
        "height": max(y1 for _, (_, y1), _ in boxes),
        "depth": 2 * max(max(abs(z0), abs(z1)) for _, _, (z0, z1) in boxes),
    }
    need = {field: math.ceil(value * 10_000 - 1e-6) / 10_000 for field, value in need.items()}
    if given is None:
        return {**need, "units": METERS}
    factor = UNIT_FACTORS.get(str(given.get("units", METERS)).strip().lower())
    values = {field: given.get(field) for field in need}
    if factor is None or not all(_is_size(value) for value in values.values()):
        corrections.append("The scene bounding box was not valid; computed it from the objects.")
        return {**need, "units": METERS}
    have = {field: round(float(value) * factor, 4) for field, value in values.items()}
    if given.get("units") != METERS:
        corrections.append(f"The scene bounding box was in \"{given.get('units')}\"; converted to meters.")
    if any(have[field] < need[field] - TOUCH for field in need):
        have = {field: max(have[field], need[field]) for field in need}
        corrections.append("The scene bounding box was too small for the objects; enlarged it to "
                           f"{have['width']:g} x {have['height']:g} x {have['depth']:g} m.")
    return {**have, "units": METERS}


def _is_size(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value) and value > 0
