"""Render a ``Drawing`` as a standalone, black-and-white SVG.

The SVG's user unit is one plan foot, so coordinates read as feet; y is
flipped (SVG grows down, the drawing grows north) by negating it here rather
than with a ``scale(1,-1)`` transform, which would mirror the text. Text,
ticks and the legend are sized for the scale the plan would be printed at
(``sheets.preferred_scale``) so the image reads like the printed sheet, and
lineweights are the layer pen widths at that scale.

The same function draws the final plan and the small per-room review images.
"""

import math
from xml.sax.saxutils import escape, quoteattr

from floorplans.drawing import LINEWEIGHTS_MM, Arc, Dimension, Drawing, Item, Line, Point, Polygon, Text
from floorplans.sheets import (
    CAP_HEIGHT_EM,
    SCALES,
    Legend,
    dimension_geometry,
    legend_layout,
    north_arrow,
    preferred_scale,
    text_baseline,
)

BLACK, WHITE = "#000", "#fff"
FONT = "Helvetica, Arial, sans-serif"
TICK_WEIGHT = 2.0  # ticks are drawn heavier than the dimension line, as drafters do
SYMBOL_MM = 0.25  # pen for the north arrow
BAR_MM = 0.18  # pen for the scale bar outline


def render_svg(drawing: Drawing, *, width_px: int | None = None) -> str:
    """The drawing as an SVG document string.

    Without ``width_px`` the SVG has only a viewBox and scales to its
    container; with it, ``width``/``height`` are set in pixels keeping the
    aspect ratio. Draws the plan, then a legend under it: title, north arrow,
    graduated scale bar, notes and the disclaimer. Draws only what is in
    ``drawing`` (so never furniture), in black on white.
    """
    writer = _SvgWriter(SCALES[preferred_scale(drawing)].feet_per_inch)
    writer.plan(drawing)
    legend = legend_layout(drawing, feet_per_inch=writer.paper)
    writer.legend(legend, drawing.north_angle)
    return writer.document(legend, width_px=width_px, label=drawing.title or "Floor plan")


class _SvgWriter:
    """Collects SVG elements in plan feet; ``paper`` is one inch of paper, in feet."""

    def __init__(self, feet_per_inch: float) -> None:
        self.paper = feet_per_inch
        self.parts: list[str] = []

    def plan(self, drawing: Drawing) -> None:
        self.parts.append('<g class="plan">')
        # Poché first so door leaves and glazing lines stay visible over it.
        ordered = sorted(drawing.items, key=lambda item: not isinstance(item, Polygon))
        for layer in dict.fromkeys(item.layer for item in ordered):
            weight = self._weight(LINEWEIGHTS_MM.get(layer, 0.18))
            self.parts.append(f'<g class="layer" data-layer={quoteattr(layer)} stroke-width="{_n(weight)}">')
            for item in ordered:
                if item.layer == layer:
                    self._item(item, weight)
            self.parts.append("</g>")
        self.parts.append("</g>")

    def _item(self, item: Item, weight: float) -> None:
        if isinstance(item, Polygon):
            # Poché is fill only: a stroke would make walls half a pen wider than drawn.
            paint = f'fill="{BLACK}" stroke="none"' if item.filled else 'fill="none"'
            self.parts.append(f'<polygon points="{_points(item.points)}" {paint}/>')
        elif isinstance(item, Line):
            self._line(item.start, item.end)
        elif isinstance(item, Arc):
            self.parts.append(_arc(item))
        elif isinstance(item, Text):
            self._text(item.position, item.text, item.height, item.rotation)
        elif isinstance(item, Dimension):
            geo = dimension_geometry(item, feet_per_inch=self.paper)
            for start, end in geo.lines:
                self._line(start, end)
            for start, end in geo.ticks:
                self._line(start, end, width=weight * TICK_WEIGHT)
            self._text(geo.text_position, item.text, geo.text_height, geo.text_rotation)

    def legend(self, legend: Legend, north_angle: float) -> None:
        self.parts.append('<g class="legend">')
        for kind in ("title", "subtitle", "note", "disclaimer"):
            lines = [line for line in legend.texts if line.kind == kind]
            if lines:
                self.parts.append(f'<g class="{kind}">')
                for line in lines:
                    self._left_text(line.position, line.text, line.height, bold=line.bold)
                self.parts.append("</g>")
        self._north_arrow(legend, north_angle)
        self._scale_bar(legend)
        self.parts.append("</g>")

    def _north_arrow(self, legend: Legend, north_angle: float) -> None:
        arrow = north_arrow(north_angle)
        (cx, cy), radius = legend.arrow_center, legend.arrow_radius

        def place(points: tuple[Point, ...]) -> str:
            return _points(tuple((cx + x * radius, cy + y * radius) for x, y in points))

        self.parts.append(f'<g class="north-arrow" stroke-width="{_n(self._weight(SYMBOL_MM))}">')
        self.parts.append(f'<circle cx="{_n(cx)}" cy="{_n(-cy)}" r="{_n(radius)}" fill="none"/>')
        self.parts.append(f'<polygon points="{place(arrow.outline)}" fill="{WHITE}"/>')
        self.parts.append(f'<polygon points="{place(arrow.filled)}" fill="{BLACK}"/>')
        lx, ly = arrow.label_position
        self._text((cx + lx * radius, cy + ly * radius), "N", legend.arrow_label_height, bold=True)
        self.parts.append("</g>")

    def _scale_bar(self, legend: Legend) -> None:
        x0, yc = legend.bar_origin
        half = legend.bar_height / 2
        self.parts.append(f'<g class="scale-bar" stroke-width="{_n(self._weight(BAR_MM))}">')
        for start, end, filled in legend.bar.segments:
            self.parts.append(
                f'<rect x="{_n(x0 + start)}" y="{_n(-(yc + half))}" width="{_n(end - start)}"'
                f' height="{_n(2 * half)}" fill="{BLACK if filled else WHITE}"/>'
            )
        for position, label in legend.bar_labels:
            self._text(position, label, legend.label_height)
        self.parts.append("</g>")

    def _line(self, start: Point, end: Point, *, width: float | None = None) -> None:
        stroke = f' stroke-width="{_n(width)}"' if width is not None else ""
        (x1, y1), (x2, y2) = start, end
        self.parts.append(f'<line x1="{_n(x1)}" y1="{_n(-y1)}" x2="{_n(x2)}" y2="{_n(-y2)}"{stroke}/>')

    def _text(self, position: Point, text: str, height: float, rotation: float = 0.0, *, bold: bool = False) -> None:
        """Text centred on ``position``; ``height`` is the cap height in feet."""
        x, y = text_baseline(position, height, rotation)
        turn = f' transform="rotate({_n(-rotation)} {_n(x)} {_n(-y)})"' if rotation else ""
        self.parts.append(
            f'<text x="{_n(x)}" y="{_n(-y)}"{_font(height, bold)} text-anchor="middle"{turn}>{escape(text)}</text>'
        )

    def _left_text(self, position: Point, text: str, height: float, *, bold: bool = False) -> None:
        x, y = position
        self.parts.append(f'<text x="{_n(x)}" y="{_n(-y)}"{_font(height, bold)}>{escape(text)}</text>')

    def _weight(self, mm: float) -> float:
        """A pen width in mm on paper, as feet in this SVG."""
        return mm / 25.4 * self.paper

    def document(self, legend: Legend, *, width_px: int | None, label: str) -> str:
        box = legend.bounds
        size = ""
        if width_px is not None:
            size = f' width="{int(width_px)}" height="{max(1, round(width_px * box.height / box.width))}"'
        top = box.y + box.height
        view = f"{_n(box.x)} {_n(-top)} {_n(box.width)} {_n(box.height)}"
        return "\n".join(
            [
                f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="{view}"{size}'
                f' role="img" aria-label={quoteattr(label)}>',
                f'<rect x="{_n(box.x)}" y="{_n(-top)}" width="{_n(box.width)}" height="{_n(box.height)}"'
                f' fill="{WHITE}"/>',
                f'<g fill="none" stroke="{BLACK}" stroke-linecap="butt" stroke-linejoin="miter"'
                f" font-family={quoteattr(FONT)}>",
                *self.parts,
                "</g>",
                "</svg>",
                "",
            ]
        )


def _arc(arc: Arc) -> str:
    cx, cy = arc.center
    span = (arc.end_angle - arc.start_angle) % 360
    if span == 0:
        return f'<circle cx="{_n(cx)}" cy="{_n(-cy)}" r="{_n(arc.radius)}" fill="none"/>'
    start, end = math.radians(arc.start_angle), math.radians(arc.start_angle + span)
    x1, y1 = cx + arc.radius * math.cos(start), cy + arc.radius * math.sin(start)
    x2, y2 = cx + arc.radius * math.cos(end), cy + arc.radius * math.sin(end)
    large = 1 if span > 180 else 0
    r = _n(arc.radius)
    # Counter-clockwise in the drawing is still counter-clockwise on screen after the flip: sweep-flag 0.
    return f'<path d="M {_n(x1)} {_n(-y1)} A {r} {r} 0 {large} 0 {_n(x2)} {_n(-y2)}"/>'


def _font(height: float, bold: bool) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return f' fill="{BLACK}" stroke="none" font-size="{_n(height / CAP_HEIGHT_EM)}"{weight}'


def _points(points: tuple[Point, ...]) -> str:
    return " ".join(f"{_n(x)},{_n(-y)}" for x, y in points)


def _n(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
