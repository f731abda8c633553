"""What changed between two versions of a design's objects, and stable ids for a model's output.

Objects are matched by id. A model asked to edit a spec may drop, duplicate or
invent ids, or touch objects it must not; ``assign_ids`` makes its output
safe to store before ``diff`` describes the change.
"""

import copy
import math
import re

_ID = re.compile(r"obj_(\d+)")
_SAME = 1e-9  # floats within this are equal; specs carry 4 decimals


def diff(previous_objects: list[dict], current_objects: list[dict]) -> dict:
    """{"added": [ids], "removed": [ids], "changed": [{"id", "fields": {"a.b": {"from", "to"}}}]}.

    Fields are dotted paths to leaf values (``dimensions.width``, ``properties.color``); lists are
    compared whole. A field present on one side only has ``None`` on the other.
    """
    before = {obj.get("id"): obj for obj in previous_objects}
    after = {obj.get("id"): obj for obj in current_objects}
    changed = []
    for object_id, obj in after.items():
        if object_id not in before:
            continue
        old, new = _flatten(before[object_id]), _flatten(obj)
        fields = {path: {"from": old.get(path), "to": new.get(path)}
                  for path in sorted(old.keys() | new.keys()) if not _equal(old.get(path), new.get(path))}
        if fields:
            changed.append({"id": object_id, "fields": fields})
    return {
        "added": [object_id for object_id in after if object_id not in before],
        "removed": [object_id for object_id in before if object_id not in after],
        "changed": changed,
    }


def assign_ids(previous_objects: list[dict], new_objects: list[dict], next_number: int) -> tuple[list[dict], int]:
    """Give a model's ``new_objects`` safe ids; returns (objects, next free id number).

    An id the previous version had is kept (first use only). Any other id (missing, duplicated
    or unknown) becomes a fresh ``obj_%03d`` from ``next_number``, skipping numbers already in
    use. Objects that were ``editable: false`` come back exactly as they were: in place of a
    changed copy, or appended if the model dropped them. Inputs are not modified.
    """
    previous = {obj.get("id"): obj for obj in previous_objects if obj.get("id")}
    locked = {object_id: obj for object_id, obj in previous.items() if obj.get("editable") is False}
    taken = {int(match[1]) for object_id in previous if (match := _ID.fullmatch(str(object_id)))}
    number = next_number
    result: list[dict] = []
    used: set[str] = set()
    for obj in new_objects:
        object_id = obj.get("id")
        if object_id in previous and object_id not in used:
            used.add(object_id)
            result.append(copy.deepcopy(locked.get(object_id, obj)))
            continue
        while number in taken:
            number += 1
        fresh = copy.deepcopy(obj)
        fresh["id"] = f"obj_{number:03d}"
        taken.add(number)
        number += 1
        result.append(fresh)
    result.extend(copy.deepcopy(obj) for object_id, obj in locked.items() if object_id not in used)
    return result, number


def _flatten(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        flat: dict[str, object] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def _equal(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=0.0, abs_tol=_SAME)
    return a == b
