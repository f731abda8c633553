"""Render a ``Drawing`` as a black-and-white PNG raster, with Pillow.

The PNG is the SVG sheet rasterised by hand from the same ``Drawing`` and the
same legend layout (``sheets.legend_layout``), not a screenshot of a page: the
plan at the scale it would be printed at (``sheets.preferred_scale``), so at
``dpi`` pixels per paper inch a 12 ft wall at 1/4" = 1'-0" is 3 x dpi pixels
long. White background, lineweights are the layer pens, the legend carries
the north arrow, the graduated scale bar and the disclaimer.
"""

import io
import math

from PIL import Image, ImageDraw, ImageFont

from config.errors import ValidationFailed
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

BLACK, WHITE = 0, 255
TICK_WEIGHT = 2.0
SYMBOL_MM = 0.25
BAR_MM = 0.18


def render_png(drawing: Drawing, *, dpi: int, max_pixels: int) -> bytes:
    """The drawing as PNG bytes at ``dpi`` pixels per inch of the printed sheet.

    Raises ``ValidationFailed`` (naming ``dpi``) when the image would pass
    ``max_pixels``, so a large plan at a high dpi cannot exhaust memory.
    """
    feet_per_inch = SCALES[preferred_scale(drawing)].feet_per_inch
    legend = legend_layout(drawing, feet_per_inch=feet_per_inch)
    box = legend.bounds
    scale = dpi / feet_per_inch  # pixels per plan foot
    width, height = max(1, round(box.width * scale)), max(1, round(box.height * scale))
    if width * height > max_pixels:
        raise ValidationFailed(
            f"At {dpi} dpi this plan would be {width} x {height} pixels, over the limit of {max_pixels}; lower dpi.",
            details={"field": "dpi"},
        )
    painter = _Painter(Image.new("L", (width, height), WHITE), origin=(box.x, box.y + box.height),
                       scale=scale, dpi=dpi)
    painter.plan(drawing, feet_per_inch)
    painter.legend(legend, drawing.north_angle)
    out = io.BytesIO()
    painter.image.save(out, format="PNG", dpi=(dpi, dpi), optimize=True)
    return out.getvalue()


class _Painter:
    """Draws plan-foot geometry (y up) on a Pillow image (y down)."""

    def __init__(self, image: Image.Image, *, origin: Point, scale: float, dpi: int) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.left, self.top = origin
        self.scale = scale
        self.dpi = dpi

    def px(self, point: Point) -> tuple[float, float]:
        x, y = point
        return (x - self.left) * self.scale, (self.top - y) * self.scale

    def pen(self, mm: float) -> int:
        """A pen width in mm on paper, in pixels (never thinner than one)."""
        return max(1, round(mm / 25.4 * self.dpi))

    def plan(self, drawing: Drawing, feet_per_inch: float) -> None:
        # Poché first so door leaves and glazing lines stay visible over it (as in the SVG).
        for item in sorted(drawing.items, key=lambda item: not isinstance(item, Polygon)):
            self._item(item, self.pen(LINEWEIGHTS_MM.get(item.layer, 0.18)), feet_per_inch)

    def _item(self, item: Item, width: int, feet_per_inch: float) -> None:
        if isinstance(item, Polygon):
            points = [self.px(p) for p in item.points]
            if item.filled:
                self.draw.polygon(points, fill=BLACK)
            else:
                self.draw.polygon(points, outline=BLACK, width=width)
        elif isinstance(item, Line):
            self.draw.line([self.px(item.start), self.px(item.end)], fill=BLACK, width=width)
        elif isinstance(item, Arc):
            self._arc(item, width)
        elif isinstance(item, Text):
            self.text(item.position, item.text, item.height, item.rotation)
        elif isinstance(item, Dimension):
            geo = dimension_geometry(item, feet_per_inch=feet_per_inch)
            for start, end in geo.lines:
                self.draw.line([self.px(start), self.px(end)], fill=BLACK, width=width)
            for start, end in geo.ticks:
                self.draw.line([self.px(start), self.px(end)], fill=BLACK, width=round(width * TICK_WEIGHT))
            self.text(geo.text_position, item.text, geo.text_height, geo.text_rotation)

    def _arc(self, arc: Arc, width: int) -> None:
        cx, cy = self.px(arc.center)
        r = arc.radius * self.scale
        span = (arc.end_angle - arc.start_angle) % 360 or 360
        # Pillow measures clockwise on screen; counter-clockwise in the drawing is the negated angle.
        start = -(arc.start_angle + span)
        self.draw.arc([cx - r, cy - r, cx + r, cy + r], start, start + span, fill=BLACK, width=width)

    def legend(self, legend: Legend, north_angle: float) -> None:
        for line in legend.texts:
            self.left_text(line.position, line.text, line.height, bold=line.bold)
        self._north_arrow(legend, north_angle)
        self._scale_bar(legend)

    def _north_arrow(self, legend: Legend, north_angle: float) -> None:
        arrow = north_arrow(north_angle)
        (cx, cy), radius = legend.arrow_center, legend.arrow_radius
        width = self.pen(SYMBOL_MM)

        def place(points: tuple[Point, ...]) -> list[tuple[float, float]]:
            return [self.px((cx + x * radius, cy + y * radius)) for x, y in points]

        x, y = self.px((cx, cy))
        r = radius * self.scale
        self.draw.ellipse([x - r, y - r, x + r, y + r], outline=BLACK, width=width)
        self.draw.polygon(place(arrow.outline), fill=WHITE, outline=BLACK, width=width)
        self.draw.polygon(place(arrow.filled), fill=BLACK)
        lx, ly = arrow.label_position
        self.text((cx + lx * radius, cy + ly * radius), "N", legend.arrow_label_height, bold=True)

    def _scale_bar(self, legend: Legend) -> None:
        x0, yc = legend.bar_origin
        half = legend.bar_height / 2
        width = self.pen(BAR_MM)
        for start, end, filled in legend.bar.segments:
            corners = [self.px((x0 + start, yc + half)), self.px((x0 + end, yc - half))]
            self.draw.rectangle(corners, fill=BLACK if filled else WHITE, outline=BLACK, width=width)
        for position, label in legend.bar_labels:
            self.text(position, label, legend.label_height)

    def _font(self, height: float) -> ImageFont.FreeTypeFont:
        """Pillow's bundled font sized so its cap height is ``height`` feet (no system font needed)."""
        return ImageFont.load_default(size=max(1.0, height / CAP_HEIGHT_EM * self.scale))

    def text(self, position: Point, text: str, height: float, rotation: float = 0.0, *, bold: bool = False) -> None:
        """Text centred on ``position``, ``rotation`` degrees counter-clockwise."""
        font = self._font(height)
        stroke = 1 if bold else 0
        if not rotation:
            self.draw.text(self.px(text_baseline(position, height, 0.0)), text, font=font, fill=BLACK,
                           anchor="ms", stroke_width=stroke, stroke_fill=BLACK)
            return
        left, top, right, bottom = font.getbbox(text, anchor="mm", stroke_width=stroke)
        label = Image.new("L", (math.ceil(right - left) + 2, math.ceil(bottom - top) + 2), 0)
        ImageDraw.Draw(label).text((label.width / 2, label.height / 2), text, font=font, fill=255, anchor="mm",
                                   stroke_width=stroke, stroke_fill=255)
        turned = label.rotate(rotation, expand=True, resample=Image.Resampling.BICUBIC)
        x, y = self.px(position)
        self.image.paste(BLACK, (round(x - turned.width / 2), round(y - turned.height / 2)), mask=turned)

    def left_text(self, position: Point, text: str, height: float, *, bold: bool = False) -> None:
        """Left-aligned text with its baseline starting at ``position``."""
        stroke = 1 if bold else 0
        self.draw.text(self.px(position), text, font=self._font(height), fill=BLACK, anchor="ls",
                       stroke_width=stroke, stroke_fill=BLACK)
