"""Exports of a session's plan: SVG, DXF, PDF and PNG at a true architectural scale; IFC for BIM tools."""

import logging

from django.conf import settings
from django.utils import timezone

from config.errors import ValidationFailed
from floorplans import plans
from floorplans.choices import PNG_DPI_DEFAULT, ExportFormat, ExportScale, Paper
from floorplans.errors import ExportFailed
from floorplans.export_dxf import export_dxf
from floorplans.export_ifc import export_ifc
from floorplans.export_pdf import export_pdf
from floorplans.models import FloorplanSession
from floorplans.render_png import render_png
from floorplans.render_svg import render_svg

logger = logging.getLogger("stagecraft.floorplans")

CONTENT_TYPES = {ExportFormat.SVG: "image/svg+xml", ExportFormat.DXF: "application/dxf",
                 ExportFormat.PDF: "application/pdf", ExportFormat.PNG: "image/png",
                 ExportFormat.IFC: "application/x-step"}


def export(session: FloorplanSession, export_format: str, *, scale: str = ExportScale.QUARTER,
           paper: str = Paper.LETTER, dpi: int = PNG_DPI_DEFAULT) -> bytes:
    """The plan (final when finalized, else merged) in ``export_format``; ``ExportFailed`` otherwise.

    ``scale`` and ``paper`` apply to the PDF; the SVG and DXF are drawn in feet; the PNG is
    the SVG's sheet at ``dpi`` (a ``dpi`` that would pass ``FLOORPLANS_PNG_MAX_PIXELS`` is a
    ``ValidationFailed``); the IFC is a metric IFC4 model with the ANSI areas as quantities.
    """
    plan = plans.final_plan(session)
    if not plan.rooms:
        raise ExportFailed("There is no plan to export yet: merge at least one room.")
    drawing = plans.drawing_of(session, plan)
    try:
        if export_format == ExportFormat.SVG:
            return render_svg(drawing).encode()
        if export_format == ExportFormat.DXF:
            return export_dxf(drawing)
        if export_format == ExportFormat.IFC:
            return export_ifc(plan, plans.area_report(session, plan).rows, name=session.address)
        if export_format == ExportFormat.PNG:
            return render_png(drawing, dpi=dpi, max_pixels=settings.FLOORPLANS_PNG_MAX_PIXELS)
        report = plans.area_report(session, plan)
        return export_pdf(drawing, scale=scale, paper=paper, address=session.address, date=timezone.localdate(),
                          area_table=report.table(), area_totals=report.summary()[:2],
                          declaration=report.declaration)
    except (ExportFailed, ValidationFailed):
        raise
    except Exception:
        logger.exception("Export %s of session %s failed", export_format, session.pk)
        raise ExportFailed(f"The {export_format.upper()} export could not be generated.") from None
