"""A session's stored files: the agent's annotation drawings, images read back for the models, removal.

Every file of a session lives under ``FloorplanSession.storage_prefix``
(photos, annotation drawings, the aerial image), so expiry removes the lot by
walking that prefix, whatever wrote it.
"""

import base64
import io
import json
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from config.errors import UploadTooLarge, ValidationFailed
from config.files.storage import delete_files, storage_errors
from config.files.validation import clean_image, read_limited
from floorplans.errors import ScanTooLarge
from floorplans.models import FloorplanSession

# The agent's annotation drawing is a phone-sized PNG sketch.
ANNOTATION_MAX_BYTES = 8 * 1024 * 1024


def decode_data_url(value: str) -> bytes:
    """The bytes of a ``data:...;base64,`` URL (or bare base64); ``ValueError`` when it is not one."""
    try:
        payload = value.split(",", 1)[1] if value.startswith("data:") else value
        return base64.b64decode(payload, validate=True)
    except IndexError:
        raise ValueError("not a base64 data URL") from None


def store_annotation(session: FloorplanSession, data: bytes) -> str:
    """Check the drawing is a PNG (``InvalidUpload``/``UploadTooLarge``), re-encode and store it; its name."""
    png = clean_image(data, allowed=("PNG",), convert_to="PNG", max_bytes=ANNOTATION_MAX_BYTES).content
    with storage_errors():
        return default_storage.save(f"{session.storage_prefix}annotations/{uuid.uuid4().hex}.png", ContentFile(png))


def open_image(name: str | None) -> Image.Image | None:
    """A stored photo or drawing as RGB, for a model request; ``None`` for no name."""
    if not name:
        return None
    with default_storage.open(name, "rb") as stored:
        return Image.open(io.BytesIO(stored.read())).convert("RGB")


def session_files(session: FloorplanSession) -> list[str]:
    """The names of every file stored under the session's prefix."""
    names, folders = [], [session.storage_prefix.rstrip("/")]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = default_storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue  # nothing was ever stored there
        names += [f"{folder}/{name}" for name in files]
        folders += [f"{folder}/{name}" for name in subfolders]
    return names


def delete_session_files(session: FloorplanSession) -> int:
    """Delete every file of the session (failures are logged, not raised); how many there were."""
    names = session_files(session)
    delete_files(names)
    return len(names)


def read_scan(upload) -> Any:
    """The JSON of an uploaded RoomPlan export, at most ``FLOORPLANS_SCAN_MAX_BYTES``."""
    try:
        return _decode_scan(read_limited(upload, settings.FLOORPLANS_SCAN_MAX_BYTES))
    except UploadTooLarge as exc:
        raise ScanTooLarge(exc.message, details=exc.details) from None


def scan_from_text(text: str) -> Any:
    """A previewed scan sent back by the page as JSON text, held to the same limit as an upload."""
    content = text.encode()
    check_scan_body(str(len(content)))
    return _decode_scan(content)


def _decode_scan(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; nesting can overflow the parser
        raise ValidationFailed("file: a RoomPlan scan must be a JSON file (Apple's JSONEncoder export).",
                               details={"path": "file"}) from None


def check_scan_body(length: str | None) -> None:
    """Refuse a JSON body declared longer than ``FLOORPLANS_SCAN_MAX_BYTES`` before it is read."""
    limit = settings.FLOORPLANS_SCAN_MAX_BYTES
    if length and length.isdigit() and int(length) > limit:
        raise ScanTooLarge(f"The scan is {length} bytes; the limit is {limit}.",
                             details={"size": int(length), "max_bytes": limit})
