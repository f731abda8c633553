"""The session hub: one main action per step, and a finalized plan never sends the agent back to photos."""

import re

import pytest

from floorplans import services
from floorplans.models import FloorplanSession
from tests.floorplans.factories import RoomFactory
from tests.floorplans.test_pages import hub, merged

pytestmark = pytest.mark.django_db

STEPS = ["starting-corner", "room-type", "footprint", "merge", "finalize"]


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def left_on_a_room_page(session, room, **fields):
    """The agent's last action was on ``room``'s page (a photo, an analysis)."""
    FloorplanSession.objects.filter(pk=session.pk).update(current_step="capture", current_room_index=room.index,
                                                          **fields)


def primary_actions(page: str) -> list[str]:
    """The labels of the page's main buttons and button links, below the site's own header."""
    content = page.split('aria-label="Breadcrumb"', 1)[1]
    labels = re.findall(r"<(button|a)\b[^>]*class=\"[^\"]*\bprimary\b[^\"]*\"[^>]*>(.*?)</\1>", content, re.S)
    return [re.sub(r"<[^>]+>", "", label).strip() for _, label in labels]


def test_an_unfinished_session_offers_to_continue_with_the_room_left_open(signed_in, session):
    room = RoomFactory(session=session)
    left_on_a_room_page(session, room)

    page = signed_in.get(hub(session)).content.decode()

    assert "Continue where you left off" in page and "data-resume" in page


def test_a_finalized_session_does_not_offer_to_continue_taking_photos(signed_in, session):
    room = RoomFactory(session=session)
    left_on_a_room_page(session, room, is_finalized=True)

    page = signed_in.get(hub(session)).content.decode()

    assert "Continue where you left off" not in page and "data-resume" not in page
    assert "Finalized" in page
    assert "Final plan ready" in signed_in.get("/floorplans/").content.decode()


@pytest.mark.parametrize("step", STEPS)
def test_each_step_offers_one_main_action(signed_in, session, step):
    first, _ = merged(session)
    services.set_house_bounds(session, bounds={"width": 29, "height": 18, "shape": "rectangle"})
    left_on_a_room_page(session, first)

    page = signed_in.get(hub(session), {"step": step}).content.decode()

    assert len(primary_actions(page)) == 1, primary_actions(page)


def test_a_finalized_plans_main_action_is_its_download(signed_in, session):
    merged(session)
    services.set_house_bounds(session, bounds={"width": 29, "height": 18, "shape": "rectangle"})
    assert signed_in.post(f"{hub(session)}finalize").status_code == 302

    page = signed_in.get(hub(session), {"step": "finalize"}).content.decode()

    assert primary_actions(page) == ["Download PDF"]
    assert "Finalize again" in page
