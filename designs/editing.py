"""Rule-based edits of a design's objects: recolour, change material, resize, add and remove parts.

An edit prompt is split into clauses ("make the top walnut and the legs
black, add two chairs"); each clause is one change. Every kept object keeps
its id; objects with ``editable: false`` are never changed, moved or removed;
new objects are numbered from ``next_number``. After the changes, dependent
parts are laid out again (legs under the top, chairs around it, floors under
the roof) so the result stays physically sane.
"""

import copy
import re

from designs.generation_errors import EditNotUnderstood
from designs.layouts import buildings, relayout, seating, storage
from designs.layouts.parts import MAIN, faces, reshape
from designs.parsing import PromptFacts, parse_prompt, parse_sizes, part_word, tokens_of
from designs.vocabulary import NUMBER_WORDS

LENGTHWISE = frozenset({"table", "car", "truck", "motorcycle", "aircraft", "boat"})
FIXED_SIZE = frozenset({"handles", "lights", "buttons", "led", "sensors", "antenna", "connectors", "capacitors",
                        "chips", "burners"})
FIXED_FOOTPRINT = frozenset({"legs", "standoffs", "stand"})
ROUND = frozenset({"wheels"})  # stay round: they grow with the height only, in width and height alike
# What "add" can place, and the part each needs to be placed against.
ADDABLE = {"chairs": ("top",), "floors": ("floors",), "legs": ("top", "seat", "frame"), "shelves": ("carcass",),
           "doors": ("carcass",), "drawers": ("carcass",), "wheels": ("chassis", "body")}

_CLAUSES = re.compile(r"\s*(?:,|;|\.(?=\s|$)|\bthen\b|\balso\b|\band\b)\s*")
_REMOVE = frozenset({"remove", "delete", "drop", "without", "no", "ditch", "lose"})
_ADD = frozenset({"add", "include", "plus", "another", "extra", "more"})
_COMPARATIVES = {
    "taller": ("y", 1.2), "higher": ("y", 1.2), "lower": ("y", 1 / 1.2), "longer": ("x", 1.2),
    "wider": ("across", 1.2), "broader": ("across", 1.2), "narrower": ("across", 1 / 1.2), "deeper": ("z", 1.2),
    "shallower": ("z", 1 / 1.2), "bigger": ("all", 1.2), "larger": ("all", 1.2), "smaller": ("all", 1 / 1.2),
    "shorter": ("principal", 1 / 1.2),
}
_STRENGTH = {"slightly": 0.5, "bit": 0.5, "little": 0.5, "much": 2.5, "lot": 2.5}
_DOUBLE = frozenset({"twice", "double"})


def apply_edit(objects: list[dict], prompt: str, *, category: str,
               next_number: int) -> tuple[list[dict], list[str], int]:
    """``objects`` after the edit ``prompt``, notes on what changed, and the next free id number.

    Raises ``EditNotUnderstood`` when no clause of the prompt names a change the editor knows.
    """
    editor = _Editor(copy.deepcopy(objects), category, next_number)
    understood = False
    for clause in filter(None, _CLAUSES.split(prompt.lower())):
        understood |= editor.apply(clause)
    if not understood:
        raise EditNotUnderstood("No change was recognised in the edit prompt.")
    relayout(editor.objects)
    return editor.objects, editor.notes, editor.next_number


class _Editor:
    def __init__(self, objects: list[dict], category: str, next_number: int) -> None:
        self.objects, self.category, self.next_number = objects, category, next_number
        self.notes: list[str] = []
        taken = [int(obj["id"][4:]) for obj in objects if re.fullmatch(r"obj_\d+", str(obj.get("id", "")))]
        self.next_number = max([next_number, *(number + 1 for number in taken)])

    def apply(self, clause: str) -> bool:
        tokens = tokens_of(clause)
        role = next((part_word(token) for token in tokens if part_word(token)), None)
        if _REMOVE & set(tokens) or "rid" in tokens or ("take" in tokens and ("off" in tokens or "away" in tokens)):
            return self._remove(role, _count(tokens), clause)
        if _ADD & set(tokens) and role:
            return self._add(role, _count(tokens) or 1)
        if parse_sizes(clause) or any(token in _COMPARATIVES for token in tokens):
            return self._resize(role, clause, tokens)
        facts = parse_prompt(clause)
        if facts.part_colors or facts.part_materials or facts.color or facts.materials:
            return self._restyle(role, facts)
        return False

    def _restyle(self, role: str | None, facts: PromptFacts) -> bool:
        changes = [(part, "color", value) for part, value in facts.part_colors.items()]
        changes += [(part, "material", value) for part, value in facts.part_materials.items()]
        if facts.color:
            changes.append((role, "color", facts.color))
        if facts.material:
            changes.append((role, "material", facts.material))
        main = self.objects[0]["material"] if self.objects else None
        for part, field, value in changes:
            # "make it walnut" changes what is made of the main material, not the steel legs or rubber tyres.
            targets = self._targets(part, whole=True) if part else [obj for obj in self.objects
                                                                    if obj["material"] == main]
            if not targets:
                self.notes.append(f"The design has no {part}; its {field} was not changed.")
            changed = self._unlocked(targets)
            for obj in changed:
                if field == "color":
                    obj["properties"]["color"] = value
                else:
                    obj["material"] = value
            if changed:
                self.notes.append(f"Set the {field} of {part or 'the design'} ({_ids(changed)}) to {value}.")
        return True

    def _resize(self, role: str | None, clause: str, tokens: list[str]) -> bool:
        targets = self._targets(role, whole=True) if role else [obj for obj in self.objects
                                                                 if obj["properties"].get("group", MAIN) == MAIN]
        if not targets:
            self.notes.append(f"The design has no {role}; nothing was resized.")
            return True
        comparative = next((token for token in tokens if token in _COMPARATIVES), None)
        changes = []
        for word, value in parse_sizes(clause).items():
            if comparative:  # "20 cm taller": the comparative names the axis, the measure the change
                axis_word, factor = _COMPARATIVES[comparative]
                axis = self._axis(word if axis_word == "all" else axis_word)
                target = _extent(targets, axis) + (value if factor > 1 else -value)
            else:
                axis, target = self._axis(word), value
            changes.append((axis, target / _extent(targets, axis)))
        if not changes:
            strength = next((_STRENGTH[token] for token in tokens if token in _STRENGTH), 1.0)
            for token in (token for token in tokens if token in _COMPARATIVES):
                axis_word, factor = _COMPARATIVES[token]
                growth = 2.0 if _DOUBLE & set(tokens) else 1 + 0.2 * strength
                axes = ("x", "y", "z") if axis_word == "all" else (self._axis(axis_word),)
                changes.extend((axis, growth if factor > 1 else 1 / growth) for axis in axes)
        for axis, factor in changes:
            if factor <= 0:
                raise EditNotUnderstood("A size in the edit prompt would make the design vanish.")
            _scale(self._unlocked(targets), axis, factor)
            self.notes.append(f"Scaled {role or 'the design'} along {axis} by {factor:.3g}.")
        return True

    def _add(self, role: str, count: int) -> bool:
        anchors = ADDABLE.get(role)
        if anchors is None:
            raise EditNotUnderstood(f"Adding {role} is not something the rule-based editor can place.")
        if not any(obj["properties"].get("role") in anchors for obj in self.objects):
            raise EditNotUnderstood(f"The design has nothing to attach {role} to.")
        added: list[dict] = []
        for _ in range(count):
            new = self._new_parts(role)
            if not new:
                raise EditNotUnderstood(f"The design has no {role} to copy.")
            for obj in new:
                obj["id"] = f"obj_{self.next_number:03d}"
                self.next_number += 1
            self.objects.extend(new)
            added.extend(new)
            relayout(self.objects)
        noun = role if count != 1 else {"shelves": "shelf"}.get(role, role.rstrip("s"))
        self.notes.append(f"Added {count} {noun} ({_ids(added)}).")
        return True

    def _new_parts(self, role: str) -> list[dict]:
        existing = self._targets(role)
        if role == "chairs":
            groups = {str(obj["properties"].get("group", "")) for obj in existing}
            number = 1 + max((int(g.rsplit("_", 1)[-1]) for g in groups if g.rsplit("_", 1)[-1].isdigit()), default=0)
            top = next(obj for obj in self.objects if obj["properties"].get("role") == "top")
            template = existing[0] if existing else top
            parts = seating.chair_parts(template["material"], f"chair_{number}")
            return [self._adopt(part, template, with_color=bool(existing)) for part in parts]
        if role == "floors":
            top = max(obj["properties"].get("level", 0) for obj in existing)
            copies = [copy.deepcopy(obj) for obj in buildings.level_parts(self.objects, top)]
            for obj in copies:
                obj["properties"]["level"] = top + 1
                obj["editable"] = True
            return copies
        if not existing and role in storage.FRONTS:
            carcass = next(obj for obj in self.objects if obj["properties"].get("role") == "carcass")
            return [self._adopt(storage.part(role, carcass["material"]), carcass, with_color=True)]
        if not existing:
            return []
        clone = copy.deepcopy(existing[-1])
        clone["editable"] = True
        return [clone]

    def _remove(self, role: str | None, count: int | None, clause: str) -> bool:
        if role is None:
            raise EditNotUnderstood(f"No part to remove was named in \"{clause}\".")
        targets = self._targets(role)
        if role == "roof":  # what stands on the roof goes with it
            targets = [obj for obj in self.objects if obj["properties"].get("role") in buildings.ON_ROOF]
        if not targets:
            self.notes.append(f"The design has no {role} to remove.")
            return True
        units = _units(targets, role, self.objects)
        if role == "floors":
            count = min(count or 1, len(units) - 1)  # "remove a floor" takes the top one; a building keeps one
            if count < 1:
                self.notes.append("A building keeps at least one floor.")
        chosen = units[len(units) - count:] if count is not None and count < len(units) else units
        # A chair or a floor goes whole or not at all: half a chair around a locked back is no chair.
        whole = [unit for unit in chosen if not any(obj.get("editable") is False for obj in unit)]
        self._unlocked([obj for unit in chosen if unit not in whole for obj in unit])
        gone = [obj for unit in whole for obj in unit]
        self.objects[:] = [obj for obj in self.objects if all(obj is not other for other in gone)]
        if gone:
            self.notes.append(f"Removed {role} ({_ids(gone)}).")
        return True

    def _targets(self, role: str, *, whole: bool = False) -> list[dict]:
        """Objects of a part; "the chair" of a chair design is all of it (for ``whole`` changes)."""
        tagged = [obj for obj in self.objects if obj["properties"].get("role") == role]
        if tagged:
            return tagged
        if whole and role.rstrip("s") == self.category:
            return [obj for obj in self.objects if obj["properties"].get("group", MAIN) == MAIN]
        if any(obj["properties"].get("role") for obj in self.objects):
            return []  # a rule-made design without that part
        word = {"shelves": "shelf"}.get(role, role.rstrip("s"))  # objects from a model carry no roles
        return [obj for obj in self.objects if word in str(obj.get("type", ""))]

    def _unlocked(self, targets: list[dict]) -> list[dict]:
        locked = [obj for obj in targets if obj.get("editable") is False]
        if locked:
            self.notes.append(f"Left {_ids(locked)} unchanged: not editable.")
        return [obj for obj in targets if obj.get("editable") is not False]

    def _axis(self, word: str) -> str:
        lengthwise = self.category in LENGTHWISE
        return {"length": "x", "x": "x", "depth": "z", "z": "z", "height": "y", "y": "y",
                "width": "z" if lengthwise else "x", "across": "z" if lengthwise else "x",
                "size": "x" if lengthwise else "y", "principal": "x" if lengthwise else "y"}[word]

    def _adopt(self, part: dict, template: dict, *, with_color: bool) -> dict:
        keys = ("design_type", "category", "features", "color") if with_color else ("design_type", "category",
                                                                                    "features")
        inherited = {key: copy.deepcopy(template["properties"][key]) for key in keys if key in template["properties"]}
        part["properties"] = {**inherited, **part["properties"]}
        return part


def _scale(objects: list[dict], axis: str, factor: float) -> None:
    """Stretch ``objects`` along ``axis`` about their centre (x, z) or the ground (y). Fixed-size parts
    (wheels, handles; legs across) only move, keeping the face nearest the centre where the stretch puts it."""
    if not objects:
        return
    index = {"x": 0, "y": 2, "z": 4}[axis]
    spans = [faces(obj)[index:index + 2] for obj in objects]
    low, high = min(span[0] for span in spans), max(span[1] for span in spans)
    centre = low if axis == "y" else (low + high) / 2
    middle_x = (min(faces(obj)[0] for obj in objects) + max(faces(obj)[1] for obj in objects)) / 2
    for obj, (start, end) in zip(objects, spans, strict=True):
        role = obj["properties"].get("role")
        x0, x1, y0, y1, z0, z1 = faces(obj)
        if role in ROUND and axis == "y":
            # The face towards the middle stays, so a motorcycle's wheels grow away from its frame.
            width = (x1 - x0) * factor
            span = (x0, x0 + width) if x0 > middle_x else (x1 - width, x1) if x1 < middle_x else (
                (x0 + x1 - width) / 2, (x0 + x1 + width) / 2)
            reshape(obj, x=span, y=(y0 * factor, y1 * factor), z=(z0, z1))
            continue
        if not (role in FIXED_SIZE or role in ROUND or (role in FIXED_FOOTPRINT and axis != "y")):
            start, end = centre + (start - centre) * factor, centre + (end - centre) * factor
        else:
            if axis != "y" and not start < centre < end:
                anchor = start if abs(start - centre) < abs(end - centre) else end
            else:
                anchor = start if axis == "y" else (start + end) / 2
            shift = centre + (anchor - centre) * factor - anchor
            start, end = start + shift, end + shift
        spans_now = {"x": (x0, x1), "y": (y0, y1), "z": (z0, z1)}
        spans_now[axis] = (start, end)
        reshape(obj, **spans_now)


def _extent(objects: list[dict], axis: str) -> float:
    index = {"x": 0, "y": 2, "z": 4}[axis]
    spans = [faces(obj)[index:index + 2] for obj in objects]
    if axis == "y":
        return max(s[1] for s in spans)
    return max(s[1] for s in spans) - min(s[0] for s in spans)


def _units(targets: list[dict], role: str, objects: list[dict]) -> list[list[dict]]:
    """What "remove two ..." counts: chair groups, building levels with their windows, or single objects."""
    if role == "chairs":
        groups: dict[str, list[dict]] = {}
        for obj in targets:
            groups.setdefault(obj["properties"].get("group", obj["id"]), []).append(obj)
        return list(groups.values())
    if role == "floors":
        levels = sorted({obj["properties"].get("level", 0) for obj in targets})
        return [buildings.level_parts(objects, level) for level in levels]
    return [[obj] for obj in targets]


def _count(tokens: list[str]) -> int | None:
    for token in tokens:
        if token.isdigit():
            return int(token)
        if token in NUMBER_WORDS:
            return NUMBER_WORDS[token]
        if token in ("a", "an", "another"):
            return 1
    return None


def _ids(objects: list[dict]) -> str:
    ids = [str(obj["id"]) for obj in objects]
    if len(ids) > 6:  # keep notes readable: "obj_006 ... obj_041, 36 objects"
        return f"{ids[0]} ... {ids[-1]}, {len(ids)} objects"
    return ", ".join(ids)

