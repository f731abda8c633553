"""What a product photo measures: size, sharpness, exposure, colours, background and framing.

Everything here is classic vision (``config.ai.vision``): no model, always
available, deterministic. Resolution and file size come from the original;
the rest runs on a copy whose long side is ``vision.WORKING_SIDE`` pixels.
That keeps a 12-megapixel upload far under a second, and it makes one blur
threshold fit every upload: the variance of the Laplacian grows when a photo
is shrunk, so it is only comparable at a fixed scale. Boxes are reported in
the original's pixels.

The product is told from the background by colour: pixels farther than
``FOREGROUND_DISTANCE`` from the border's median colour. Exposure, colours
and sharpness are measured on the product whenever that separation can be
trusted (a uniform backdrop), because a white studio background is clipped
by design and would otherwise read as over-exposure, as the photo's main
colour and as a large featureless (so "blurry") area. The known blind spot:
a product blown out to the backdrop's white cannot be told from the backdrop.
"""

from dataclasses import asdict, dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageOps

from catalog.product_mask import product_mask
from config.ai import vision

# A background channel at or above this counts as white: JPEG noise and
# rounding keep a studio white from reading exactly 255.
WHITE_LEVEL = 250
# The share of the backdrop that must match the border's median colour for a
# white median to make a white background (shadows and gradients lower it).
WHITE_MIN_UNIFORMITY = 0.9
# Below this uniformity the border is a scene, not a backdrop, and "differs
# from the border" no longer means "is the product".
SEPARABLE_UNIFORMITY = 0.6
# vision.background's and vision.foreground's defaults, so the backdrop and the
# product mask measured here agree with the platform's box: the border band's
# share of the short side, the Lab distance that still matches the backdrop,
# and the Lab distance that makes a pixel the product's.
BORDER = 0.04
BACKGROUND_TOLERANCE = 10.0
FOREGROUND_DISTANCE = 20.0
# When the product's box leaves less than this share of the border band
# uncovered, the backdrop cannot be seen apart from the product and the whole
# band's uniformity (vision.background) is used.
MIN_VISIBLE_BORDER = 0.05
# Product pixels below this share of the frame are too few to measure
# exposure and colours on; the whole frame is used instead.
MIN_SUBJECT_SHARE = 0.01
# A box side within this many working pixels of the frame's edge touches it.
EDGE_MARGIN = 1
# Sharpness tiles: a grid over the product's box. A tile whose grey levels
# vary less than DETAIL_STD is flat (a plain panel, smooth shading) and says
# nothing about focus.
TILE_GRID = (4, 4)
DETAIL_STD = 12.0
# How far the sharpness crop reaches past the product's box, as a share of the
# working side, so the product's outline (its sharpest edges) is inside it.
CROP_MARGIN = 0.02
# The border band, the tile grid and k-means need a few pixels; smaller photos
# are measured on a copy enlarged to this short side.
MIN_WORKING_SIDE = 16
# vision.dominant_colours clusters about 128x128 pixels.
COLOUR_SAMPLE_WIDTH = 128
COLOUR_SAMPLE = COLOUR_SAMPLE_WIDTH**2
COLOUR_COUNT = 5


@dataclass(frozen=True)
class Measurements:
    """One photo's measurements; sizes and boxes in the original's pixels.

    ``sharpness`` is the variance of the Laplacian over the product's box (the
    whole frame when nothing stands out) at the working size; higher is
    sharper. Tiles are scored contrast-free, as the variance of the Laplacian
    over the variance of the grey levels (about 0.05 and up for crisp edges,
    under 0.01 when they are smeared over a few pixels), so a pale label and a
    dark seam compare: ``sharpness_tiles`` lists the tiles with detail
    (``x, y, width, height, sharpness``) and ``sharpness_tiles_min`` is the
    lowest of them. Exposure values are the product's: mean luminance 0-1 and
    the shares of pixels clipped to black or white. ``colours`` are the
    product's main colours, largest share first. ``background_uniformity`` is
    the share of the visible border band (outside the product's box) that
    matches its median colour. ``fill_ratio`` is the product's longer
    side relative to the frame (the larger of width / frame width and height /
    frame height), measured on the product's mask (``catalog.product_mask``);
    ``foreground_touches_edge`` says whether that mask reaches the frame's edge.
    """

    width: int
    height: int
    megapixels: float
    file_size_bytes: int
    sharpness: float
    sharpness_tiles_min: float
    exposure_mean: float
    clipped_shadows: float
    clipped_highlights: float
    colours: list[dict]
    background_rgb: tuple[int, int, int]
    background_uniformity: float
    background_is_white: bool
    foreground_box: dict | None
    fill_ratio: float
    foreground_touches_edge: bool
    sharpness_tiles: list[dict] = field(default_factory=list)

    @property
    def long_side(self) -> int:
        return max(self.width, self.height)

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)

    @property
    def background_is_separable(self) -> bool:
        """Whether the backdrop is uniform enough for the foreground box to be the product."""
        return self.background_uniformity >= SEPARABLE_UNIFORMITY

    def to_dict(self) -> dict:
        """Plain JSON-ready data (the background colour as a list)."""
        data = asdict(self)
        data["background_rgb"] = list(self.background_rgb)
        return data


def measure(image: Image.Image, *, file_size_bytes: int) -> Measurements:
    """Measure one product photo.

    ``image`` is the decoded upload: its EXIF orientation is applied, and a
    transparent background is seen on white, as marketplace pages show it.
    ``file_size_bytes`` is the uploaded file's size, for the marketplaces'
    limits. Never raises for a decodable image.
    """
    rgb = np.asarray(as_displayed(image))
    height, width = rgb.shape[:2]
    small = _working_copy(rgb)
    small_height, small_width = small.shape[:2]
    scale = (width / small_width, height / small_height)

    lab = cv2.cvtColor(small.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)
    backdrop = vision.background(small, border=BORDER, tolerance=BACKGROUND_TOLERANCE)
    backdrop_lab = _lab_of(backdrop.rgb)
    box = vision.foreground(small, threshold=FOREGROUND_DISTANCE, border=BORDER).box
    uniformity = _uniformity(lab, backdrop_lab, box, fallback=backdrop.uniformity)
    separable = box is not None and uniformity >= SEPARABLE_UNIFORMITY

    subject = _subject_mask(lab, backdrop_lab, box) if separable else None
    pixels = small[subject] if subject is not None else small.reshape(-1, 3)
    exposure = vision.exposure(pixels.reshape(-1, 1, 3))
    colours = vision.dominant_colours(_colour_sample(pixels), k=COLOUR_COUNT)
    sharpness, tiles = _sharpness(small, _grown(box, small_width, small_height) if separable else None)

    # Fill comes from the product's cut-out, not the colour box: on a wooden table
    # every pixel differs from the border's median and the box is the whole frame.
    cut = product_mask(small)
    fill, touches = round(cut.fill(), 4), False
    if cut.box is not None:
        x, y, w, h = cut.box
        touches = (min(x, y) <= EDGE_MARGIN or x + w >= small_width - EDGE_MARGIN
                   or y + h >= small_height - EDGE_MARGIN)
    return Measurements(
        width=width,
        height=height,
        megapixels=round(width * height / 1e6, 2),
        file_size_bytes=file_size_bytes,
        sharpness=sharpness,
        sharpness_tiles_min=min(tile["sharpness"] for tile in tiles) if tiles else _focus(small),
        exposure_mean=exposure.mean,
        clipped_shadows=exposure.shadows_clipped,
        clipped_highlights=exposure.highlights_clipped,
        colours=[{"name": colour.name, "hex": colour.hex, "share": colour.fraction} for colour in colours],
        background_rgb=backdrop.rgb,
        background_uniformity=uniformity,
        background_is_white=all(channel >= WHITE_LEVEL for channel in backdrop.rgb)
        and uniformity >= WHITE_MIN_UNIFORMITY,
        foreground_box=_scaled(box, scale) if box else None,
        fill_ratio=fill,
        foreground_touches_edge=touches,
        sharpness_tiles=[{**_scaled(tile["box"], scale), "sharpness": tile["sharpness"]} for tile in tiles],
    )


def as_displayed(image: Image.Image) -> Image.Image:
    """The photo as a marketplace page shows it: upright by its EXIF tag, RGB, transparency on white."""
    # Phones store portrait shots sideways with an orientation tag; transposing
    # costs a full copy, so only when the tag asks for it.
    if image.getexif().get(0x0112, 1) != 1:
        image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")


def _working_copy(rgb: np.ndarray) -> np.ndarray:
    height, width = rgb.shape[:2]
    scale = vision.WORKING_SIDE / max(height, width)
    if scale < 1:
        rgb = cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))),
                         interpolation=cv2.INTER_AREA)
        height, width = rgb.shape[:2]
    if min(height, width) < MIN_WORKING_SIDE:
        # Icons and slivers: repeating pixels keeps colours and their shares as they are.
        scale = MIN_WORKING_SIDE / min(height, width)
        rgb = cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_NEAREST)
    return rgb


def _lab_of(rgb: tuple[int, int, int]) -> np.ndarray:
    return cv2.cvtColor(np.array([[rgb]], np.float32) / 255, cv2.COLOR_RGB2LAB)[0, 0]


def _uniformity(lab: np.ndarray, reference: np.ndarray, box: tuple | None, *, fallback: float) -> float:
    """The share of the border band outside the product's box within tolerance of the backdrop.

    vision.background counts the whole band, so a product filling 95% of the
    frame, which reaches into the band, would read as a blotchy backdrop.
    """
    height, width = lab.shape[:2]
    band = max(1, round(min(height, width) * BORDER))
    ring = np.ones((height, width), bool)
    ring[band:height - band, band:width - band] = False
    whole = ring.sum()
    if box is not None:
        x, y, w, h = box
        ring[y:y + h, x:x + w] = False
    if ring.sum() < whole * MIN_VISIBLE_BORDER:
        return fallback
    distances = np.linalg.norm(lab[ring] - reference, axis=1)
    return round(float((distances <= BACKGROUND_TOLERANCE).mean()), 4)


def _subject_mask(lab: np.ndarray, reference: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray | None:
    """Pixels inside the product's box that differ from the backdrop, or None when too few do."""
    x, y, w, h = box
    mask = np.zeros(lab.shape[:2], bool)
    mask[y:y + h, x:x + w] = np.linalg.norm(lab[y:y + h, x:x + w] - reference, axis=2) > FOREGROUND_DISTANCE
    return mask if mask.mean() >= MIN_SUBJECT_SHARE else None


def _colour_sample(pixels: np.ndarray) -> np.ndarray:
    """At most COLOUR_SAMPLE pixels, evenly spaced, shaped as an image."""
    if len(pixels) > COLOUR_SAMPLE:
        pixels = pixels[np.linspace(0, len(pixels) - 1, COLOUR_SAMPLE).astype(int)]
    width = COLOUR_SAMPLE_WIDTH if len(pixels) >= COLOUR_SAMPLE_WIDTH else 1
    return np.ascontiguousarray(pixels[:len(pixels) // width * width].reshape(-1, width, 3))


def _sharpness(small: np.ndarray, box: tuple[int, int, int, int] | None) -> tuple[float, list[dict]]:
    """The variance of the Laplacian over ``box`` (else the frame), and the scored tiles with detail."""
    x0, y0, w, h = box or (0, 0, small.shape[1], small.shape[0])
    crop = small[y0:y0 + h, x0:x0 + w]
    measured = vision.sharpness(crop, grid=TILE_GRID)
    gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    rows, cols = TILE_GRID
    tiles = []
    for r in range(rows):
        for c in range(cols):
            # The same slicing as vision.sharpness, so tile (r, c) is its tiles[r, c].
            top, bottom, left, right = r * h // rows, (r + 1) * h // rows, c * w // cols, (c + 1) * w // cols
            variance = float(gray[top:bottom, left:right].var()) if bottom > top and right > left else 0.0
            if variance < DETAIL_STD**2:
                continue
            tiles.append({"box": (x0 + left, y0 + top, right - left, bottom - top),
                          "sharpness": round(float(measured.tiles[r, c]) / variance, 5)})
    return measured.score, tiles


def _focus(small: np.ndarray) -> float:
    """The whole frame's contrast-free score, for a photo without a detailed tile."""
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    variance = float(gray.var())
    return round(float(cv2.Laplacian(gray, cv2.CV_64F).var()) / variance, 5) if variance else 0.0


def _grown(box: tuple[int, int, int, int], width: int, height: int) -> tuple[int, int, int, int]:
    margin = round(max(width, height) * CROP_MARGIN)
    x, y, w, h = box
    left, top = max(0, x - margin), max(0, y - margin)
    right, bottom = min(width, x + w + margin), min(height, y + h + margin)
    return left, top, right - left, bottom - top


def _scaled(box: tuple[int, int, int, int], scale: tuple[float, float]) -> dict:
    x, y, w, h = box
    sx, sy = scale
    return {"x": round(x * sx), "y": round(y * sy), "width": round(w * sx), "height": round(h * sy)}
