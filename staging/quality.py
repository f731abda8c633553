"""The seed's ``quality_score``: one 0-1 number from measurements of the staged photo.

Four parts, each mapped to 0-1 by a documented curve and kept with its raw
measurement in ``parts`` so a low score can be explained:

- sharpness: variance of the Laplacian on a copy with a long side of at most
  1024 px (the variance depends on resolution, so large photos are measured at
  one size), less what noise adds: white noise of sigma s gives OpenCV's
  4-neighbour Laplacian a variance of 20 s^2, and grain is not detail. Scored
  ``v / (v + 100)``: 100 is the usual blur cutoff for this measure and earns
  half marks; 300 earns 0.75, 1000 earns 0.91.
- exposure: mean luminance and clipping. The mean earns full marks between
  0.35 and 0.70 (listing photos are bright) and falls linearly to 0 at black
  or white; clipping costs linearly, to 0 when a quarter of the pixels are
  crushed to black or blown to white. The part is the product of the two.
- noise: sigma from Immerkaer's fast estimate (the mean absolute response to a
  Laplacian-difference kernel that cancels smooth image structure), in 8-bit
  levels. Scored ``1 / (1 + (sigma / 6) ** 2)``: sigma 2 earns 0.9, 6 earns 0.5.
- integrity: the architectural-integrity score, as given.

Integrity and sharpness weigh most: a staged photo that moved a wall or came
out soft is unusable whatever its exposure.
"""

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from config.ai import vision

WORKING_SIDE = 1024
WEIGHTS: dict[str, float] = {"sharpness": 0.3, "exposure": 0.2, "noise": 0.15, "integrity": 0.35}
SHARPNESS_HALF = 100.0
EXPOSURE_GOOD_MEAN = (0.35, 0.70)
CLIPPED_LIMIT = 0.25
NOISE_HALF = 6.0
# Sum of the squared weights of cv2.Laplacian's default kernel (4 neighbours, -4 centre).
NOISE_LAPLACIAN_GAIN = 20.0
# Immerkaer (1996): this kernel is the difference of two Laplacians, so flat
# areas and linear ramps give 0 and what remains is mostly noise.
_NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float64)


@dataclass(frozen=True)
class QualityReport:
    """``score`` (0-1) and, per part, its 0-1 score and raw measurements (JSON-ready)."""

    score: float
    parts: dict[str, dict[str, float]]
    weights: dict[str, float]


def quality_score(result: Image.Image, *, integrity_score: float) -> QualityReport:
    """Score the staged photo from its sharpness, exposure and noise, and the integrity score."""
    small = np.asarray(_shrink(result.convert("RGB")))
    variance = vision.sharpness(small).score
    light = vision.exposure(small)
    sigma = noise_sigma(small)
    detail = max(0.0, variance - NOISE_LAPLACIAN_GAIN * sigma**2)
    parts = {
        "sharpness": {
            "score": _round(detail / (detail + SHARPNESS_HALF)), "laplacian_variance": variance,
            "detail_variance": _round(detail),
        },
        "exposure": {
            "score": _round(_exposure_part(light)), "mean": light.mean,
            "shadows_clipped": light.shadows_clipped, "highlights_clipped": light.highlights_clipped,
        },
        "noise": {"score": _round(1 / (1 + (sigma / NOISE_HALF) ** 2)), "sigma": _round(sigma)},
        "integrity": {"score": _round(min(1.0, max(0.0, integrity_score)))},
    }
    score = sum(WEIGHTS[name] * part["score"] for name, part in parts.items())
    return QualityReport(score=_round(score), parts=parts, weights=dict(WEIGHTS))


def noise_sigma(image: Image.Image | np.ndarray) -> float:
    """Immerkaer's estimate of the noise standard deviation, in 8-bit grey levels."""
    gray = cv2.cvtColor(vision.as_rgb(image), cv2.COLOR_RGB2GRAY).astype(np.float64)
    height, width = gray.shape
    if height < 3 or width < 3:
        return 0.0
    response = cv2.filter2D(gray, -1, _NOISE_KERNEL)[1:-1, 1:-1]
    return float(np.sqrt(np.pi / 2) * np.abs(response).sum() / (6 * (width - 2) * (height - 2)))


def _exposure_part(light: vision.Exposure) -> float:
    low, high = EXPOSURE_GOOD_MEAN
    if light.mean < low:
        mean_part = light.mean / low
    elif light.mean > high:
        mean_part = (1 - light.mean) / (1 - high)
    else:
        mean_part = 1.0
    clipped = light.shadows_clipped + light.highlights_clipped
    return mean_part * max(0.0, 1 - clipped / CLIPPED_LIMIT)


def _shrink(image: Image.Image) -> Image.Image:
    width, height = image.size
    scale = WORKING_SIDE / max(width, height)
    # Upscaling would invent no detail but would lower the Laplacian variance,
    # so small images are measured as they are.
    if scale >= 1:
        return image
    return image.resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS)


def _round(value: float) -> float:
    return round(float(value), 4)
