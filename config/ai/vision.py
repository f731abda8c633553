"""Classic vision with OpenCV and NumPy: no model, no weights, always available.

Every function takes a PIL image or an RGB uint8 array and returns plain data.
Colour work happens in CIE Lab, where distances follow what people see.
"""

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

# Whole-photo measurements run on a copy this size: colours, background and
# foreground do not need 12 megapixels, and the copy keeps them fast.
WORKING_SIDE = 1024

# A small palette for naming colours; enough for catalog attributes.
NAMED_COLOURS: dict[str, tuple[int, int, int]] = {
    "black": (0, 0, 0),
    "charcoal": (54, 54, 54),
    "grey": (128, 128, 128),
    "silver": (192, 192, 192),
    "white": (255, 255, 255),
    "cream": (250, 240, 215),
    "beige": (220, 200, 160),
    "tan": (200, 160, 110),
    "brown": (110, 65, 30),
    "red": (210, 30, 30),
    "maroon": (120, 20, 30),
    "orange": (245, 130, 20),
    "yellow": (245, 210, 30),
    "olive": (120, 120, 30),
    "green": (40, 150, 50),
    "dark green": (20, 75, 35),
    "teal": (0, 128, 128),
    "light blue": (140, 190, 230),
    "blue": (30, 80, 200),
    "navy": (20, 30, 90),
    "purple": (110, 40, 140),
    "pink": (240, 150, 180),
}


@dataclass(frozen=True)
class LineMap:
    """Straight segments as rows of (x1, y1, x2, y2), drawn white on black in ``image``."""

    segments: np.ndarray
    image: np.ndarray


@dataclass(frozen=True)
class Sharpness:
    """Variance of the Laplacian over the photo and per tile (rows x cols); higher is sharper."""

    score: float
    tiles: np.ndarray


@dataclass(frozen=True)
class Exposure:
    """Mean luminance (0-1) and the fractions of pixels clipped to black or white."""

    mean: float
    shadows_clipped: float
    highlights_clipped: float


@dataclass(frozen=True)
class Colour:
    rgb: tuple[int, int, int]
    hex: str
    name: str
    fraction: float


@dataclass(frozen=True)
class Background:
    """The border's median colour and the fraction of border pixels close to it."""

    rgb: tuple[int, int, int]
    hex: str
    name: str
    uniformity: float


@dataclass(frozen=True)
class Foreground:
    """What stands out from the background: its box (x, y, width, height) in the
    photo's pixels, the box's share of the frame, and the share of pixels that differ."""

    box: tuple[int, int, int, int] | None
    fill_ratio: float
    coverage: float


@dataclass(frozen=True)
class PhotoAnalysis:
    width: int
    height: int
    sharpness: Sharpness
    exposure: Exposure
    colours: list[Colour]
    background: Background
    foreground: Foreground
    line_count: int


def as_rgb(image: Image.Image | np.ndarray) -> np.ndarray:
    """An H x W x 3 uint8 RGB array."""
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("RGB"))
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    return image[..., :3]


def line_map(image: Image.Image | np.ndarray, *, min_length: float | None = None) -> LineMap:
    """Straight line segments (LSD), the conditioning ControlNet MLSD expects.

    Segments shorter than ``min_length`` pixels (default: 1/40 of the longer
    side) are texture, not structure, and are dropped.
    """
    gray = cv2.cvtColor(as_rgb(image), cv2.COLOR_RGB2GRAY)
    height, width = gray.shape
    min_length = max(height, width) / 40 if min_length is None else min_length
    found = cv2.createLineSegmentDetector(cv2.LSD_REFINE_STD).detect(gray)[0]
    segments = np.zeros((0, 4), np.float32) if found is None else found.reshape(-1, 4)
    lengths = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
    segments = segments[lengths >= min_length]
    drawing = np.zeros((height, width), np.uint8)
    thickness = max(1, round(max(height, width) / 512))
    for x1, y1, x2, y2 in np.rint(segments).astype(int):
        cv2.line(drawing, (x1, y1), (x2, y2), 255, thickness)
    return LineMap(segments=segments, image=drawing)


def edge_map(image: Image.Image | np.ndarray, *, low: int = 100, high: int = 200) -> np.ndarray:
    """Canny edges, white on black, with ControlNet canny's usual thresholds."""
    return cv2.Canny(cv2.cvtColor(as_rgb(image), cv2.COLOR_RGB2GRAY), low, high)


def sharpness(image: Image.Image | np.ndarray, *, grid: tuple[int, int] = (4, 4)) -> Sharpness:
    """Variance of the Laplacian at full resolution, overall and per tile.

    The per-tile view finds a sharp product on a soft background, or a photo
    blurred at one side, which one global number averages away.
    """
    gray = cv2.cvtColor(as_rgb(image), cv2.COLOR_RGB2GRAY)
    laplacian = cv2.Laplacian(gray, cv2.CV_64F)
    rows, cols = grid
    height, width = gray.shape
    tiles = np.array([
        [laplacian[r * height // rows:(r + 1) * height // rows, c * width // cols:(c + 1) * width // cols].var()
         for c in range(cols)]
        for r in range(rows)
    ])
    return Sharpness(score=round(float(laplacian.var()), 2), tiles=tiles.round(2))


def exposure(image: Image.Image | np.ndarray, *, shadow_level: int = 5, highlight_level: int = 250) -> Exposure:
    """Mean luminance and clipping: pixels at or below ``shadow_level`` or at or above ``highlight_level``."""
    gray = cv2.cvtColor(as_rgb(image), cv2.COLOR_RGB2GRAY)
    return Exposure(
        mean=round(float(gray.mean()) / 255, 4),
        shadows_clipped=round(float((gray <= shadow_level).mean()), 4),
        highlights_clipped=round(float((gray >= highlight_level).mean()), 4),
    )


def dominant_colours(image: Image.Image | np.ndarray, *, k: int = 5) -> list[Colour]:
    """The ``k`` main colours (k-means in Lab), largest share first."""
    pixels = _lab(_shrink(as_rgb(image), 128)).reshape(-1, 3)
    k = min(k, len(np.unique(pixels, axis=0)))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    # k-means++ draws from OpenCV's global RNG; seeding it keeps a photo's
    # palette the same from run to run.
    cv2.setRNGSeed(0)
    _, assignment, centres = cv2.kmeans(pixels, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    shares = np.bincount(assignment.ravel(), minlength=k) / len(pixels)
    colours = [_colour(_rgb_of_lab(centre), share) for centre, share in zip(centres, shares, strict=True)]
    return sorted(colours, key=lambda colour: -colour.fraction)


def colour_name(rgb: tuple[int, int, int]) -> str:
    """The nearest name in ``NAMED_COLOURS``, by distance in Lab."""
    lab = _lab(np.array([[rgb]], np.uint8))[0, 0]
    distances = np.linalg.norm(_PALETTE_LAB - lab, axis=1)
    return _PALETTE_NAMES[int(distances.argmin())]


def background(image: Image.Image | np.ndarray, *, border: float = 0.04, tolerance: float = 10.0) -> Background:
    """The colour around the edges and how uniform it is (share of border pixels
    within ``tolerance`` Lab units of the median)."""
    lab = _lab(_shrink(as_rgb(image), WORKING_SIDE))
    ring = _border_pixels(lab, border)
    median = np.median(ring, axis=0)
    uniformity = float((np.linalg.norm(ring - median, axis=1) <= tolerance).mean())
    colour = _colour(_rgb_of_lab(median), 1.0)
    return Background(rgb=colour.rgb, hex=colour.hex, name=colour.name, uniformity=round(uniformity, 4))


def foreground(image: Image.Image | np.ndarray, *, threshold: float = 20.0, border: float = 0.04) -> Foreground:
    """Pixels farther than ``threshold`` Lab units from the border's colour, cleaned of
    specks, and their bounding box scaled back to the photo's pixels."""
    rgb = as_rgb(image)
    small = _shrink(rgb, WORKING_SIDE)
    lab = _lab(small)
    median = np.median(_border_pixels(lab, border), axis=0)
    mask = (np.linalg.norm(lab - median, axis=2) > threshold).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    min_area = mask.size * 0.001
    keep = [index for index in range(1, count) if stats[index, cv2.CC_STAT_AREA] >= min_area]
    if not keep:
        return Foreground(box=None, fill_ratio=0.0, coverage=0.0)
    mask = np.isin(labels, keep)
    x, y, w, h = cv2.boundingRect(mask.astype(np.uint8))
    scale = rgb.shape[1] / small.shape[1]
    box = (round(x * scale), round(y * scale), round(w * scale), round(h * scale))
    return Foreground(box=box, fill_ratio=round(w * h / mask.size, 4), coverage=round(float(mask.mean()), 4))


def analyse(image: Image.Image | np.ndarray) -> PhotoAnalysis:
    """Every measurement above for one photo."""
    rgb = as_rgb(image)
    small = _shrink(rgb, WORKING_SIDE)
    return PhotoAnalysis(
        width=rgb.shape[1],
        height=rgb.shape[0],
        sharpness=sharpness(rgb),
        exposure=exposure(rgb),
        colours=dominant_colours(small),
        background=background(small),
        foreground=foreground(rgb),
        line_count=len(line_map(small).segments),
    )


def _shrink(rgb: np.ndarray, side: int) -> np.ndarray:
    height, width = rgb.shape[:2]
    scale = side / max(height, width)
    if scale >= 1:
        return rgb
    return cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)


def _rgb_of_lab(lab: np.ndarray) -> tuple[int, int, int]:
    rgb = cv2.cvtColor(np.asarray(lab, np.float32).reshape(1, 1, 3), cv2.COLOR_LAB2RGB)[0, 0]
    return tuple(round(float(value)) for value in np.clip(rgb * 255, 0, 255))


def _colour(rgb: tuple[int, int, int], fraction: float) -> Colour:
    hex_code = "#{:02x}{:02x}{:02x}".format(*rgb)
    return Colour(rgb=rgb, hex=hex_code, name=colour_name(rgb), fraction=round(float(fraction), 4))


def _border_pixels(lab: np.ndarray, border: float) -> np.ndarray:
    height, width = lab.shape[:2]
    band = max(1, round(min(height, width) * border))
    ring = np.ones((height, width), bool)
    ring[band:height - band, band:width - band] = False
    return lab[ring]


_PALETTE_NAMES = list(NAMED_COLOURS)
_PALETTE_LAB = _lab(np.array([list(NAMED_COLOURS.values())], np.uint8))[0]
