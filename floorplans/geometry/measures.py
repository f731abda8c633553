"""Units, tolerances and the checks every plan value passes (feet; see ``floorplans.geometry``)."""

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

WALLS = ("north", "east", "south", "west")
OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}
OPENING_TYPES = ("window", "door", "closet", "opening")
SHAPES = ("rectangle", "L-shape", "polygon")
NOTCH_CORNERS = ("NE", "NW", "SE", "SW")
CONNECTION_TYPES = ("door", "opening", "wall")

# A 2x4 stud wall with drywall is 4 1/2"; the 3/8 ft partition is its nominal
# drafting width. Exterior walls (2x6, sheathing, siding) are taken as 6".
EXTERIOR_WALL_FT = 0.5
INTERIOR_WALL_FT = 0.375
# Float noise: lengths closer than this are equal.
EPS = 1e-6

Point = tuple[float, float]


class Segment:
    """Length, direction and points along a wall from ``start`` to ``end`` with an ``outward`` unit normal:
    shared by the dataclasses that hold those (a polygon room's wall, a room face)."""

    start: Point
    end: Point
    outward: Point

    @property
    def length(self) -> float:
        return math.dist(self.start, self.end)

    @property
    def direction(self) -> Point:
        """The unit vector from ``start`` to ``end``."""
        return (self.end[0] - self.start[0]) / self.length, (self.end[1] - self.start[1]) / self.length

    def point_at(self, distance: float, out: float = 0.0) -> Point:
        """The point ``distance`` along the wall from ``start``, then ``out`` feet outward."""
        (dx, dy), (nx, ny) = self.direction, self.outward
        return self.start[0] + dx * distance + nx * out, self.start[1] + dy * distance + ny * out
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


def check_number(value: Any, what: str, *, positive: bool = False) -> float:
    """``value`` as a float of at most ``MAX_FEET``; ``GeometryError`` naming ``what`` otherwise."""
    # math.isfinite only for floats: it overflows on a huge int, which the bound below refuses.
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not math.isfinite(value)):
        raise GeometryError(f"{what} must be a number, not {value!r}")
    if abs(value) > MAX_FEET:
        raise GeometryError(f"{what} must be at most {MAX_FEET} ft")
    if positive and value <= 0:
        raise GeometryError(f"{what} must be more than 0 ft, not {value:g}")
    return float(value)


def check_choice(value: Any, choices: Iterable[str], what: str) -> str:
    """The option ``value`` names, matched without case or surrounding spaces; ``GeometryError`` otherwise."""
    options = tuple(choices)
    for option in options:
        if isinstance(value, str) and value.strip().lower() == option.lower():
            return option
    raise GeometryError(f"Unknown {what} {value!r}; expected one of {', '.join(options)}")

