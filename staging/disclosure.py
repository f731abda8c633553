"""The virtual-staging disclosure listing rules ask for, on the image and in words.

Marks are drawn inside the frame, never on added margins: listing sites crop or
reject photos whose size or aspect ratio differs from the original's. Sizes
scale with the image's width because phones show listing photos fitted to the
screen's width; a caption of 3% of the width is about 12 CSS px on a phone.
Pillow's bundled font (``ImageFont.load_default(size=...)``, Pillow >= 10.1)
keeps this free of font files.
"""

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

NONE, CAPTION, WATERMARK = "none", "caption", "watermark"
MARKS = (NONE, CAPTION, WATERMARK)
WATERMARK_TEXT = "Virtually staged"
CAPTION_FONT_SHARE = 0.03
MIN_FONT_PX = 12
# The band may not hide more of the photo than this; longer text gets a smaller font.
MAX_BAND_SHARE = 0.3
BAND_OPACITY = 170
WATERMARK_OPACITY = 90
WATERMARK_WIDTH_SHARE = 0.7


@dataclass(frozen=True)
class Disclosed:
    """The marked image and which of its pixels the mark changed (bool, H x W)."""

    image: Image.Image
    marked: np.ndarray


def apply_disclosure(
    image: Image.Image, *, mark: str, statement: str, original_url: str | None = None, link_to_original: bool = False
) -> Disclosed:
    """A copy of ``image`` (RGB, same size) carrying the disclosure ``mark``.

    ``caption``: a dark band inside the bottom edge with ``statement`` in white,
    and "Original: <url>" under it when ``link_to_original`` and a URL is given.
    ``watermark``: large translucent "Virtually staged" text across the centre,
    plus the same band. ``none``: an unchanged copy. ``marked`` says which
    pixels were changed on purpose, which the pixel lock's measurement of the
    download leaves out.
    """
    if mark not in MARKS:
        raise ValueError(f"mark must be one of {MARKS}, not {mark!r}.")
    layers = []
    if mark == WATERMARK:
        layers.append(_watermark(image.size))
    if mark in (CAPTION, WATERMARK):
        lines = [statement.strip()]
        if link_to_original and original_url:
            lines.append(f"Original: {original_url}")
        layers.append(_caption_band(image.size, lines))
    result = image.convert("RGBA")
    marked = np.zeros((image.height, image.width), bool)
    for layer in layers:
        result = Image.alpha_composite(result, layer)
        marked |= np.asarray(layer)[..., 3] > 0
    return Disclosed(image=result.convert("RGB"), marked=marked)


def caption_text(statement: str, original_url: str | None, description_text: str = "") -> str:
    """The words for the listing's photo description: the profile's required text,
    the statement (unless the text already says it) and the original's URL."""
    parts = [part.strip() for part in (description_text, statement) if part and part.strip()]
    if len(parts) == 2 and parts[1].lower() in parts[0].lower():
        parts = parts[:1]
    text = " ".join(part if part.endswith((".", "!", "?")) else f"{part}." for part in parts)
    if original_url:
        text = f"{text} Original photo: {original_url}".strip()
    return text


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _caption_band(size: tuple[int, int], lines: list[str]) -> Image.Image:
    """A transparent layer with the dark band and its white text at the bottom."""
    width, height = size
    font_px = max(MIN_FONT_PX, round(width * CAPTION_FONT_SHARE))
    while True:
        font = _font(font_px)
        margin = max(4, font_px // 2)
        wrapped = [row for line in lines for row in _wrap(line, font, width - 2 * margin)]
        line_px = round(font_px * 1.25)
        band = len(wrapped) * line_px + 2 * margin
        if band <= height * MAX_BAND_SHARE or font_px <= MIN_FONT_PX:
            break
        font_px = max(MIN_FONT_PX, round(font_px * 0.85))
    band = min(band, height)
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.rectangle((0, height - band, width, height), fill=(0, 0, 0, BAND_OPACITY))
    for index, row in enumerate(wrapped):
        draw.text((margin, height - band + margin + index * line_px), row, font=font, fill=(255, 255, 255, 255))
    return layer


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, max_px: int) -> list[str]:
    """Words onto lines no wider than ``max_px``; a word too long alone (a URL) is cut."""
    rows: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= max_px:
            current = candidate
            continue
        if current:
            rows.append(current)
        while font.getlength(word) > max_px and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and font.getlength(word[:cut]) > max_px:
                cut -= 1
            rows.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        rows.append(current)
    return rows


def _watermark(size: tuple[int, int]) -> Image.Image:
    """A transparent layer with the watermark text centred along the diagonal."""
    width, height = size
    diagonal = math.ceil(math.hypot(width, height))
    probe = _font(100)
    font_px = max(MIN_FONT_PX, round(100 * diagonal * WATERMARK_WIDTH_SHARE / probe.getlength(WATERMARK_TEXT)))
    # Drawn on a square as wide as the diagonal, so the rotated text fits, then cut to the frame.
    square = Image.new("RGBA", (diagonal, diagonal), (0, 0, 0, 0))
    # White with a dark outline reads on both light walls and dark floors.
    ImageDraw.Draw(square).text(
        (diagonal / 2, diagonal / 2), WATERMARK_TEXT, font=_font(font_px), anchor="mm",
        fill=(255, 255, 255, WATERMARK_OPACITY), stroke_width=max(1, font_px // 30),
        stroke_fill=(0, 0, 0, WATERMARK_OPACITY),
    )
    square = square.rotate(math.degrees(math.atan2(height, width)), resample=Image.Resampling.BICUBIC)
    left, top = (diagonal - width) // 2, (diagonal - height) // 2
    return square.crop((left, top, left + width, top + height))
