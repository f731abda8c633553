"""Boxes as design objects, and the size rules every layout shares.

Conventions (seeds/002 objects): metres, y up, ``position`` is the centre of
the box's base, so an object spans x ± width/2, y .. y + height, z ± depth/2.
Layouts place boxes by their faces so that parts meant to touch share a face
exactly. Faces snap to a 0.2 mm grid: sizes and centres then round to the
4 decimals specs carry without opening gaps or overlaps between touching parts.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from designs.parsing import PromptFacts
from designs.vocabulary import METERS

GRID = 0.0002
MAIN = "main"

T = TypeVar("T")
S = TypeVar("S")


@dataclass(frozen=True)
class Layout:
    """A category's parts (objects without ids), the noun that names it and the main material."""

    noun: str
    parts: list[dict]
    material: str


def snap(value: float) -> float:
    """``value`` on the 0.2 mm grid, rounded to 4 decimals."""
    return round(round(value / GRID) * GRID, 4)


def block(kind: str, material: str, role: str, *, x: tuple[float, float], y: tuple[float, float],
          z: tuple[float, float], group: str = MAIN, solid: bool = True, **extra: object) -> dict:
    """An object spanning ``x``, ``y`` and ``z`` (each a (low, high) pair of faces)."""
    (x0, x1), (y0, y1), (z0, z1) = (_faces(*pair) for pair in (x, y, z))
    return {
        "id": "",
        "type": kind,
        "material": material,
        "position": {"x": round((x0 + x1) / 2, 4), "y": y0, "z": round((z0 + z1) / 2, 4)},
        "dimensions": {"width": round(x1 - x0, 4), "height": round(y1 - y0, 4), "depth": round(z1 - z0, 4),
                       "units": METERS},
        "editable": True,
        "properties": {"role": role, "group": group, "solid": solid, **extra},
    }


def box(kind: str, material: str, role: str, *, w: float, h: float, d: float, x: float = 0.0, y: float = 0.0,
        z: float = 0.0, **options: object) -> dict:
    """An object ``w`` wide, ``h`` high and ``d`` deep whose base centre is at (x, y, z)."""
    return block(kind, material, role, x=(x - w / 2, x + w / 2), y=(y, y + h), z=(z - d / 2, z + d / 2), **options)


def faces(obj: dict) -> tuple[float, float, float, float, float, float]:
    """(x0, x1, y0, y1, z0, z1) of a design object."""
    p, d = obj["position"], obj["dimensions"]
    return (p["x"] - d["width"] / 2, p["x"] + d["width"] / 2, p["y"], p["y"] + d["height"],
            p["z"] - d["depth"] / 2, p["z"] + d["depth"] / 2)


def reshape(obj: dict, *, x: tuple[float, float], y: tuple[float, float], z: tuple[float, float]) -> None:
    """Move and resize ``obj`` in place to span ``x``, ``y`` and ``z``; its id and properties stay."""
    fresh = block(obj["type"], obj["material"], "", x=x, y=y, z=z)
    obj["position"], obj["dimensions"] = fresh["position"], fresh["dimensions"]


def extents(facts: PromptFacts, default: tuple[float, float, float], *, lengthwise: bool,
            proportional: bool = False, principal: str = "x") -> tuple[float, float, float]:
    """The design's overall (x, y, z) size from the prompt's measures, else ``default`` scaled by the size word.

    ``lengthwise`` designs (tables, vehicles) are longer than they are wide, so a "wide" measure
    short for their length means z; otherwise, and for the rest (cabinets, buildings, devices),
    "wide" is the long front, x. A bare measure ("a 6 ft
    sofa") goes to the ``principal`` axis. ``proportional`` designs grow in every axis the prompt
    leaves open when one is given (a 12 m yacht is also wider than an 8 m one).
    """
    along, across, up = facts.length, facts.depth, facts.height
    base = tuple(value * facts.scale for value in default)
    if facts.width is not None:
        # "Wide" is the long side when nothing else is, unless the design is lengthwise and the
        # measure is short for its length: "a desk 140 cm wide" is its front, "a table 90 cm wide"
        # its breadth.
        short = lengthwise and facts.width < 0.75 * base[0]
        if along is not None or short:
            across = across if across is not None else facts.width
        else:
            along = facts.width
    if facts.size is not None:
        if principal == "y" and up is None:
            up = facts.size
        elif principal == "x" and along is None:
            along = facts.size
    given = (along, up, across)
    ratios = [value / start for value, start in zip(given, base, strict=True) if value is not None]
    stretch = math.prod(ratios) ** (1 / len(ratios)) if proportional and ratios else 1.0
    x, y, z = (value if value is not None else start * stretch for value, start in zip(given, base, strict=True))
    return x, y, z


def thickness(facts: PromptFacts, regular: float) -> float:
    """A member's thickness for the prompt's build: slim styles thinner, sturdy ones thicker."""
    return regular * {"slim": 0.7, "sturdy": 1.4}.get(facts.build, 1.0)


def material_of(facts: PromptFacts, role: str, default: str) -> str:
    """The material the prompt gives ``role`` ("steel legs"), else ``default``."""
    return facts.part_materials.get(role, default)


def spread(count: int, low: float, high: float) -> list[float]:
    """``count`` centres evenly spaced in [low, high], including both ends when count > 1."""
    if count == 1:
        return [(low + high) / 2]
    step = (high - low) / (count - 1)
    return [low + step * index for index in range(count)]


def is_locked(obj: dict) -> bool:
    """Whether an object is marked ``editable: false``: layouts never move it."""
    return obj.get("editable") is False


def pair_up(items: Sequence[T], slots: Sequence[S], *, here: Callable[[T], Sequence[float]],
            there: Callable[[S], Sequence[float]], locked: Callable[[T], bool]) -> list[tuple[T, S]]:
    """Movable ``items`` paired with ``slots`` in order, after each locked item has taken the slot
    nearest to where it stands (so nothing is laid out on top of it)."""
    free = list(slots)
    for item in (item for item in items if locked(item)):
        if free:
            free.remove(min(free, key=lambda slot: math.dist(there(slot), here(item))))
    return list(zip((item for item in items if not locked(item)), free, strict=False))


def _faces(low: float, high: float) -> tuple[float, float]:
    low, high = snap(min(low, high)), snap(max(low, high))
    return low, max(high, round(low + GRID, 4))
