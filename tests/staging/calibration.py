"""The calibration set for staging's figures: photos and what a generator might return for them.

Real photos shipped inside scikit-image (no download) and the drawn rooms of
``drawings.py``, each with its furnished-area mask, and two kinds of
manipulation:

- ``OUTPUTS``: what an engine might answer for the whole frame, before the
  pixel lock. Integrity must pass the ``good`` ones and refuse the ``bad``.
- ``AREAS``: what might end up in the furnished area of the delivered image
  (the rest is the original). Quality must score garbage well below the
  untouched photo.

The tests and ``tests/benchmarks/bench_staging.py`` (which prints the
calibration table in docs/ai.md) both read this module, so the table and the
tests measure the same images.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageFilter, ImageOps

from staging.structure import furnished_area_mask
from tests.staging.drawings import Room, add_furniture, draw_room, repaint_everything

GOOD, BAD = "good", "bad"


@dataclass(frozen=True)
class CalibrationPhoto:
    name: str
    image: Image.Image
    mask: Image.Image


@cache
def photos() -> tuple[CalibrationPhoto, ...]:
    """The calibration photos, each with its furnished-area mask."""
    from skimage import data

    images = {
        "drawn_room": draw_room(),
        "drawn_room_wide": draw_room(Room(width=1200, height=800, back_wall=(330, 190, 870, 560),
                                          window=(400, 240, 600, 420), door=(700, 300, 820, 560)), seed=4),
        "astronaut": Image.fromarray(data.astronaut()),
        "coffee": Image.fromarray(data.coffee()),
        "rocket": Image.fromarray(data.rocket()),
        "camera": Image.fromarray(data.camera()).convert("RGB"),
        "chelsea": Image.fromarray(data.chelsea()),
    }
    return tuple(CalibrationPhoto(name, image, furnished_area_mask(image).mask) for name, image in images.items())


def photo(name: str) -> CalibrationPhoto:
    return next(item for item in photos() if item.name == name)


def different_room(item: CalibrationPhoto) -> Image.Image:
    """Another photo of the set, at this one's size: the generator drew some other place."""
    others = [other for other in photos() if other.name != item.name]
    # The drawn rooms answer each other: the hardest "different room" is another room.
    other = next((o for o in others if o.name.startswith("drawn") == item.name.startswith("drawn")), others[0])
    return other.image.resize(item.image.size, Image.Resampling.LANCZOS)


def shifted(image: Image.Image, share: float = 0.05) -> Image.Image:
    """The photo moved right and down by ``share`` of its width and height, edges repeated."""
    width, height = image.size
    matrix = np.float32([[1, 0, round(width * share)], [0, 1, round(height * share)]])
    return Image.fromarray(cv2.warpAffine(np.asarray(image), matrix, (width, height), borderMode=cv2.BORDER_REPLICATE))


def noise(image: Image.Image, *, seed: int = 7) -> Image.Image:
    """Pure RGB noise at the image's size."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (image.height, image.width, 3), dtype=np.uint8))


def heavy_blur(image: Image.Image) -> Image.Image:
    """A Gaussian blur of 1% of the long side (10 px on a 1024 px frame)."""
    return image.filter(ImageFilter.GaussianBlur(max(image.size) / 100))


def resampled(image: Image.Image) -> Image.Image:
    """Down to 60% and back: what a generator working below the photo's size returns."""
    small = image.resize((round(image.width * 0.6), round(image.height * 0.6)), Image.Resampling.BILINEAR)
    return small.resize(image.size, Image.Resampling.BICUBIC)


Output = Callable[[CalibrationPhoto], Image.Image]

OUTPUTS: dict[str, tuple[str, Output]] = {
    "identity": (GOOD, lambda item: item.image.copy()),
    "furnished": (GOOD, lambda item: add_furniture(item.image, item.mask)),
    "resampled": (GOOD, lambda item: resampled(add_furniture(item.image, item.mask))),
    "restyled": (GOOD, lambda item: repaint_everything(add_furniture(item.image, item.mask))),
    "noise": (BAD, lambda item: noise(item.image)),
    "flat_grey": (BAD, lambda item: Image.new("RGB", item.image.size, (128, 128, 128))),
    "heavy_blur": (BAD, lambda item: heavy_blur(item.image)),
    "mirrored": (BAD, lambda item: ImageOps.mirror(item.image)),
    "shifted_5pct": (BAD, lambda item: shifted(item.image)),
    "different_room": (BAD, different_room),
}


def in_area(item: CalibrationPhoto, painted: Image.Image) -> Image.Image:
    """The photo with ``painted`` inside the furnished area: what the pixel lock delivers."""
    return Image.composite(painted, item.image, item.mask)


AREAS: dict[str, tuple[str, Output]] = {
    "untouched": (GOOD, lambda item: item.image.copy()),
    "furnished": (GOOD, lambda item: add_furniture(item.image, item.mask)),
    "furnished_resampled": (GOOD, lambda item: in_area(item, resampled(add_furniture(item.image, item.mask)))),
    "noise": (BAD, lambda item: in_area(item, noise(item.image))),
    "blur": (BAD, lambda item: in_area(item, heavy_blur(item.image))),
    "flat": (BAD, lambda item: in_area(item, Image.new("RGB", item.image.size, (128, 128, 128)))),
}
