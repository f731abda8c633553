"""Fitting an image under a platform's upload limit by re-encoding, never by guessing."""

import io

from PIL import Image, UnidentifiedImageError

from personas.connectors.base import ConnectorError

# Tried in order until one fits: first quality, then a smaller longest side.
ATTEMPTS = ((None, 90), (None, 80), (None, 70), (2000, 80), (2000, 65), (1600, 70))


def image_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` of an image, or ``None`` when the bytes are not one."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def fit_image(data: bytes, mime_type: str, max_bytes: int, *, platform: str) -> tuple[bytes, str]:
    """The image as it is when within ``max_bytes``, else re-encoded as JPEG until it fits.

    Raises a non-retryable ``ConnectorError`` when no attempt fits: sending it
    again later would be refused again.
    """
    if len(data) <= max_bytes:
        return data, mime_type
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError):
        raise ConnectorError(f"{platform} accepts images only; this media could not be read as one.") from None
    for longest, quality in ATTEMPTS:
        candidate = image
        if longest and max(image.size) > longest:
            candidate = image.copy()
            candidate.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        candidate.save(buffer, format="JPEG", quality=quality, optimize=True)
        if buffer.tell() <= max_bytes:
            return buffer.getvalue(), "image/jpeg"
    raise ConnectorError(
        f"The image is larger than {platform}'s limit of {max_bytes:,} bytes even after re-encoding.",
        details={"size": len(data), "max_bytes": max_bytes},
    )
