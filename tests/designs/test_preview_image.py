"""The API's preview_url: an isometric PNG of the spec, behind a signed, expiring URL."""

import io

import numpy as np
import pytest
from PIL import Image
from rest_framework.test import APIClient

from designs import preview
from tests.designs.test_api import TABLE, post

pytestmark = pytest.mark.django_db


def box(name: str, color: str, x: float, width: float = 1.0, height: float = 0.8) -> dict:
    return {"id": name, "name": name, "type": "box", "properties": {"color": color},
            "dimensions": {"width": width, "height": height, "depth": 0.6, "units": "meters"},
            "position": {"x": x, "y": 0, "z": 0}}


def decoded(content: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG" and image.size == preview.SIZE
    return np.asarray(image.convert("RGB")).astype(int)


def share_near(pixels: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 70) -> float:
    return float((np.abs(pixels - np.array(rgb)).sum(axis=2) < tolerance).mean())


def test_each_object_is_drawn_in_its_colour():
    pixels = decoded(preview.render_png({"objects": [box("sofa", "#c03030", 0), box("table", "#3050c0", 2)]}))

    assert share_near(pixels, (192, 48, 48)) > 0.02
    assert share_near(pixels, (48, 80, 192)) > 0.02
    assert share_near(pixels, preview.BACKGROUND, 6) > 0.3


def test_a_versions_preview_is_stored_on_first_use_and_read_back_after():
    from django.core.files.storage import default_storage

    from designs import services
    from tests.designs.factories import DesignVersionFactory

    version = DesignVersionFactory()
    key = f"designs/previews/{version.spec_id}/{version.pk}.png"
    assert not default_storage.exists(key)

    first = services.preview_png(version)

    assert default_storage.exists(key) and services.preview_png(version) == first
    assert share_near(decoded(first), (176, 128, 80)) > 0.01  # the wood's colour


def test_a_spec_without_objects_is_a_blank_canvas():
    pixels = decoded(preview.render_png({"objects": []}))

    assert share_near(pixels, preview.BACKGROUND, 1) == 1.0


def test_the_api_preview_url_is_a_png_anyone_holding_it_can_open(designer):
    url = post(designer, {"prompt": TABLE}).json()["preview_url"]

    first = APIClient().get(url)
    second = APIClient().get(url)

    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    assert first.content == second.content
    pixels = decoded(first.content)
    assert share_near(pixels, preview.BACKGROUND, 6) < 0.95  # something was drawn


def test_a_tampered_preview_token_is_404(designer):
    url = post(designer, {"prompt": TABLE}).json()["preview_url"]

    assert APIClient().get(url.replace(".png", "x.png")).status_code == 404


def test_an_expired_preview_url_is_404(designer, settings):
    url = post(designer, {"prompt": TABLE}).json()["preview_url"]
    settings.MEDIA_URL_EXPIRES = -1

    assert APIClient().get(url).status_code == 404


def test_the_3d_page_for_people_still_needs_a_sign_in(designer, client):
    spec_id = post(designer, {"prompt": TABLE}).json()["spec_id"]

    assert client.get(f"/preview/{spec_id}")["Location"].startswith("/accounts/login/")
