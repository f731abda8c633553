"""Server-rendered SVG line charts for the analytics page: coordinates only, the template draws them.

Only figures read from the platforms (``MetricSample`` rows) are plotted; a
series with no points is an empty state, never a flat line of zeros.
"""

import math
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 32


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    title: str
    points: list[tuple[date, int]]
    polyline: str
    dots: list[tuple[float, float, str]]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: int = HEIGHT - BOTTOM
    right_x: int = WIDTH - RIGHT

    @property
    def summary(self) -> str:
        """What a screen reader hears instead of the drawing."""
        first, last = self.points[0], self.points[-1]
        return (f"{self.title}: {len(self.points)} day{'s' if len(self.points) != 1 else ''} from "
                f"{first[0]:%d %b %Y} ({first[1]:,}) to {last[0]:%d %b %Y} ({last[1]:,}).")


def _nice_ceiling(value: int) -> int:
    """A round top for the y axis (1, 2 or 5 times a power of ten) at or above ``value``."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)


def line_chart(title: str, points: list[tuple[date, int]]) -> Chart | None:
    """Coordinates for a daily series; ``None`` when there is nothing measured to draw."""
    if not points:
        return None
    top = _nice_ceiling(max(value for _, value in points))
    span_x = WIDTH - LEFT - RIGHT
    span_y = HEIGHT - TOP - BOTTOM
    first_day = points[0][0]
    days = max(1, (points[-1][0] - first_day).days)

    def x(day: date) -> float:
        return round(LEFT + span_x * ((day - first_day).days / days if len(points) > 1 else 0.5), 1)

    def y(value: int) -> float:
        return round(TOP + span_y * (1 - value / top), 1)

    coordinates = [(x(day), y(value), f"{day:%d %b}: {value:,}") for day, value in points]
    y_ticks = [Tick(y(top * i // 4), f"{top * i // 4:,}") for i in range(5)]
    step = max(1, len(points) // 5)
    x_ticks = [Tick(x(day), f"{day:%d %b}") for day, _ in points[::step]]
    return Chart(title=title, points=points, polyline=" ".join(f"{cx},{cy}" for cx, cy, _ in coordinates),
                 dots=coordinates, y_ticks=y_ticks, x_ticks=x_ticks)
