"""An agent measures a house on a phone in real Chromium: two rooms by hand, footprint, merge, finalize, PDF.

No vision model is configured (the default), so nothing needs a worker: the
measurements are typed, and the sketch sent for re-analysis comes back with
the error the agent should see.
"""

import io
import re

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from floorplans.models import FloorplanSession, RoomPhoto
from tests.e2e.browser import chromium_page, screenshot
from tests.e2e.processes import asgi_server, process_env
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.processes, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)
HUB = re.compile(r"/floorplans/[0-9a-f-]{36}/(\?.*)?(#.*)?$")
ROOM = re.compile(r"/floorplans/[0-9a-f-]{36}/rooms/[0-9a-f-]{36}/(#.*)?$")


def big_photo(path):
    """A 1600 x 1200 phone photo, which the page shrinks to 1200 px before upload."""
    Image.new("RGB", (1600, 1200), (180, 170, 150)).save(path, "JPEG", quality=85)
    return path


def add_room(page, kind: str) -> None:
    page.get_by_label("Room type", exact=True).select_option(label=kind)
    page.get_by_role("button", name="Add room").click()
    page.wait_for_url(ROOM)


def measure(page, *, door_wall: str) -> None:
    """Width 12, depth 14, ceiling 8, and a door 5 ft along ``door_wall``."""
    form = page.locator("#measurements")
    form.get_by_label("Width, east-west (ft)").fill("12")
    form.get_by_label("Depth, north-south (ft)").fill("14")
    form.get_by_label("Ceiling height (ft)").fill("8")
    row = form.get_by_role("group", name="Opening 1")
    row.get_by_label("Wall").select_option(door_wall)
    row.get_by_label("Type").select_option("door")
    row.get_by_label("From the corner (ft)").fill("5")
    row.get_by_label("Width (ft)").fill("2.67")
    form.get_by_role("button", name="Save measurements").click()
    page.wait_for_url(re.compile(r"#drawing$"))
    page.locator("[data-room-plan] svg").wait_for()


def accept(page, label: str) -> None:
    page.get_by_role("button", name="Accept room").click()
    page.wait_for_url(HUB)
    page.get_by_text(f"{label} accepted.").wait_for()


def test_measure_two_rooms_merge_finalize_and_download_on_a_phone(monkeypatch, tmp_path):
    # Playwright's sync API keeps an event loop on this thread; the ORM calls
    # here are plain synchronous test code, not async views.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    user = UserFactory(email="surveyor@example.com")
    photo = big_photo(tmp_path / "north.jpg")

    with asgi_server(process_env()) as url, chromium_page(viewport=PHONE) as page:
        page.goto(f"{url}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{url}/dashboard/")

        # A session for the house; it opens at the starting corner. On a phone the navigation is a menu.
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Floor plans").click()
        page.get_by_label("Property address").fill("123 Main St, Oakland, CA 94601")
        page.get_by_role("button", name="Start session").click()
        page.wait_for_url(HUB)
        page.get_by_role("radio", name="South-west").check()
        page.get_by_role("button", name="Save and continue").click()
        page.get_by_role("heading", name="Rooms").wait_for()
        page.get_by_role("link", name="Floor plans", exact=True).last.click()
        assert page.locator("[data-sessions] li").count() == 1
        screenshot(page, "floorplans-01-sessions")
        page.get_by_role("link", name="123 Main St, Oakland, CA 94601").click()
        page.wait_for_url(HUB)

        # First room: a photo facing north (shrunk on the phone), then measurements by hand.
        add_room(page, "Bedroom")
        assert page.get_by_role("heading", name="Bedroom 1", level=1).is_visible()
        north = page.locator("#photo-north")
        north.get_by_label("Take the north photo").set_input_files(str(photo))
        north.get_by_text("Resized to 1200 px").wait_for()
        north.get_by_label("Heading (°)").fill("3.5")
        north.get_by_role("button", name="Save north photo").click()
        page.wait_for_url(re.compile(r"#photo-north$"))
        page.locator("#photo-north img").wait_for()
        saved = RoomPhoto.objects.get(room__label="Bedroom#1")
        assert (saved.direction, saved.compass_heading) == ("north", 3.5)
        with default_storage.open(saved.image.name) as stored:
            assert max(Image.open(io.BytesIO(stored.read())).size) == 1200

        measure(page, door_wall="east")
        # A sketch over the drawing goes with the corrections; without a model the page says why.
        page.get_by_role("button", name="Draw on plan").click()
        box = page.locator("[data-sketch-canvas]").bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5, steps=8)
        page.mouse.up()
        page.get_by_role("button", name="Stop drawing").click()
        screenshot(page, "floorplans-02-room")
        page.get_by_label("What is wrong?").fill("The closet on the south wall is missing")
        with page.expect_request(re.compile(r"/analyse$")) as sent:
            page.get_by_role("button", name="Send corrections to AI").click()
        assert "annotationImage=data%3Aimage%2Fpng%3Bbase64%2C" in sent.value.post_data
        error = page.locator("[data-analysis-error]")
        error.wait_for()
        assert "Missing photos: east, south, west." in error.inner_text()
        accept(page, "Bedroom 1")

        # Second room, east of the first, with the door on the shared wall.
        add_room(page, "Bedroom")
        assert page.get_by_role("heading", name="Bedroom 2", level=1).is_visible()
        measure(page, door_wall="west")
        accept(page, "Bedroom 2")
        rooms = page.locator("[data-rooms] > li")
        assert rooms.count() == 2 and rooms.filter(has_text="Accepted").count() == 2

        # Footprint by hand, then the merge (the form suggests Bedroom 2 east of Bedroom 1 by the door).
        page.get_by_role("link", name=re.compile("House footprint")).first.click()
        page.get_by_label("Width, east-west (ft)").fill("29")
        page.get_by_label("Depth, north-south (ft)").fill("18")
        page.get_by_label("Roof overhang (ft)").fill("1.5")
        page.get_by_role("button", name="Save footprint").click()
        page.get_by_role("heading", name="Merge rooms").wait_for()
        assert page.get_by_label("Room to place").input_value() == str(
            FloorplanSession.objects.get().rooms.get(label="Bedroom#2").pk)
        page.get_by_role("button", name="Merge", exact=True).click()
        page.locator("[data-merged-plan] svg").wait_for()
        assert page.get_by_text("Lined up the door centres").is_visible()
        screenshot(page, "floorplans-03-merged")

        page.get_by_role("link", name=re.compile("Final plan")).first.click()
        page.get_by_role("button", name="Finalize plan").click()
        page.locator("[data-final-plan] svg").wait_for()
        assert "1.02\N{MULTIPLICATION SIGN}" in page.locator("#final-result").inner_text()
        screenshot(page, "floorplans-04-final")

        with page.expect_response(re.compile(r"/export\?")) as answer, page.expect_download() as download:
            page.get_by_role("button", name="Download PDF").click()
        assert answer.value.status == 200
        assert answer.value.headers["content-type"] == "application/pdf"
        assert "format=pdf" in answer.value.url and "scale=quarter" in answer.value.url
        with open(download.value.path(), "rb") as pdf:
            assert pdf.read(4) == b"%PDF"
        assert download.value.suggested_filename.endswith("-floor-plan.pdf")
