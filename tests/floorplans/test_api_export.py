"""Exports: SVG, DXF and PDF of the plan, the scale and paper choices, EXPORT_FAILED."""

import pytest

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
                                                            ("pdf", "application/pdf", b"%PDF")])
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
    for query in ("export/png", "export/pdf?scale=half", "export/pdf?paper=a4"):
        response = fp.get(session_url(merged, *query.split("/")))
        assert response.status_code == 400 and error_of(response)["code"] == "VALIDATION_ERROR"
