"""The hub's "Import a RoomPlan scan": upload, the outline preview, accept; refusals shown on the hub."""

import html
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from floorplans.choices import AnalysisSource
from tests.floorplans.factories import FloorplanSessionFactory
from tests.floorplans.roomplan_scans import captured_room, walls_around

pytestmark = pytest.mark.django_db

L_SHAPE = [(0.0, 0.0), (5.0, 0.0), (5.0, 2.0), (2.0, 2.0), (2.0, 4.0), (0.0, 4.0)]
ANGLED = [(0.0, 0.0), (4.0, 0.0), (4.0, 2.0), (3.0, 3.0), (0.0, 3.0)]
CROSSED = [(0.0, 0.0), (4.0, 0.0), (0.0, 3.0), (4.0, 3.0)]


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def _upload(data: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile("room.json", json.dumps(data).encode(), content_type="application/json")


def _preview(client, session, data: dict):
    return client.post(f"/floorplans/{session.pk}/scans/preview",
                       {"type": "living_room", "label": "", "file": _upload(data)})


def test_the_rooms_step_offers_the_scan_import(signed_in, session):
    page = signed_in.get(f"/floorplans/{session.pk}/?step=room-type").content.decode()
    assert "Import a RoomPlan scan" in page and f'action="/floorplans/{session.pk}/scans/preview"' in page


def test_a_scan_is_previewed_as_its_outline_and_figures_then_accepted(signed_in, session):
    preview = _preview(signed_in, session, captured_room(walls_around(L_SHAPE)))
    assert preview.status_code == 200 and not session.rooms.exists()  # nothing stored before Accept
    page = preview.content.decode()
    (points,) = re.findall(r'<polygon points="([^"]+)"', page)
    assert len(points.split()) == 6  # the L's six corners, not a box
    assert "L-shape" in page and "150.7 sq ft" in page and "16.4 \u00d7 13.1 ft" in page
    scan = re.search(r'name="scan" value="([^"]+)"', page).group(1)
    accepted = signed_in.post(f"/floorplans/{session.pk}/scans",
                              {"type": "living_room", "label": "", "scan": html.unescape(scan)})
    assert accepted.status_code == 302
    room = session.rooms.get()
    assert (room.label, room.analysis_source, room.analysis["shape"]) == ("Living Room#1", AnalysisSource.LIDAR,
                                                                          "L-shape")


def test_an_angled_wall_is_previewed_as_the_real_polygon(signed_in, session):
    page = _preview(signed_in, session, captured_room(walls_around(ANGLED))).content.decode()
    (points,) = re.findall(r'<polygon points="([^"]+)"', page)
    corners = [tuple(float(v) for v in point.split(",")) for point in points.split()]
    assert len(corners) == 5  # the cut corner's slanted wall, not a box
    area = abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(corners, [*corners[1:], corners[0]],
                                                                     strict=True))) / 2
    assert area == pytest.approx(11.5 * 3.28084**2, rel=0.01)
    assert "polygon" in page and "123.8 sq ft" in page and not session.rooms.exists()


def test_an_accepted_polygon_room_says_on_its_page_that_it_keeps_its_outline(signed_in, session):
    page = _preview(signed_in, session, captured_room(walls_around(ANGLED))).content.decode()
    scan = html.unescape(re.search(r'name="scan" value="([^"]+)"', page).group(1))
    signed_in.post(f"/floorplans/{session.pk}/scans", {"type": "bedroom", "label": "", "scan": scan})
    assert "kept as its scanned outline (5 walls)" in _room_page(signed_in, session.rooms.get())
    square = FloorplanSessionFactory(owner=session.owner)
    signed_in.post(f"/floorplans/{square.pk}/scans",
                   {"type": "bedroom", "label": "", "scan": json.dumps(captured_room(walls_around(L_SHAPE)))})
    assert "scanned outline" not in _room_page(signed_in, square.rooms.get())


def _room_page(client, room) -> str:
    return client.get(reverse("floorplans:room", kwargs={"session_id": room.session_id, "room_id": room.pk})
                      ).content.decode()


def test_walls_that_cross_are_shown_on_the_hub_and_nothing_is_made(signed_in, session):
    response = _preview(signed_in, session, captured_room(walls_around(CROSSED)))
    assert response.status_code == 200 and "walls[2]" in response.content.decode()
    assert "Import a RoomPlan scan" in response.content.decode() and not session.rooms.exists()


def test_a_tampered_accept_is_checked_again(signed_in, session):
    crossed = json.dumps(captured_room(walls_around(CROSSED)))
    response = signed_in.post(f"/floorplans/{session.pk}/scans", {"type": "bedroom", "label": "", "scan": crossed},
                              follow=True)
    assert "The scan was not imported" in response.content.decode() and not session.rooms.exists()


def test_another_users_session_is_not_found(signed_in, other_user):
    stranger = FloorplanSessionFactory(owner=other_user)
    assert _preview(signed_in, stranger, captured_room(walls_around(L_SHAPE))).status_code == 404


def test_a_structure_is_previewed_room_by_room_and_accepted_as_the_merged_plan(signed_in, session):
    second = captured_room(walls_around([(0.0, 0.0), (2.0, 0.0), (2.0, 3.0), (0.0, 3.0)], rotate_deg=90.0,
                                        offset=(4.15, 2.0)))
    structure = {"rooms": [captured_room(walls_around([(0.0, 0.0), (4.0, 0.0), (4.0, 3.0), (0.0, 3.0)])), second]}
    page = _preview(signed_in, session, structure).content.decode()
    assert len(re.findall(r"<polygon ", page)) == 2 and "they become the merged plan" in page
    scan = html.unescape(re.search(r'name="scan" value="([^"]+)"', page).group(1))
    signed_in.post(f"/floorplans/{session.pk}/scans", {"type": "bedroom", "label": "", "scan": scan})
    session.refresh_from_db()
    assert len(session.room_positions) == 2 and session.merged_plan_svg.startswith("<svg")


def test_the_admin_shows_and_filters_scanned_rooms_by_source(client, staff, session):
    client.force_login(staff)
    page = _preview(client, FloorplanSessionFactory(owner=staff), captured_room(walls_around(L_SHAPE)))
    scan = html.unescape(re.search(r'name="scan" value="([^"]+)"', page.content.decode()).group(1))
    client.post(f"/floorplans/{page.context['session'].pk}/scans", {"type": "bedroom", "label": "", "scan": scan})
    scanned = client.get("/admin/floorplans/room/", {"analysis_source__exact": "lidar"}).content.decode()
    by_hand = client.get("/admin/floorplans/room/", {"analysis_source__exact": "manual"}).content.decode()
    assert "Bedroom#1" in scanned and "Bedroom#1" not in by_hand
    # The filter lists the source on both pages; the room's row adds it once more.
    assert scanned.count("LiDAR scan (RoomPlan)") == by_hand.count("LiDAR scan (RoomPlan)") + 1
