"""Sizes and encodings of a staged photo: the full-size file, the web copy, the
thumbnail, and the size the generator works at.

The full-size file and the web copy carry the pixel lock, so they are lossless
(PNG and lossless WebP): a JPEG at quality 92 moves about half of a photo's
pixels more than CIEDE2000 1 from the original, which is the promise the
staging result reports on (``pixel_lock.measure_delivered``). The thumbnail is
a preview and stays a small JPEG.
"""

import io

import cv2
import numpy as np
from PIL import Image, PngImagePlugin

WEB_LONG_EDGE = 1600
THUMBNAIL_LONG_EDGE = 400
JPEG_QUALITY = 92
# Diffusion models work in latents 1/8 of the pixel size.
MODEL_MULTIPLE = 8


def encode_jpeg(image: Image.Image, quality: int = JPEG_QUALITY, *, xmp: str = "") -> bytes:
    """The image as progressive JPEG bytes (RGB), without chroma subsampling above quality 90.

    Chroma is kept at full resolution at high quality because staged furniture
    fabrics and wood grain smear under 4:2:0 subsampling.
    """
    buffer = io.BytesIO()
    image.convert("RGB").save(
        buffer, "JPEG", quality=quality, optimize=True, progressive=True, subsampling=0 if quality > 90 else 2,
        **({"xmp": xmp.encode()} if xmp else {}),
    )
    return buffer.getvalue()


def fit_within(image: Image.Image, long_edge: int) -> Image.Image:
    """A copy whose longer side is at most ``long_edge``, same aspect ratio; never upscaled."""
    return Image.fromarray(fit_array(np.asarray(image.convert("RGB")), long_edge))


def fit_array(rgb: np.ndarray, long_edge: int) -> np.ndarray:
    """``fit_within`` on an RGB array: OpenCV's area resampling, the usual choice for
    shrinking photos and five times faster than Pillow's Lanczos on 12 megapixels."""
    height, width = rgb.shape[:2]
    scale = long_edge / max(width, height)
    if scale >= 1:
        return rgb.copy()
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def encode_png(image: Image.Image, *, xmp: str = "") -> bytes:
    """Lossless PNG bytes (RGB), with ``xmp`` as its XMP packet. zlib level 1: on a
    12 MP photo it is a third faster than the default level 6 and the file only a
    few percent larger."""
    info = PngImagePlugin.PngInfo()
    if xmp:
        info.add_itxt("XML:com.adobe.xmp", xmp)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "PNG", compress_level=1, pnginfo=info)
    return buffer.getvalue()


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
