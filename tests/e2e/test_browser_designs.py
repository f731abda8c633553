"""A design in real Chromium: prompt, JSON and a live 3D preview, a follow-up with its diff, the glTF download.

The server is the project's ASGI app under uvicorn; the rules generate (no language
model), so no worker is needed. Headless Chromium draws WebGL with SwiftShader.
"""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from pygltflib import GLTF2

from designs.models import DesignSpec
from tests.e2e.browser import chromium_page, screenshot
from tests.e2e.processes import asgi_server, process_env
from tests.factories import PASSWORD, UserFactory

# "processes": the server is a real process, so the user needs a password hash it can check.
pytestmark = [pytest.mark.browser, pytest.mark.processes, pytest.mark.django_db(transaction=True)]

TABLE = "oak dining table for six, 1.8 m long, white legs"
DETAIL_PAGE = re.compile(r"/designs/[0-9a-f-]{36}/$")
# Software WebGL: recent Chromium no longer falls back to SwiftShader unless told to.
WEBGL = ["--enable-unsafe-swiftshader", "--use-angle=swiftshader"]
# The first prompt loads the local text model in the server process.
GENERATE_LIMIT_MS = 120_000


def canvas_colours(page) -> dict[tuple, int]:
    """Pixel counts by colour of the preview canvas as drawn on screen."""
    page.locator('[data-design-preview][data-preview-state="ready"]').wait_for()
    image = Image.open(io.BytesIO(page.locator("[data-preview-canvas]").screenshot())).convert("RGB")
    return dict((colour, count) for count, colour in image.getcolors(maxcolors=image.width * image.height))


def assert_drawn(colours: dict[tuple, int]) -> None:
    """Boxes, edges and grid over the background: many colours, none covering nearly everything."""
    total = sum(colours.values())
    assert len(colours) > 20, len(colours)
    assert max(colours.values()) / total < 0.95
    shares = sorted(colours.values(), reverse=True)
    assert sum(1 for count in shares if count / total > 0.005) >= 3


def dark_share(colours: dict[tuple, int]) -> float:
    total = sum(colours.values())
    return sum(count for (r, g, b), count in colours.items() if max(r, g, b) < 40) / total


def test_prompt_preview_follow_up_and_download_the_gltf(monkeypatch, tmp_path):
    # Playwright's sync API keeps an event loop on this thread; the ORM calls here are plain test code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    user = UserFactory(email="designer@example.com")

    with asgi_server(process_env()) as url, chromium_page(extra_args=WEBGL) as page:
        page.goto(f"{url}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{url}/dashboard/")

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Designs").click()
        page.wait_for_url(f"{url}/designs/")
        page.get_by_label("Prompt").fill(TABLE)
        page.get_by_label("Style").fill("scandinavian")
        page.get_by_label("Constraints").fill("seats six")
        screenshot(page, "designs-01-prompt")
        page.get_by_role("button", name="Generate design").click()
        page.wait_for_url(DETAIL_PAGE, timeout=GENERATE_LIMIT_MS)
        spec = DesignSpec.objects.get(owner=user)

        spec_text = page.locator("[data-spec-json]").inner_text()
        assert f'"spec_id": "{spec.pk}"' in spec_text and '"objects": [' in spec_text
        first = canvas_colours(page)
        assert_drawn(first)
        assert page.locator('[data-version="1.0"]').get_by_text(TABLE).is_visible()
        screenshot(page, "designs-02-detail")

        page.get_by_label("Change").fill("legs black")
        page.get_by_role("button", name="Make the next version").click()
        latest = page.locator('[data-version="1.1"]')
        latest.wait_for(timeout=GENERATE_LIMIT_MS)
        assert page.locator("[data-shown-version]").inner_text() == "version 1.1"
        assert "legs black" in latest.inner_text()
        assert latest.locator("table.changes tbody tr").count() > 0
        assert "black" in latest.locator("table.changes").inner_text()
        second = canvas_colours(page)
        assert_drawn(second)
        assert dark_share(second) > dark_share(first)  # the legs turned black
        screenshot(page, "designs-03-follow-up")

        with page.expect_download() as download:
            page.get_by_role("link", name="Download glTF").click()
        assert download.value.suggested_filename.endswith("-v1.1.glb")
        glb = Path(download.value.path()).read_bytes()
        gltf = GLTF2.load_from_bytes(glb)
        objects = spec.current_version.spec_json["objects"]
        assert {node.name for node in gltf.nodes if node.mesh is not None} == {obj["id"] for obj in objects}

        page.get_by_role("link", name="Full-window preview").click()
        page.wait_for_url(f"{url}/preview/{spec.pk}")
        assert_drawn(canvas_colours(page))
        screenshot(page, "designs-04-preview")

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{url}/designs/{spec.pk}/?version=1.0")
        page.get_by_text("You are looking at version 1.0").wait_for()
        assert_drawn(canvas_colours(page))
        screenshot(page, "designs-05-detail-phone")
        page.goto(f"{url}/designs/")
        assert page.locator(f'[data-spec="{spec.pk}"]').get_by_role("cell", name="1.1").is_visible()
        screenshot(page, "designs-06-list-phone")
