"""An agent stages a photo of an empty room in real Chromium, against the real server and worker.

The worker runs a tiny random-weight diffusers engine: the pages, the live
stream, the pipeline's steps and the files are all real; only the furniture
is noise. Random weights cannot keep a room's lines, so the integrity
threshold is 0 here (integrity has its own tests).
"""

import importlib
import re

import pytest

from staging.models import Staging
from tests.e2e.browser import chromium_page, screenshot
from tests.e2e.processes import asgi_server, process_env, qcluster
from tests.factories import PASSWORD, UserFactory
from tests.staging.drawings import draw_room

pytestmark = [pytest.mark.browser, pytest.mark.processes, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def seeded_styles(transactional_db):
    """Earlier transactional tests flush the styles the data migration seeded; seed them again."""
    from django.apps import apps

    importlib.import_module("staging.migrations.0002_default_styles_and_disclosure_profiles").seed(apps, None)

STAGING_PAGE = re.compile(r"/staging/[0-9a-f-]{36}/$")
DROP = """(zone, file) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([new Uint8Array(file.bytes)], file.name, { type: "image/jpeg" }));
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}"""


def test_stage_a_room_watch_it_live_compare_and_download(monkeypatch, tmp_path):
    # Playwright's sync API keeps an event loop on this thread; the ORM calls
    # here are plain synchronous test code, not async views.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from tests.tiny_diffusers import save_tiny_weights

    engine = save_tiny_weights(tmp_path / "weights")
    # The web process needs the engine settings too: the upload page refuses
    # work when no image engine is configured.
    # Random weights draw no room: the figures are switched off; they have their own tests.
    env = process_env(**engine, STAGING_INTEGRITY_THRESHOLD="0", STAGING_QUALITY_FLOOR="0",
                      STAGING_STANDARD_SHORT_EDGE="64", STAGING_STANDARD_STEPS="2",
                      STAGING_UPSCALE_STRENGTH="0")
    user = UserFactory(email="stager@example.com")
    room = tmp_path / "empty-living-room.jpg"
    draw_room().save(room, "JPEG", quality=90)

    with asgi_server(env) as url, qcluster(env), chromium_page() as page:
        page.goto(f"{url}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{url}/dashboard/")

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Staging").click()
        page.wait_for_url(f"{url}/staging/")
        assert page.locator("[data-unavailable]").count() == 0
        # Drop the photo on the drop area as a file manager would.
        page.locator("[data-dropzone]").evaluate(DROP, {"bytes": list(room.read_bytes()), "name": room.name})
        page.locator("[data-previews] img").wait_for()
        assert "1 photo chosen" in page.locator("[data-summary]").inner_text()
        assert page.locator("input[type=file][name=photos]").evaluate("input => input.files.length") == 1
        page.get_by_role("radio", name=re.compile(r"^Scandinavian Luxe")).check()
        page.get_by_role("radio", name=re.compile(r"^Standard")).check()
        page.get_by_label("Property name").fill("12 Harbour View")
        screenshot(page, "staging-01-upload")
        page.get_by_role("button", name="Stage photo").click()
        page.wait_for_url(STAGING_PAGE)

        # The first steps arrive over the WebSocket while the page stays open.
        page.locator('[data-step="validate"].is-completed').wait_for(timeout=60_000)
        screenshot(page, "staging-02-progress")

        # On completion the page reloads itself and shows the result.
        slider = page.get_by_role("slider", name="Before / after divider")
        slider.wait_for(timeout=180_000)
        assert page.locator(".compare-after").is_visible()
        slider.focus()
        for _ in range(20):
            page.keyboard.press("ArrowLeft")
        assert slider.input_value() == "30"
        assert page.locator("[data-compare]").evaluate("el => el.style.getPropertyValue('--pos')") == "30%"
        screenshot(page, "staging-03-result")

        download = page.get_by_role("link", name="Download staged photo")
        response = page.request.get(url + download.get_attribute("href"))
        # The download is lossless, so the pixel lock holds in the file itself.
        assert response.status == 200 and response.headers["content-type"] == "image/png"
        assert response.body()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "12-harbour-view-staged-" in response.headers["content-disposition"]
        assert response.headers["content-disposition"].rstrip('"').endswith(".png")

        staging = Staging.objects.get(owner=user)
        assert staging.status == "completed" and staging.style_id == "scandinavian_luxe"
        assert staging.quality_mode == "standard" and staging.property_name == "12 Harbour View"

        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        assert page.get_by_role("slider", name="Before / after divider").is_visible()
        screenshot(page, "staging-04-phone")
