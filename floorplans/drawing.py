"""The vector drawing every floor plan export is made from.

``floorplans/layout.py`` turns a plan (rooms, openings, positions) into a
``Drawing``; the SVG, DXF and PDF renderers only draw what is in it, so the
three exports cannot disagree. Units are feet in the building's own
coordinates: x grows to the east, y grows to the NORTH (the architectural and
DXF convention; the SVG renderer flips it for the screen).

Layers follow the AIA/NCS CAD layer guidelines.
"""

from dataclasses import dataclass, field

WALL = "A-WALL"
DOOR = "A-DOOR"
GLAZING = "A-GLAZ"
ROOM_NAMES = "A-FLOR-IDEN"
DIMENSIONS = "A-ANNO-DIMS"
NOTES = "A-ANNO-NOTE"
LAYERS = (WALL, DOOR, GLAZING, ROOM_NAMES, DIMENSIONS, NOTES)

# Pen widths in millimetres on paper (standard architectural lineweights).
LINEWEIGHTS_MM = {WALL: 0.50, DOOR: 0.25, GLAZING: 0.25, ROOM_NAMES: 0.18, DIMENSIONS: 0.18, NOTES: 0.18}

DISCLAIMER = "Plan is approximate, verify actual conditions before use"

Point = tuple[float, float]


@dataclass(frozen=True)
class Polygon:
    """A closed outline; walls are drawn as filled polygons (cut walls, poché)."""

    layer: str
    points: tuple[Point, ...]
    filled: bool = True


@dataclass(frozen=True)
class Line:
    layer: str
    start: Point
    end: Point


@dataclass(frozen=True)
class Arc:
    """A circular arc, angles in degrees counter-clockwise from east (door swings)."""

    layer: str
    center: Point
    radius: float
    start_angle: float
    end_angle: float


@dataclass(frozen=True)
class Text:
    """Text centred on ``position``; ``height`` in feet at full size."""

    layer: str
    position: Point
    text: str
    height: float
    rotation: float = 0.0


@dataclass(frozen=True)
class Dimension:
    """A dimension string between two points, drawn ``offset`` feet to the left of start→end."""

    layer: str
    start: Point
    end: Point
    offset: float
    text: str


Item = Polygon | Line | Arc | Text | Dimension


@dataclass
class Drawing:
    """Everything one plan shows, plus what the sheet around it needs."""

    items: list[Item] = field(default_factory=list)
    title: str = ""
    subtitle: str = ""
    north_angle: float = 0.0  # degrees clockwise from the drawing's +y to true north
    disclaimer: str = DISCLAIMER
    notes: list[str] = field(default_factory=list)

    def add(self, item: Item) -> None:
        self.items.append(item)

    def on(self, layer: str) -> list[Item]:
        return [item for item in self.items if item.layer == layer]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min_x, min_y, max_x, max_y) of every point drawn, in feet."""
        xs, ys = [], []
        for item in self.items:
            for x, y in _points(item):
                xs.append(x)
                ys.append(y)
        if not xs:
            return 0.0, 0.0, 0.0, 0.0
        return min(xs), min(ys), max(xs), max(ys)


def _points(item: Item) -> list[Point]:
    if isinstance(item, Polygon):
        return list(item.points)
    if isinstance(item, Line | Dimension):
        return [item.start, item.end]
    if isinstance(item, Arc):
        x, y = item.center
        return [(x - item.radius, y - item.radius), (x + item.radius, y + item.radius)]
    return [item.position]
