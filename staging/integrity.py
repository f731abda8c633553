"""Architectural integrity: did the generator keep the room, and putting the room back.

``measure_integrity`` is the check the seed's ``architectural_integrity`` flag
reports: the share of the original's straight lines outside the furnished area
that the result still shows. ``pixel_lock`` is the guarantee: outside the
furnished area the delivered image is the original, pixel for pixel.

Measure before locking. After ``pixel_lock`` every line outside the mask is the
original's by construction and the score is 1; measured on the generator's
output, it says whether the model redrew the room, which the lock would hide
but which shows as seams where its furniture meets the restored walls.
"""

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image
from skimage.color import deltaE_ciede2000, rgb2lab

from config.ai import vision

# Both images are compared at this size, so the tolerance below means the same
# thing on a phone photo and on a 40-megapixel one.
WORKING_SIDE = 1024
# A line counts as kept when the result has a line or edge within this share of
# the long side (4 px at 1024): resampling and a generator's redraw move a
# crisp line by a pixel or two, a moved wall by far more.
TOLERANCE_SHARE = 0.004
KEPT_CONTRAST = 0.5
GRADIENT_BLUR_SIGMA = 1.0
# On the drawn test room a resampled or fully repainted-with-noise copy scores
# 1.0, an erased window 0.86 and a side wall moved by 5% of the width 0.88: the
# score is a share of all line pixels, so losing one feature moves it by that
# feature's share of the room's lines.
DEFAULT_THRESHOLD = 0.92
# Wide enough to hide the seam where generated furniture meets restored wall,
# narrow enough to stay inside the mask's band of wall.
FEATHER_SHARE = 0.005


@dataclass(frozen=True)
class IntegrityReport:
    """Share (0-1) of the original's line pixels outside the mask that the result keeps."""

    score: float
    passed: bool
    threshold: float
    line_pixels: int
    kept_pixels: int
    tolerance_px: int


@dataclass(frozen=True)
class LockedResult:
    """The result with the original restored outside the mask, and the share of
    unmasked pixels within CIEDE2000 ΔE 1 of the original (1.0 when exact)."""

    image: Image.Image
    share_within_delta_e_1: float
    feather_px: int


def measure_integrity(
    original: Image.Image, result: Image.Image, mask: Image.Image, *, threshold: float = DEFAULT_THRESHOLD
) -> IntegrityReport:
    """How much of the original's line map survives in ``result`` outside ``mask``.

    All three images must have the same size (upsample the generated image to the
    original's first). ``mask`` is "L", 255 where repainting is allowed. A photo
    with no lines outside the mask has nothing to break and scores 1.
    """
    _same_size(original, result, mask)
    size = _working_size(original.size)
    before = np.asarray(original.convert("RGB").resize(size, Image.Resampling.LANCZOS))
    after = np.asarray(result.convert("RGB").resize(size, Image.Resampling.LANCZOS))
    outside = np.asarray(mask.convert("L").resize(size, Image.Resampling.NEAREST)) < 128
    tolerance = max(2, round(max(size) * TOLERANCE_SHARE))
    window = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * tolerance + 1,) * 2)
    lines = (vision.line_map(before).image > 0) & outside
    found = (vision.line_map(after).image > 0) | (vision.edge_map(after) > 0)
    near_found = cv2.dilate(found.astype(np.uint8), window) > 0
    # Canny's fixed thresholds miss a faint line (two walls of one paint colour
    # meeting in a corner) once resampling has softened it, though LSD found it
    # in the original; such a line counts as kept when the result has at least
    # KEPT_CONTRAST of the original's gradient there.
    contrast_kept = cv2.dilate(_gradient(after), window) >= KEPT_CONTRAST * cv2.dilate(_gradient(before), None)
    total = int(lines.sum())
    kept = int((lines & (near_found | contrast_kept)).sum())
    score = round(kept / total, 4) if total else 1.0
    return IntegrityReport(
        score=score, passed=score >= threshold, threshold=threshold, line_pixels=total, kept_pixels=kept,
        tolerance_px=tolerance,
    )


def pixel_lock(
    original: Image.Image, result: Image.Image, mask: Image.Image, *, feather_px: int | None = None
) -> LockedResult:
    """The original outside ``mask``, ``result`` inside, blended over ``feather_px``
    pixels just inside the mask's edge so furniture does not end in a hard seam.

    All three images must have the same size. Pixels outside the mask come back
    exactly as they were in the original; only masked pixels are ever blended.
    ``feather_px`` defaults to 0.5% of the long side; 0 gives a hard edge.
    """
    _same_size(original, result, mask)
    if feather_px is None:
        feather_px = max(2, round(max(original.size) * FEATHER_SHARE))
    before = np.asarray(original.convert("RGB"))
    after = np.asarray(result.convert("RGB"))
    inside = (np.asarray(mask.convert("L")) >= 128).astype(np.uint8)
    if feather_px > 0:
        # Distance to the nearest unmasked pixel: 1 on the mask's rim, growing inwards.
        weight = np.clip(cv2.distanceTransform(inside, cv2.DIST_L2, 5) / feather_px, 0.0, 1.0)
    else:
        weight = inside.astype(np.float32)
    # Only masked pixels are computed, in float32: a 12-megapixel frame in
    # float64 would need a gigabyte for the blend alone.
    masked = inside.astype(bool)
    share = weight[masked][:, None]
    locked = before.copy()
    locked[masked] = np.rint(before[masked] * (1 - share) + after[masked] * share).astype(np.uint8)
    return LockedResult(
        image=Image.fromarray(locked), share_within_delta_e_1=_share_within_delta_e_1(before, locked, inside == 0),
        feather_px=feather_px,
    )


def _share_within_delta_e_1(before: np.ndarray, after: np.ndarray, region: np.ndarray) -> float:
    """Share of ``region`` pixels within CIEDE2000 ΔE 1; identical pixels are 0 apart,
    so only the differing ones are converted to Lab (a 12-megapixel frame in
    float64 Lab would take hundreds of megabytes)."""
    total = int(region.sum())
    if not total:
        return 1.0
    differing = region & (before != after).any(axis=2)
    if not differing.any():
        return 1.0
    distances = deltaE_ciede2000(rgb2lab(before[differing][None]), rgb2lab(after[differing][None]))
    return round(1 - int((distances > 1).sum()) / total, 6)


def _gradient(rgb: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude after a light blur, which keeps a generator's noise
    from passing for a line."""
    gray = cv2.GaussianBlur(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32), (0, 0), GRADIENT_BLUR_SIGMA)
    return cv2.magnitude(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))


def _same_size(original: Image.Image, result: Image.Image, mask: Image.Image) -> None:
    if not original.size == result.size == mask.size:
        raise ValueError(f"Sizes differ: original {original.size}, result {result.size}, mask {mask.size}.")


def _working_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, WORKING_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))
