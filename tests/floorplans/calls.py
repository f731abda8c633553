"""How the floor plan tests call the API: URLs, the error envelope, photo uploads."""

import base64
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.files import images

SESSIONS = "/api/floorplan/sessions"


def session_url(session, *rest: str) -> str:
    """``/api/floorplan/sessions/{id}[/rest...]`` for a session row or id."""
    return "/".join([SESSIONS, str(getattr(session, "pk", session)), *rest])


def room_url(room, *rest: str) -> str:
    return session_url(room.session_id, "rooms", str(room.pk), *rest)


def error_of(response) -> dict:
    """The seed's error body, checked for its exact shape."""
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]


def upload(fp, room, direction: str, heading: float | None = 187.3, data: bytes | None = None):
    body = {"image": SimpleUploadedFile(f"{direction}.jpg", data or images.jpeg((120, 90))),
            "compassHeading": heading}
    return fp.put(room_url(room, "photos", direction), body, format="multipart")


def png_data_url(color: str = "red") -> str:
    """A small drawing as the page's canvas sends it: ``data:image/png;base64,...``."""
    out = BytesIO()
    Image.new("RGB", (40, 40), color).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
