"""Sizes and JPEG encodings of a staged photo: the web copy, the thumbnail, and
the size the generator works at."""

import io

from PIL import Image

WEB_LONG_EDGE = 1600
THUMBNAIL_LONG_EDGE = 400
JPEG_QUALITY = 92
# Diffusion models work in latents 1/8 of the pixel size.
MODEL_MULTIPLE = 8


def encode_jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    """The image as progressive JPEG bytes (RGB), without chroma subsampling above quality 90.

    Chroma is kept at full resolution at high quality because staged furniture
    fabrics and wood grain smear under 4:2:0 subsampling.
    """
    buffer = io.BytesIO()
    image.convert("RGB").save(
        buffer, "JPEG", quality=quality, optimize=True, progressive=True, subsampling=0 if quality > 90 else 2
    )
    return buffer.getvalue()


def fit_within(image: Image.Image, long_edge: int) -> Image.Image:
    """A copy whose longer side is at most ``long_edge``, same aspect ratio; never upscaled."""
    width, height = image.size
    scale = long_edge / max(width, height)
    if scale >= 1:
        return image.copy()
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def web_copy(image: Image.Image, long_edge: int = WEB_LONG_EDGE) -> bytes:
    """JPEG bytes of the image fitted within ``long_edge`` (never upscaled)."""
    return encode_jpeg(fit_within(image, long_edge), quality=85)


def thumbnail(image: Image.Image, long_edge: int = THUMBNAIL_LONG_EDGE) -> bytes:
    """JPEG bytes of a small copy fitted within ``long_edge`` (never upscaled)."""
    return encode_jpeg(fit_within(image, long_edge), quality=80)


def model_size(width: int, height: int, long_edge: int) -> tuple[int, int]:
    """The generator's (width, height): multiples of 8, the long side ``long_edge``
    (rounded down to a multiple of 8), the short side the multiple of 8 nearest
    the photo's aspect ratio.

    This may be larger than the photo: a diffusion model draws poorly below its
    native size, and the pipeline resizes the result back to the photo's size.
    """
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive.")
    long_side = max(MODEL_MULTIPLE, long_edge // MODEL_MULTIPLE * MODEL_MULTIPLE)
    short_side = min(width, height) * long_side / max(width, height)
    short_side = min(long_side, max(MODEL_MULTIPLE, round(short_side / MODEL_MULTIPLE) * MODEL_MULTIPLE))
    return (long_side, short_side) if width >= height else (short_side, long_side)
