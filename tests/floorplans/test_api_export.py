"""Exports: SVG, DXF, PDF, PNG and IFC of the plan, the scale, paper and dpi choices, EXPORT_FAILED."""

import io

import pytest
from PIL import Image

from floorplans import services
from floorplans.choices import ExportScale, Paper
from tests.floorplans.calls import error_of, session_url
from tests.floorplans.factories import MeasuredRoomFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(session):
    first, second = MeasuredRoomFactory(session=session), MeasuredRoomFactory(session=session, type="living_room")
    services.merge_room(session, new_room_id=second.pk, adjacent_room_id=first.pk, direction="east",
                        connection_type="door")
    return session


@pytest.mark.parametrize(("fmt", "content_type", "magic"), [("svg", "image/svg+xml", b"<svg"),
                                                            ("dxf", "application/dxf", b"SECTION"),
                                                            ("pdf", "application/pdf", b"%PDF"),
                                                            ("png", "image/png", b"\x89PNG"),
                                                            ("ifc", "application/x-step", b"ISO-10303-21")])
def test_exports_in_each_format(fp, merged, fmt, content_type, magic):
    response = fp.get(session_url(merged, "export", fmt) + "?scale=quarter&paper=letter")
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="floorplan-{merged.pk}.{fmt}"'
    assert magic in response.content[:200]


@pytest.mark.parametrize("scale", ExportScale.values)
@pytest.mark.parametrize("paper", Paper.values)
def test_every_documented_scale_and_paper_prints(fp, merged, scale, paper):
    response = fp.get(session_url(merged, "export", "pdf"), {"scale": scale, "paper": paper})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_export_before_any_merge_is_export_failed(fp, session):
    response = fp.get(session_url(session, "export", "pdf"))
    assert response.status_code == 500 and error_of(response)["code"] == "EXPORT_FAILED"


def test_an_unknown_export_format_scale_or_paper_is_refused(fp, merged):
    for query in ("export/tiff", "export/pdf?scale=half", "export/pdf?paper=a4"):
        response = fp.get(session_url(merged, *query.split("/")))
        assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("dpi", ["71", "601", "high"])
def test_a_png_dpi_out_of_range_is_refused_naming_dpi(fp, merged, dpi):
    response = fp.get(session_url(merged, "export", "png"), {"dpi": dpi})
    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"
    assert "dpi" in str(error_of(response)["details"])


def test_the_png_dpi_sets_the_image_size(fp, merged):
    sizes = {}
    for dpi in (75, 150):
        response = fp.get(session_url(merged, "export", "png"), {"dpi": dpi})
        assert response.status_code == 200
        sizes[dpi] = Image.open(io.BytesIO(response.content)).size
    assert abs(sizes[150][0] - 2 * sizes[75][0]) <= 2 and abs(sizes[150][1] - 2 * sizes[75][1]) <= 2


def test_a_png_over_the_pixel_limit_is_a_validation_error(fp, merged, settings):
    settings.FLOORPLANS_PNG_MAX_PIXELS = 10_000
    response = fp.get(session_url(merged, "export", "png"), {"dpi": 150})
    assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"
    assert error_of(response)["details"] == {"field": "dpi"}
