"""Product photos drawn in code, with known framing, for the catalog tests.

The product is a red rounded box with cylindrical shading and a printed label
(light panel, dark lines of "text"), so it has the edges a real product has and
a focus measure has something to measure.
"""

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

WHITE = (255, 255, 255)
GREY = (128, 128, 128)
RED = (200, 30, 30)


def product_photo(
    size: tuple[int, int] = (1200, 1200),
    *,
    fill: float = 0.9,
    background: tuple[int, int, int] = WHITE,
    colour: tuple[int, int, int] = RED,
    shift: tuple[float, float] = (0.0, 0.0),
) -> Image.Image:
    """A product whose box spans ``fill`` of the frame's width and height, centred,
    then moved by ``shift`` (shares of the frame) - far enough and it leaves the frame."""
    width, height = size
    box_w, box_h = round(width * fill), round(height * fill)
    left = round((width - box_w) / 2 + shift[0] * width)
    top = round((height - box_h) / 2 + shift[1] * height)

    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (left, top, left + box_w - 1, top + box_h - 1), radius=max(2, min(box_w, box_h) // 8), fill=255
    )
    # Light falls off towards the sides, as on a cylinder lit from the front.
    across = (np.arange(width) - (left + box_w / 2)) / (box_w / 2)
    shade = 0.65 + 0.35 * np.cos(np.clip(across, -1, 1) * np.pi / 2)
    product = np.clip(np.asarray(colour, np.float32)[None, None, :] * shade[None, :, None], 0, 255)
    product = np.broadcast_to(product, (height, width, 3)).astype(np.uint8)

    photo = Image.new("RGB", size, background)
    photo.paste(Image.fromarray(product), mask=mask)
    _label(ImageDraw.Draw(photo), left, top, box_w, box_h)
    return photo


def busy_scene(size: tuple[int, int] = (1200, 1200), *, fill: float = 0.6) -> Image.Image:
    """The product in front of a cluttered room: stripes and blocks of unrelated colours."""
    width, height = size
    scene = Image.new("RGB", size, (90, 120, 60))
    draw = ImageDraw.Draw(scene)
    palette = [(200, 180, 60), (40, 90, 160), (150, 60, 120), (230, 230, 220), (60, 40, 30), (20, 160, 150)]
    step = max(8, width // 15)
    for index, x in enumerate(range(0, width, step)):
        draw.rectangle((x, 0, x + step // 2, height), fill=palette[index % len(palette)])
    for index, y in enumerate(range(0, height, step * 2)):
        draw.rectangle((0, y, width, y + step // 3), fill=palette[(index * 2 + 1) % len(palette)])
    product = product_photo(size, fill=fill)
    mask = Image.fromarray(((np.asarray(product) != 255).any(axis=2) * 255).astype(np.uint8))
    scene.paste(product, mask=mask)
    return scene


def blurred(image: Image.Image, *, radius: float = 6.0) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius))


def blurred_region(image: Image.Image, box: tuple[int, int, int, int], *, radius: float = 8.0) -> Image.Image:
    """A copy with only ``box`` (left, top, right, bottom) out of focus."""
    copy = image.copy()
    copy.paste(image.crop(box).filter(ImageFilter.GaussianBlur(radius)), box[:2])
    return copy


def jpeg_size(image: Image.Image, quality: int = 90) -> int:
    """The photo's size as a JPEG upload, in bytes."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.tell()


def _label(draw: ImageDraw.ImageDraw, left: int, top: int, box_w: int, box_h: int) -> None:
    panel = (left + box_w * 0.2, top + box_h * 0.3, left + box_w * 0.8, top + box_h * 0.7)
    draw.rectangle(panel, fill=(240, 232, 215))
    line_height = max(1, round(box_h * 0.025))
    for row in range(6):
        y = panel[1] + box_h * (0.05 + row * 0.055)
        length = (0.5 - 0.06 * (row % 3)) * box_w
        # Words: dark dashes separated by gaps, so the line has edges along it too.
        x = panel[0] + box_w * 0.05
        while x < panel[0] + box_w * 0.05 + length:
            word = box_w * (0.03 + 0.02 * ((row + int(x)) % 3))
            draw.rectangle((x, y, x + word, y + line_height), fill=(30, 30, 40))
            x += word + box_w * 0.015
