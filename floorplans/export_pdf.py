"""Export a ``Drawing`` as a PDF sheet at a true architectural scale, with reportlab.

Sheet 1 is the plan at exactly the chosen scale (at 1/4" = 1'-0" a 12 ft wall
is 3 inches long on paper), centred in the drawing area above a title block
(address, date, scale, sheet size, north arrow, graphic scale, notes and the
disclaimer). It is never shrunk to fit: a plan that does not fit raises
``SheetTooSmall`` and the API answers EXPORT_FAILED.

With an area table or a declaration, the following sheets carry an ANSI
Z765 area calculation table and the declaration under the same title block.
Pens are the layer lineweights in millimetres converted to points; the plan
is black on white only.
"""

import datetime
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from floorplans.choices import ExportScale, Paper
from floorplans.drawing import LINEWEIGHTS_MM, Arc, Dimension, Drawing, Item, Line, Point, Polygon, Text
from floorplans.sheets import (
    CAP_HEIGHT_EM,
    MARGIN_IN,
    NOTE_LINE_IN,
    TITLE_BLOCK_IN,
    SheetLayout,
    dimension_geometry,
    fit_sheet,
    get_paper,
    get_scale,
    north_arrow,
    plan_extent,
    scale_bar,
    text_baseline,
)

PT_PER_IN = 72.0
FONT, BOLD = "Helvetica", "Helvetica-Bold"
TICK_WEIGHT = 2.0
BORDER_MM, RULE_MM, SYMBOL_MM = 0.50, 0.18, 0.25
BORDER_INSET_IN = 0.15  # the sheet border sits this far outside the drawing area

# Title block cells, in inches.
TOP_ROW_IN = 0.95
NORTH_CELL_IN = 0.95
SCALE_CELL_IN = 3.3
PAD_IN = 0.1
ARROW_RADIUS_IN = 0.22
BAR_MAX_IN = 2.5
BAR_HEIGHT_IN = 0.08
ANSI_STANDARD = "ANSI Z765-2021"
_NUMBER = re.compile(r"-?[\d,]+(\.\d+)?")


def export_pdf(
    drawing: Drawing,
    *,
    scale: str = ExportScale.QUARTER,
    paper: str = Paper.LETTER,
    address: str = "",
    date: datetime.date | None = None,
    area_table: Sequence[Sequence[str]] | None = None,
    area_totals: Sequence[str] = (),
    declaration: str = "",
) -> bytes:
    """The plan as PDF bytes: sheet 1 the plan at true scale, then the area sheets if any.

    ``scale`` is an ``ExportScale`` and ``paper`` a ``Paper`` (floorplans.choices);
    the orientation is chosen to fit. ``date`` defaults to today.

    ``area_table`` is the calculation as text cells, header row first (what
    ``floorplans.areas.AreaReport.table()`` returns); ``area_totals`` are the
    total lines printed under it (``AreaReport.summary()[:2]``) and
    ``declaration`` the measurer's statement. The renderer prints them as
    given: the ANSI Z765 rules and rounding live in ``floorplans.areas``.
    Raises ``SheetTooSmall`` (a ValueError) when the plan does not fit the
    sheet at that scale, and ValueError for an unknown scale or paper.
    """
    sheet_scale = get_scale(scale)
    extent = plan_extent(drawing, feet_per_inch=sheet_scale.feet_per_inch)
    notes = [f"{n}. {note}" for n, note in enumerate(drawing.notes, start=1)]
    # Wrap notes for the narrowest sheet width so the title block is never too short.
    narrow_in = get_paper(paper).short_in - 2 * MARGIN_IN - 2 * PAD_IN
    note_lines = sum(len(simpleSplit(note, FONT, 7, narrow_in * PT_PER_IN)) for note in notes)
    layout = fit_sheet(
        paper, scale, extent.width, extent.height, title_block_in=TITLE_BLOCK_IN + NOTE_LINE_IN * note_lines
    )
    table = [[str(cell) for cell in row] for row in area_table or ()]
    sheet = _Sheet(
        drawing=drawing,
        layout=layout,
        extent_center=extent.center,
        address=address,
        date_text=(date or datetime.date.today()).isoformat(),
        notes=notes,
    )

    def build(total_pages: int) -> tuple[bytes, int]:
        sheet.total_pages = total_pages
        buffer = io.BytesIO()
        doc = _document(buffer, sheet)
        story: list[Flowable] = [Spacer(0, 0)]
        if table or area_totals or declaration:
            area = _area_story(table, area_totals, declaration, doc.width)
            story += [NextPageTemplate("area"), PageBreak(), *area]
        doc.build(story)
        return buffer.getvalue(), doc.page

    data, pages = build(0)
    if pages > 1:
        # Second pass so every title block can say "SHEET n OF N".
        data, _ = build(pages)
    return data


@dataclass
class _Sheet:
    drawing: Drawing
    layout: SheetLayout
    extent_center: Point
    address: str
    date_text: str
    notes: list[str]
    total_pages: int = 0

    def plan_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        _setup(canvas)
        _border(canvas, self.layout)
        _draw_plan(canvas, self.drawing, self.layout, self.extent_center)
        _title_block(canvas, self, page=doc.page, plan=True)

    def area_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        _setup(canvas)
        _border(canvas, self.layout)
        _title_block(canvas, self, page=doc.page, plan=False)


def _document(buffer: io.BytesIO, sheet: _Sheet) -> BaseDocTemplate:
    layout = sheet.layout
    area = layout.plan_area
    doc = BaseDocTemplate(
        buffer,
        pagesize=(layout.width_in * PT_PER_IN, layout.height_in * PT_PER_IN),
        leftMargin=area.x * PT_PER_IN,
        rightMargin=(layout.width_in - area.x - area.width) * PT_PER_IN,
        topMargin=(layout.height_in - area.y - area.height) * PT_PER_IN,
        bottomMargin=area.y * PT_PER_IN,
        title=sheet.drawing.title or "Floor plan",
        author="StageCraft",
        subject=sheet.address,
        creator="StageCraft",
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, 0, 0, 0, 0, id="body")
    doc.addPageTemplates(
        [
            PageTemplate(id="plan", frames=[frame], onPage=sheet.plan_page),
            PageTemplate(id="area", frames=[frame], onPage=sheet.area_page),
        ]
    )
    return doc


def _setup(canvas: Canvas) -> None:
    canvas.setStrokeGray(0)
    canvas.setFillGray(0)
    canvas.setLineCap(0)
    canvas.setLineJoin(0)


def _pen(mm: float) -> float:
    """A pen width in millimetres, in points."""
    return mm / 25.4 * PT_PER_IN


def _border(canvas: Canvas, layout: SheetLayout) -> None:
    inset = MARGIN_IN - BORDER_INSET_IN
    canvas.setLineWidth(_pen(BORDER_MM))
    canvas.rect(
        inset * PT_PER_IN,
        inset * PT_PER_IN,
        (layout.width_in - 2 * inset) * PT_PER_IN,
        (layout.height_in - 2 * inset) * PT_PER_IN,
    )


# -- The plan ---------------------------------------------------------------------------


def _draw_plan(canvas: Canvas, drawing: Drawing, layout: SheetLayout, extent_center: Point) -> None:
    per_ft = layout.scale.points_per_foot
    cx, cy = layout.plan_area.center
    ex, ey = extent_center

    def pt(p: Point) -> Point:
        return (cx * PT_PER_IN + (p[0] - ex) * per_ft, cy * PT_PER_IN + (p[1] - ey) * per_ft)

    # Poché first so door leaves and glazing lines stay visible over it.
    for item in sorted(drawing.items, key=lambda item: not isinstance(item, Polygon)):
        _draw_item(canvas, item, pt, per_ft, layout.scale.feet_per_inch)


def _draw_item(canvas: Canvas, item: Item, pt: Callable[[Point], Point], per_ft: float, feet_per_inch: float) -> None:
    width = _pen(LINEWEIGHTS_MM.get(item.layer, 0.18))
    canvas.setLineWidth(width)
    if isinstance(item, Polygon):
        path = canvas.beginPath()
        path.moveTo(*pt(item.points[0]))
        for point in item.points[1:]:
            path.lineTo(*pt(point))
        path.close()
        # Poché is fill only: a stroke would make walls half a pen longer than drawn.
        canvas.drawPath(path, stroke=0 if item.filled else 1, fill=1 if item.filled else 0)
    elif isinstance(item, Line):
        canvas.line(*pt(item.start), *pt(item.end))
    elif isinstance(item, Arc):
        x, y = pt(item.center)
        r = item.radius * per_ft
        span = (item.end_angle - item.start_angle) % 360 or 360
        canvas.arc(x - r, y - r, x + r, y + r, item.start_angle, span)
    elif isinstance(item, Text):
        _centred_text(canvas, pt(item.position), item.text, item.height * per_ft, item.rotation)
    elif isinstance(item, Dimension):
        geo = dimension_geometry(item, feet_per_inch=feet_per_inch)
        for start, end in geo.lines:
            canvas.line(*pt(start), *pt(end))
        canvas.setLineWidth(width * TICK_WEIGHT)
        for start, end in geo.ticks:
            canvas.line(*pt(start), *pt(end))
        canvas.setLineWidth(width)
        _centred_text(canvas, pt(geo.text_position), item.text, geo.text_height * per_ft, geo.text_rotation)


def _centred_text(
    canvas: Canvas, position: Point, text: str, cap_height_pt: float, rotation: float = 0.0, *, font: str = FONT
) -> None:
    x, y = text_baseline(position, cap_height_pt, rotation)
    canvas.saveState()
    canvas.translate(x, y)
    if rotation:
        canvas.rotate(rotation)
    canvas.setFont(font, cap_height_pt / CAP_HEIGHT_EM)
    canvas.drawCentredString(0, 0, text)
    canvas.restoreState()


# -- The title block --------------------------------------------------------------------


def _title_block(canvas: Canvas, sheet: _Sheet, *, page: int, plan: bool) -> None:
    box = sheet.layout.title_block
    x, y, w, h = (v * PT_PER_IN for v in (box.x, box.y, box.width, box.height))
    top_h, pad = TOP_ROW_IN * PT_PER_IN, PAD_IN * PT_PER_IN
    north_w, scale_w = NORTH_CELL_IN * PT_PER_IN, SCALE_CELL_IN * PT_PER_IN
    info_w = w - north_w - scale_w
    row = y + h - top_h

    canvas.setLineWidth(_pen(BORDER_MM))
    canvas.rect(x, y, w, h)
    canvas.setLineWidth(_pen(RULE_MM))
    canvas.line(x, row, x + w, row)
    canvas.line(x + info_w, row, x + info_w, y + h)
    if plan:
        canvas.line(x + info_w + north_w, row, x + info_w + north_w, y + h)

    drawing = sheet.drawing
    lines = [(BOLD, 11, drawing.title or "FLOOR PLAN"), (FONT, 8, drawing.subtitle)]
    lines += [(FONT, 9, part) for part in simpleSplit(sheet.address, FONT, 9, info_w - 2 * pad)[:2]]
    _left_lines(canvas, x + pad, y + h - pad, [line for line in lines if line[2]])

    if plan:
        _north_arrow(canvas, (x + info_w + north_w / 2, row + top_h / 2 - 4), drawing.north_angle)
        _scale_cell(canvas, sheet.layout, x + info_w + north_w + pad, row, y + h, pad)
    else:
        cell_x = x + info_w + (north_w + scale_w) / 2
        _centred_text(canvas, (cell_x, row + top_h * 0.6), "AREA CALCULATION", 8, font=BOLD)
        _centred_text(canvas, (cell_x, row + top_h * 0.3), ANSI_STANDARD, 6)

    of = f" OF {sheet.total_pages}" if sheet.total_pages else ""
    facts = f"DATE: {sheet.date_text}     PAPER: {sheet.layout.label}     SHEET {page}{of}"
    bottom = [(FONT, 8, facts)]
    for note in sheet.notes:
        bottom += [(FONT, 7, part) for part in simpleSplit(note, FONT, 7, w - 2 * pad)]
    _left_lines(canvas, x + pad, row - pad * 0.8, bottom)
    canvas.setFont(BOLD, 7.5)
    canvas.drawString(x + pad, y + pad, drawing.disclaimer)


def _left_lines(canvas: Canvas, x: float, top: float, lines: list[tuple[str, float, str]]) -> None:
    """Left-aligned lines going down from ``top``, each (font, size, text)."""
    for font, size, text in lines:
        top -= size
        canvas.setFont(font, size)
        canvas.drawString(x, top, text)
        top -= size * 0.35


def _north_arrow(canvas: Canvas, center: Point, north_angle: float) -> None:
    arrow = north_arrow(north_angle)
    cx, cy = center
    r = ARROW_RADIUS_IN * PT_PER_IN
    canvas.setLineWidth(_pen(SYMBOL_MM))
    canvas.circle(cx, cy, r, stroke=1, fill=0)
    for points, filled in ((arrow.outline, False), (arrow.filled, True)):
        path = canvas.beginPath()
        path.moveTo(cx + points[0][0] * r, cy + points[0][1] * r)
        for px, py in points[1:]:
            path.lineTo(cx + px * r, cy + py * r)
        path.close()
        canvas.setFillGray(0 if filled else 1)
        canvas.drawPath(path, stroke=1, fill=1)
    canvas.setFillGray(0)
    lx, ly = arrow.label_position
    _centred_text(canvas, (cx + lx * r, cy + ly * r), "N", 7, font=BOLD)


def _scale_cell(canvas: Canvas, layout: SheetLayout, x: float, bottom: float, top: float, pad: float) -> None:
    """Graphic scale at true scale, labelled, with the scale reference under it."""
    sheet_scale = layout.scale
    bar = scale_bar(feet_per_inch=sheet_scale.feet_per_inch, max_length_in=BAR_MAX_IN)
    per_ft = sheet_scale.points_per_foot
    half = BAR_HEIGHT_IN * PT_PER_IN / 2
    bar_y = top - pad - 8 - half
    canvas.setLineWidth(_pen(RULE_MM))
    for start, end, filled in bar.segments:
        canvas.setFillGray(0 if filled else 1)
        canvas.rect(x + start * per_ft, bar_y - half, (end - start) * per_ft, 2 * half, stroke=1, fill=1)
    canvas.setFillGray(0)
    for mark, label in zip(bar.marks, bar.labels, strict=True):
        _centred_text(canvas, (x + mark * per_ft, bar_y - half - 8), label, 5)
    canvas.setFont(FONT, 5 / CAP_HEIGHT_EM)
    canvas.drawString(x + bar.length * per_ft + 8, bar_y - half - 10.5, "FEET")
    canvas.setFont(BOLD, 9)
    canvas.drawString(x, bottom + pad, f"SCALE: {sheet_scale.reference}")


# -- The area calculation ------------------------------------------------------------------


def _area_story(table: list[list[str]], totals: Sequence[str], declaration: str, width: float) -> list[Flowable]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=8, leading=10)
    head = ParagraphStyle("head", parent=body, fontName=BOLD)
    number = ParagraphStyle("number", parent=body, alignment=TA_RIGHT)
    total = ParagraphStyle("total", parent=body, fontName=BOLD, fontSize=9, leading=12)
    title = ParagraphStyle("title", fontName=BOLD, fontSize=11, leading=14, spaceAfter=6)

    story: list[Flowable] = [Paragraph(f"AREA CALCULATION ({ANSI_STANDARD})", title)]
    if table:
        header, rows = table[0], table[1:]
        columns = len(header)
        numeric = [
            bool(rows) and all(_NUMBER.fullmatch(row[c]) for row in rows if c < len(row)) for c in range(columns)
        ]

        def cell(row: list[str], c: int) -> Paragraph:
            text = row[c] if c < len(row) else ""
            return Paragraph(escape(text), number if numeric[c] else body)

        head_right = ParagraphStyle("head_right", parent=head, alignment=TA_RIGHT)
        data = [[Paragraph(escape(text), head_right if numeric[c] else head) for c, text in enumerate(header)]]
        data += [[cell(row, c) for c in range(columns)] for row in rows]
        # Share the width by how much each column has to say, within limits, so reasons get room.
        weights = [min(max((len(row[c]) for row in table if c < len(row)), default=4), 40) + 4 for c in range(columns)]
        widths = [width * w / sum(weights) for w in weights]
        grid = Table(data, colWidths=widths, repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), _pen(RULE_MM), (0, 0, 0)),
                    ("LINEBELOW", (0, 0), (-1, 0), _pen(BORDER_MM), (0, 0, 0)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [grid, Spacer(0, 8)]
    story += [Paragraph(escape(line), total) for line in totals if line]
    if totals:
        story.append(Spacer(0, 8))
    for part in (p.strip() for p in declaration.split("\n\n")):
        if part:
            story += [Paragraph(escape(part).replace("\n", "<br/>"), body), Spacer(0, 6)]
    return story
