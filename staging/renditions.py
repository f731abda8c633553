"""Sizes and encodings of a staged photo: the full-size file, the web copy, the
thumbnail, and the size the generator works at.

The full-size file and the web copy carry the pixel lock, so they are lossless
(PNG and lossless WebP): a JPEG at quality 92 moves about half of a photo's
pixels more than CIEDE2000 1 from the original, which is the promise the
staging result reports on (``pixel_lock.measure_delivered``). The thumbnail is
a preview and stays a small JPEG.
"""

import io

from PIL import Image

from config.files.renditions import encode_jpeg, encode_png, fit_array, fit_within

__all__ = ["encode_jpeg", "encode_png", "fit_array", "fit_within", "model_size", "thumbnail", "web_copy"]

WEB_LONG_EDGE = 1600
THUMBNAIL_LONG_EDGE = 400
# Diffusion models work in latents 1/8 of the pixel size.
MODEL_MULTIPLE = 8
# Wider than this, a model trained on near-square images repeats what it draws; a panorama is
# squeezed to it and stretched back.
MAX_MODEL_ASPECT = 2


def web_copy(image: Image.Image, long_edge: int = WEB_LONG_EDGE, *, xmp: str = "") -> bytes:
    """Lossless WebP bytes of the image fitted within ``long_edge`` (never upscaled).

    Method 0 is libwebp's fastest lossless effort: 70 ms for 1600 px, a file
    about 15% larger than its slowest effort.
    """
    buffer = io.BytesIO()
    fit_within(image, long_edge).convert("RGB").save(buffer, "WEBP", lossless=True, method=0, quality=0,
                                                     **({"xmp": xmp.encode()} if xmp else {}))
    return buffer.getvalue()


def thumbnail(image: Image.Image, long_edge: int = THUMBNAIL_LONG_EDGE, *, xmp: str = "") -> bytes:
    """JPEG bytes of a small copy fitted within ``long_edge`` (never upscaled)."""
    return encode_jpeg(fit_within(image, long_edge), quality=80, xmp=xmp)


def model_size(width: int, height: int, short_edge: int) -> tuple[int, int]:
    """The generator's (width, height): multiples of 8, the short side ``short_edge`` (rounded
    down to a multiple of 8), the long side the multiple of 8 nearest the photo's aspect ratio,
    at most ``MAX_MODEL_ASPECT`` times the short side.

    This may be larger than the photo: a diffusion model draws poorly away from its
    native size (``staging.scale``), and the pipeline brings the result to the photo's size.
    """
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive.")
    short_side = max(MODEL_MULTIPLE, short_edge // MODEL_MULTIPLE * MODEL_MULTIPLE)
    long_side = max(width, height) * short_side / min(width, height)
    long_side = min(short_side * MAX_MODEL_ASPECT, round(long_side / MODEL_MULTIPLE) * MODEL_MULTIPLE)
    return (long_side, short_side) if width >= height else (short_side, long_side)
