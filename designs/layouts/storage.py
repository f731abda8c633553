"""Storage furniture: a carcass of panels with shelves inside and doors or drawer fronts on it.

The carcass is five panels (two sides, top, bottom, back) rather than one box,
so the shelves inside it do not overlap a solid object. Doors and drawer
fronts hang in front of the carcass.
"""

import itertools
from collections.abc import Callable
from typing import Any

from designs.layouts.parts import (
    MAIN,
    Layout,
    block,
    extents,
    faces,
    is_locked,
    material_of,
    pair_up,
    reshape,
    spread,
)
from designs.parsing import PromptFacts

PANEL = 0.018  # 18 mm board
BAND = 0.2  # height of the drawer band above doors
FRONTS = ("shelves", "doors", "drawers")  # the parts relayout_storage spaces out

# (words, noun, (width, height, depth), doors, drawers)
_KINDS = (
    (("bookshelf", "bookcase", "shelving", "shelves", "shelf"), "bookshelf", (0.8, 1.8, 0.3), 0, 0),
    (("wardrobe", "closet", "armoire"), "wardrobe", (1.0, 2.0, 0.6), 2, 0),
    (("sideboard", "credenza", "buffet"), "sideboard", (1.6, 0.8, 0.45), 3, 0),
    (("dresser", "drawers", "chest"), "chest of drawers", (0.9, 1.0, 0.5), 0, 4),
    (("cupboard", "cabinet", "storage"), "cabinet", (0.8, 0.9, 0.45), 2, 0),
)


def storage(facts: PromptFacts) -> Layout:
    """A bookshelf, wardrobe, sideboard, chest of drawers or cabinet, sized and counted by the prompt."""
    noun, default, doors, drawers = next(((noun, size, doors, drawers) for words, noun, size, doors, drawers in _KINDS
                                          if facts.has(*words)), ("cabinet", (0.8, 0.9, 0.45), 2, 0))
    width, height, depth = extents(facts, default, lengthwise=False, principal="y")
    doors = facts.count("doors") if facts.count("doors") is not None else doors
    drawers = facts.count("drawers") if facts.count("drawers") is not None else drawers
    shelves = facts.count("shelves") or max(1, round((height - 2 * PANEL) / 0.35) - 1)
    if drawers and not doors:
        shelves = 0  # a chest of drawers is all drawers
    main = facts.material or "wood"
    carcass = material_of(facts, "carcass", main)
    half_w, half_d = width / 2, depth / 2
    inner = (-half_w + PANEL, half_w - PANEL)
    parts = [
        block("side_panel", carcass, "carcass", x=(-half_w, -half_w + PANEL), y=(0, height), z=(-half_d, half_d)),
        block("side_panel", carcass, "carcass", x=(half_w - PANEL, half_w), y=(0, height), z=(-half_d, half_d)),
        block("bottom_panel", carcass, "carcass", x=inner, y=(0, PANEL), z=(-half_d, half_d)),
        block("top_panel", carcass, "carcass", x=inner, y=(height - PANEL, height), z=(-half_d, half_d)),
        block("back_panel", carcass, "carcass", x=inner, y=(PANEL, height - PANEL), z=(-half_d, -half_d + PANEL)),
    ]
    parts.extend(part("shelves", material_of(facts, "shelves", carcass)) for _ in range(shelves))
    parts.extend(part("doors", material_of(facts, "doors", main)) for _ in range(doors))
    parts.extend(part("drawers", material_of(facts, "drawers", main)) for _ in range(drawers))
    relayout_storage(parts)
    return Layout(noun, parts, main)


def part(role: str, material: str) -> dict:
    """A shelf, door or drawer front (``role`` in ``FRONTS``) for ``relayout_storage`` to place."""
    kind = {"shelves": "shelf", "doors": "door", "drawers": "drawer_front"}[role]
    return block(kind, material, role, x=(0, 1), y=(0, PANEL), z=(0, PANEL))


def relayout_storage(objects: list[dict]) -> None:
    """Shelves evenly spaced inside the carcass; doors side by side and drawers stacked on its front."""
    panels = [faces(obj) for obj in objects if _is(obj, "carcass")]
    if not panels:
        return
    x0, x1 = min(f[0] for f in panels), max(f[1] for f in panels)
    height, z0, z1 = max(f[3] for f in panels), min(f[4] for f in panels), max(f[5] for f in panels)
    bottom = next((faces(obj)[3] for obj in objects if obj["type"] == "bottom_panel"), 0.0)
    top = next((faces(obj)[2] for obj in objects if obj["type"] == "top_panel"), height)
    back = next((faces(obj)[5] for obj in objects if obj["type"] == "back_panel"), z0)
    sides = sorted(faces(obj)[1] - faces(obj)[0] for obj in objects if obj["type"] == "side_panel") or [0.0]
    inner = (x0 + sides[0], x1 - sides[-1])
    shelves = _parts(objects, "shelves")
    step = (top - bottom) / (len(shelves) + 1)
    levels = [bottom + step * index for index in range(1, len(shelves) + 1)]
    for shelf, level in _pairs(shelves, levels, _mid_y):
        low = level - shelf["dimensions"]["height"] / 2
        reshape(shelf, x=inner, y=(low, low + shelf["dimensions"]["height"]), z=(back, z1))
    doors, drawers = _parts(objects, "doors"), _parts(objects, "drawers")
    band = min(BAND, height / 4) if doors and drawers else height
    for door, (left, right) in _pairs(doors, _columns(len(doors), x0, x1), _x):
        reshape(door, x=(left, right), y=(0, height - band if drawers else height), z=_front(door, z1))
    if doors:
        for drawer, (left, right) in _pairs(drawers, _columns(len(drawers), x0, x1), _x):
            reshape(drawer, x=(left, right), y=(height - band, height), z=_front(drawer, z1))
    else:
        rows = _columns(len(drawers), 0, height)
        for drawer, (low, high) in _pairs(drawers, rows, _mid_y):
            reshape(drawer, x=(x0, x1), y=(low, high), z=_front(drawer, z1))


def _columns(count: int, start: float, end: float) -> list[tuple[float, float]]:
    edges = spread(count + 1, start, end) if count else []
    return list(itertools.pairwise(edges))


def _front(obj: dict, face: float) -> tuple[float, float]:
    return face, face + min(obj["dimensions"]["depth"], 0.03)


def _parts(objects: list[dict], role: str) -> list[dict]:
    return [obj for obj in objects if _is(obj, role)]


def _pairs(objects: list[dict], slots: list, where: Callable[[dict], float]) -> list[tuple[dict, Any]]:
    """Objects with their slots (levels or (low, high) spans) along one axis; ``where`` is an
    object's position on that axis."""
    def middle(slot: float | tuple[float, float]) -> tuple[float]:
        return ((slot[0] + slot[1]) / 2,) if isinstance(slot, tuple) else (slot,)

    return pair_up(objects, slots, here=lambda obj: (where(obj),), there=middle, locked=is_locked)


def _mid_y(obj: dict) -> float:
    return obj["position"]["y"] + obj["dimensions"]["height"] / 2


def _x(obj: dict) -> float:
    return obj["position"]["x"]


def _is(obj: dict, role: str) -> bool:
    return obj["properties"].get("role") == role and obj["properties"].get("group", MAIN) == MAIN
