"""Paper, scales and the annotation geometry every exported sheet shares.

A plan is printed at a true architectural scale (1/4" = 1'-0" is 1:48), so a
sheet either holds it or it does not: ``fit_sheet`` picks the orientation and
raises ``SheetTooSmall`` rather than shrinking the plan to an odd scale.

Dimension strings, the north arrow and the graphic scale bar are sized on
paper (a 3/32" text height is the same on every sheet), which makes their
extent in plan feet depend on the scale. Their geometry is computed here once,
so the SVG and PDF renderers draw the same strings and the fit check measures
what will actually be drawn; so is the legend the SVG and DXF put under the
plan (the PDF has a title block instead).
"""

import itertools
import math
from dataclasses import dataclass

from floorplans.choices import ExportScale, Paper
from floorplans.drawing import Dimension, Drawing, Point, Text
from floorplans.errors import ExportFailed

# Helvetica's capitals are 0.718 em tall; Text.height is the cap height, as in CAD.
CAP_HEIGHT_EM = 0.718
# Generous average advance per character, in cap heights, for extent estimates.
CHAR_WIDTH_CAPS = 0.8

# Annotation sizes on paper, in inches (US architectural drafting conventions).
DIM_TEXT_IN = 3 / 32
DIM_TEXT_GAP_IN = 1 / 32
DIM_EXTENSION_GAP_IN = 1 / 16  # gap between the object and the extension line
DIM_EXTENSION_BEYOND_IN = 1 / 8  # extension line past the dimension line
DIM_LINE_BEYOND_IN = 1 / 16  # dimension line past the extension lines
DIM_TICK_IN = 1 / 8  # full length of the 45° architectural tick

MARGIN_IN = 0.5
TITLE_BLOCK_IN = 1.45
TITLE_BLOCK_GAP_IN = 0.2
NOTE_LINE_IN = 0.13

SCALE_BAR_SERIES = ((0, 1, 2, 4), (0, 2, 4, 8), (0, 5, 10, 20), (0, 10, 20, 40), (0, 25, 50, 100))


class SheetTooSmall(ExportFailed, ValueError):
    """The plan does not fit the chosen paper at the chosen scale (EXPORT_FAILED to the API)."""


@dataclass(frozen=True)
class Scale:
    name: str
    ratio: int  # 1:ratio
    reference: str

    @property
    def feet_per_inch(self) -> float:
        """Plan feet shown by one inch of paper (4 at 1/4" = 1'-0")."""
        return self.ratio / 12

    @property
    def points_per_foot(self) -> float:
        """PDF points (1/72 in) per plan foot (18 at 1/4" = 1'-0")."""
        return 72 / self.feet_per_inch


@dataclass(frozen=True)
class PaperSize:
    name: str
    short_in: float
    long_in: float

    @property
    def label(self) -> str:
        return f'{self.name.upper()} {self.short_in:g}" x {self.long_in:g}"'

    @property
    def size(self) -> str:
        """The sheet size for people: 8.5 \N{MULTIPLICATION SIGN} 11 in."""
        return f"{self.short_in:g} \N{MULTIPLICATION SIGN} {self.long_in:g} in"


SCALES = {
    ExportScale.QUARTER: Scale(ExportScale.QUARTER, 48, '1/4" = 1\'-0"'),
    ExportScale.EIGHTH: Scale(ExportScale.EIGHTH, 96, '1/8" = 1\'-0"'),
}
PAPERS = {
    Paper.LETTER: PaperSize(Paper.LETTER, 8.5, 11.0),
    Paper.TABLOID: PaperSize(Paper.TABLOID, 11.0, 17.0),
}


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle, x/y of the lower-left corner (inches or feet)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> Point:
        return self.x + self.width / 2, self.y + self.height / 2


@dataclass(frozen=True)
class SheetLayout:
    """Where things go on one sheet, in inches from its lower-left corner."""

    paper: PaperSize
    scale: Scale
    orientation: str  # "landscape" or "portrait"
    width_in: float
    height_in: float
    plan_area: Rect
    title_block: Rect

    @property
    def label(self) -> str:
        return f"{self.paper.label} {self.orientation.upper()}"


def get_scale(scale: str) -> Scale:
    """The scale named ``quarter`` or ``eighth``; ValueError for anything else."""
    try:
        return SCALES[scale]
    except KeyError:
        raise ValueError(f"Unknown scale {scale!r}; expected one of {', '.join(SCALES)}") from None


def get_paper(paper: str) -> PaperSize:
    """The paper named ``letter`` or ``tabloid``; ValueError for anything else."""
    try:
        return PAPERS[paper]
    except KeyError:
        raise ValueError(f"Unknown paper {paper!r}; expected one of {', '.join(PAPERS)}") from None


def scale_reference(scale: str) -> str:
    """The scale as drafters write it: ``1/4" = 1'-0"``."""
    return get_scale(scale).reference


def fit_sheet(
    paper: str, scale: str, width_ft: float, height_ft: float, *, title_block_in: float = TITLE_BLOCK_IN
) -> SheetLayout:
    """Lay out a sheet that holds a ``width_ft`` x ``height_ft`` plan at true scale.

    The orientation whose drawing area matches the plan's shape is tried first,
    then the other. Raises ``SheetTooSmall`` (a ValueError) when neither holds
    the plan; the message says how much room was needed and what to change.
    """
    sheet_paper, sheet_scale = get_paper(paper), get_scale(scale)
    need_w, need_h = width_ft / sheet_scale.feet_per_inch, height_ft / sheet_scale.feet_per_inch
    wide_first = need_w >= need_h
    orientations = ("landscape", "portrait") if wide_first else ("portrait", "landscape")
    layouts = [_layout(sheet_paper, sheet_scale, o, title_block_in) for o in orientations]
    for layout in layouts:
        # A hair of tolerance so a plan that fits exactly is not refused over float noise.
        if need_w <= layout.plan_area.width + 1e-9 and need_h <= layout.plan_area.height + 1e-9:
            return layout
    best = layouts[0].plan_area
    advice = []
    if scale == ExportScale.QUARTER:
        advice.append(f"scale={ExportScale.EIGHTH}")
    if paper == Paper.LETTER:
        advice.append(f"paper={Paper.TABLOID}")
    hint = f" Try {' or '.join(advice)}." if advice else ""
    raise SheetTooSmall(
        f"The plan needs {need_w:.1f} x {need_h:.1f} in at {sheet_scale.reference}, more than the "
        f"{best.width:.1f} x {best.height:.1f} in drawing area of a {sheet_paper.name} sheet.{hint}"
    )


def _layout(paper: PaperSize, scale: Scale, orientation: str, title_block_in: float) -> SheetLayout:
    width, height = (paper.long_in, paper.short_in) if orientation == "landscape" else (paper.short_in, paper.long_in)
    inner_w = width - 2 * MARGIN_IN
    title_block = Rect(MARGIN_IN, MARGIN_IN, inner_w, title_block_in)
    plan_y = MARGIN_IN + title_block_in + TITLE_BLOCK_GAP_IN
    plan_area = Rect(MARGIN_IN, plan_y, inner_w, height - MARGIN_IN - plan_y)
    return SheetLayout(paper, scale, orientation, width, height, plan_area, title_block)


def preferred_scale(drawing: Drawing) -> str:
    """The scale the plan would be printed at: quarter if it fits tabloid, else eighth.

    The SVG and DXF size their annotations (text, ticks, north arrow) for this
    scale, so they read like the printed sheet.
    """
    for name in (ExportScale.QUARTER, ExportScale.EIGHTH):
        scale = SCALES[name]
        extent = plan_extent(drawing, feet_per_inch=scale.feet_per_inch)
        try:
            fit_sheet(Paper.TABLOID, name, extent.width, extent.height)
        except SheetTooSmall:
            continue
        return name
    return ExportScale.EIGHTH


# -- Annotation geometry ----------------------------------------------------------------


@dataclass(frozen=True)
class DimensionGeometry:
    """A dimension string resolved into strokes and a text placement, in plan feet."""

    lines: tuple[tuple[Point, Point], ...]  # dimension line and extension lines
    ticks: tuple[tuple[Point, Point], ...]
    text_position: Point  # centre of the text
    text_rotation: float  # degrees counter-clockwise, always reads from below or the right
    text_height: float


def dimension_geometry(dim: Dimension, *, feet_per_inch: float) -> DimensionGeometry:
    """Architectural dimension: extension lines, 45° ticks, text above the line."""
    (x1, y1), (x2, y2) = dim.start, dim.end
    length = math.hypot(x2 - x1, y2 - y1)
    if length == 0:
        return DimensionGeometry((), (), dim.start, 0.0, DIM_TEXT_IN * feet_per_inch)
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    nx, ny = -uy, ux  # left of start→end
    off = dim.offset
    side = 1.0 if off >= 0 else -1.0
    paper = feet_per_inch  # one paper inch, in plan feet

    a = (x1 + nx * off, y1 + ny * off)
    b = (x2 + nx * off, y2 + ny * off)
    beyond = DIM_LINE_BEYOND_IN * paper
    lines = [((a[0] - ux * beyond, a[1] - uy * beyond), (b[0] + ux * beyond, b[1] + uy * beyond))]
    if abs(off) > DIM_EXTENSION_GAP_IN * paper:
        near, far = DIM_EXTENSION_GAP_IN * paper * side, off + DIM_EXTENSION_BEYOND_IN * paper * side
        for px, py in (dim.start, dim.end):
            lines.append(((px + nx * near, py + ny * near), (px + nx * far, py + ny * far)))

    half_tick = DIM_TICK_IN * paper / 2 / math.sqrt(2)
    tx, ty = (ux + nx) * half_tick, (uy + ny) * half_tick
    ticks = tuple(((px - tx, py - ty), (px + tx, py + ty)) for px, py in (a, b))

    angle = math.degrees(math.atan2(uy, ux))
    reading = angle
    if reading > 90 + 1e-6:
        reading -= 180
    elif reading <= -90 + 1e-6:
        reading += 180
    # "Above" the line when read: the left normal of the reading direction.
    rx, ry = math.cos(math.radians(reading)), math.sin(math.radians(reading))
    height = DIM_TEXT_IN * paper
    lift = DIM_TEXT_GAP_IN * paper + height / 2
    mid = ((a[0] + b[0]) / 2 - ry * lift, (a[1] + b[1]) / 2 + rx * lift)
    return DimensionGeometry(tuple(lines), ticks, mid, reading, height)


def text_box(position: Point, text: str, height: float, rotation: float = 0.0) -> list[Point]:
    """Corners of the box a centred text roughly covers, for extents."""
    half_w = len(text) * height * CHAR_WIDTH_CAPS / 2
    half_h = height * 0.75
    cos_r, sin_r = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    x, y = position
    return [
        (x + dx * cos_r - dy * sin_r, y + dx * sin_r + dy * cos_r)
        for dx, dy in ((-half_w, -half_h), (half_w, -half_h), (half_w, half_h), (-half_w, half_h))
    ]


def plan_extent(drawing: Drawing, *, feet_per_inch: float) -> Rect:
    """Bounds of everything drawn for the plan, dimension strings and text included, in feet."""
    min_x, min_y, max_x, max_y = drawing.bounds
    xs, ys = [min_x, max_x], [min_y, max_y]
    for item in drawing.items:
        points: list[Point] = []
        if isinstance(item, Dimension):
            geo = dimension_geometry(item, feet_per_inch=feet_per_inch)
            points = [p for seg in geo.lines + geo.ticks for p in seg]
            points += text_box(geo.text_position, item.text, geo.text_height, geo.text_rotation)
        elif isinstance(item, Text):
            points = text_box(item.position, item.text, item.height, item.rotation)
        for x, y in points:
            xs.append(x)
            ys.append(y)
    return Rect(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def text_baseline(position: Point, height: float, rotation: float) -> Point:
    """Where to put the baseline centre so a text is centred on ``position`` (y up)."""
    dx, dy = 0.0, -height / 2
    cos_r, sin_r = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    return position[0] + dx * cos_r - dy * sin_r, position[1] + dx * sin_r + dy * cos_r


@dataclass(frozen=True)
class NorthArrow:
    """A north arrow of radius 1 around the origin (y up), pointing to true north."""

    filled: tuple[Point, ...]  # the west half of the arrowhead
    outline: tuple[Point, ...]  # the whole arrowhead
    label_position: Point  # centre of the "N"


def north_arrow(north_angle: float) -> NorthArrow:
    """The arrow rotated ``north_angle`` degrees clockwise from the drawing's +y."""
    theta = math.radians(-north_angle)
    cos_t, sin_t = math.cos(theta), math.sin(theta)

    def turn(points: tuple[Point, ...]) -> tuple[Point, ...]:
        return tuple((x * cos_t - y * sin_t, x * sin_t + y * cos_t) for x, y in points)

    tip, tail, left, right = (0.0, 0.8), (0.0, -0.55), (-0.42, -0.8), (0.42, -0.8)
    label = turn(((0.0, 1.45),))[0]
    return NorthArrow(filled=turn((tip, left, tail)), outline=turn((tip, left, tail, right)), label_position=label)


@dataclass(frozen=True)
class ScaleBar:
    """A graduated bar from x=0, in plan feet; ``segments`` alternate black and white."""

    marks: tuple[float, ...]
    segments: tuple[tuple[float, float, bool], ...]  # (from_ft, to_ft, filled)

    @property
    def length(self) -> float:
        return self.marks[-1]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(f"{mark:g}" for mark in self.marks)


def scale_bar(*, feet_per_inch: float, max_length_in: float) -> ScaleBar:
    """The longest graduated series (0-5-10-20 ft and the like) at most ``max_length_in`` on paper.

    The first interval is split in feet units so short lengths can be read off it.
    """
    limit_ft = max_length_in * feet_per_inch
    marks = SCALE_BAR_SERIES[0]
    for series in SCALE_BAR_SERIES:
        if series[-1] <= limit_ft:
            marks = series
    segments: list[tuple[float, float, bool]] = []
    first = float(marks[1])
    step = first / 5 if first == 5 else first / 2
    x, filled = 0.0, True
    while x < first - 1e-9:
        segments.append((x, x + step, filled))
        x, filled = x + step, not filled
    for start, end in itertools.pairwise(marks[1:]):
        segments.append((float(start), float(end), filled))
        filled = not filled
    return ScaleBar(tuple(float(m) for m in marks), tuple(segments))


# -- Legend under a plan (SVG and DXF; the PDF has a title block instead) ------------

LEGEND_MARGIN_IN = 0.25
LEGEND_GAP_IN = 0.3
LEGEND_TITLE_IN = 0.14
LEGEND_SUBTITLE_IN = 0.09
LEGEND_SMALL_IN = 0.07
ARROW_RADIUS_IN = 0.25
SCALE_BAR_MAX_IN = 2.0
SCALE_BAR_HEIGHT_IN = 0.08


@dataclass(frozen=True)
class LegendText:
    """One left-aligned line; ``position`` is the left end of its baseline."""

    kind: str  # "title", "subtitle", "note" or "disclaimer"
    position: Point
    text: str
    height: float
    bold: bool = False


@dataclass(frozen=True)
class Legend:
    """Where the legend's parts go, in plan feet (y up)."""

    texts: tuple[LegendText, ...]
    arrow_center: Point
    arrow_radius: float
    arrow_label_height: float  # of the "N"
    bar: ScaleBar
    bar_origin: Point  # left end of the bar, at its vertical centre
    bar_height: float
    bar_labels: tuple[tuple[Point, str], ...]  # centred labels, "FEET" last
    label_height: float  # of the bar labels
    bounds: Rect  # plan, annotations and legend, with a margin


def legend_layout(drawing: Drawing, *, feet_per_inch: float) -> Legend:
    """Title and subtitle, north arrow beside a scale bar, then notes and the disclaimer, under the plan."""
    u = feet_per_inch
    extent = plan_extent(drawing, feet_per_inch=u)
    x0, top = extent.x, extent.y - LEGEND_GAP_IN * u
    texts: list[LegendText] = []

    def add(kind: str, text: str, height_in: float, *, bold: bool = False, gap_in: float = 0.0) -> None:
        nonlocal top
        top -= gap_in * u
        height = height_in * u
        texts.append(LegendText(kind, (x0, top - height), text, height, bold))
        top -= height * 1.8

    if drawing.title:
        add("title", drawing.title, LEGEND_TITLE_IN, bold=True)
    if drawing.subtitle:
        add("subtitle", drawing.subtitle, LEGEND_SUBTITLE_IN)

    radius = ARROW_RADIUS_IN * u
    label_h = LEGEND_SMALL_IN * 1.4 * u
    center = (x0 + radius * 1.7, top - 0.05 * u - radius * 1.9)
    bar_x = center[0] + radius * 1.7 + 0.3 * u
    room_in = extent.width / u - (bar_x - x0) / u - 0.5
    bar = scale_bar(feet_per_inch=u, max_length_in=max(min(SCALE_BAR_MAX_IN, room_in), 1.0))
    bar_h = SCALE_BAR_HEIGHT_IN * u
    small = LEGEND_SMALL_IN * u
    label_y = center[1] - bar_h / 2 - small * 1.4
    labels = [((bar_x + mark, label_y), text) for mark, text in zip(bar.marks, bar.labels, strict=True)]
    feet_x = bar_x + bar.length + len("FEET") * small * CHAR_WIDTH_CAPS / 2 + 0.1 * u
    labels.append(((feet_x, label_y), "FEET"))
    top = center[1] - radius * 1.5

    for note in drawing.notes:
        add("note", note, LEGEND_SMALL_IN)
    if drawing.disclaimer:
        add("disclaimer", drawing.disclaimer, LEGEND_SMALL_IN, gap_in=0.04)

    right = max(
        [extent.x + extent.width, feet_x + 2 * small * CHAR_WIDTH_CAPS]
        + [t.position[0] + len(t.text) * t.height * CHAR_WIDTH_CAPS for t in texts]
    )
    margin = LEGEND_MARGIN_IN * u
    bottom = top + small * 1.8 - small * 0.5
    plan_top = extent.y + extent.height
    bounds = Rect(x0 - margin, bottom - margin, right - x0 + 2 * margin, plan_top - bottom + 2 * margin)
    return Legend(tuple(texts), center, radius, label_h, bar, (bar_x, center[1]), bar_h, tuple(labels), small, bounds)
