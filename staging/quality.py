"""Staging's ``quality_score``: does the delivered photo look like a photo, and does
its furnished area look like the rest of it?

The delivered image is the original outside the furnished-area mask and the
generator's work inside, so a whole-photo measure mostly grades the customer's
own photo. The parts that rank garbage (noise, a heavy blur or a flat fill in
the area, none of which the integrity check sees) compare the furnished area
with the rest of the same photo, which is the best reference a no-reference
check has.

Everything is measured on a copy with a long side of at most 512 px (box
filter, the mask shrunk with it), in luma (BRISQUE's weights 0.2125, 0.7154,
0.0721). The area and the rest are each eroded by 4 px so that neither sees the
seam or the pixel lock's feather. Each part maps its raw measurements to 0-1 by
a documented curve and keeps them in ``parts``:

- brisque: BRISQUE (Mittal et al. 2012) of the whole delivered image, with the
  SVR model and feature scaling shipped in the ``brisque`` package. Lower is
  better; the calibration photos measure -8 to 11, the drawn rooms 36. Scored
  1 up to 30, falling linearly to 0 at 80.
- area_brisque: the same 36 features fitted only to the area's coefficients
  (both scales), and, as the yardstick, to the rest's. The area earns 1 up to
  the rest's BRISQUE + 10, kept between 45 and 55 (a grainy photo excuses a
  grainy area, but no photo excuses a blur, which measures 80 or more), and
  falls linearly to 0 over the next 25. An area with no variation at all
  has no BRISQUE features (their fit divides by zero): it scores 0 and reports
  100.
- area_detail: whether the area kept its detail, as the larger of two cues,
  each scored on a log scale. Structure: the Laplacian variance of the area
  over the rest's (the rest's floored at 50), 1 from a ratio of 0.1 up, 0 at
  0.01 or below (a blur of 1% of the frame measures 0.005). Grain: an empty
  floor has little structure but keeps the camera's grain, so ``noise_sigma``
  in the area over the rest's earns 1 from 0.6 up and 0 at 0.25; it only counts
  when the rest has grain to compare with (sigma 0.6 or more; 8-bit rounding
  alone measures about 0.2). Noise is not penalised here, only missing detail.
- area_grain: ``noise_sigma`` of the area over the rest's, the rest's floored
  at 1.5 grey levels (what a clean photo may differ by). 1 up to a ratio of 2,
  0 at 8, log scale. Pure noise measures 13 or more, a sofa painted with a
  little grain on a clean night photo about 1.
- integrity: the architectural-integrity score, as given.

When the area is empty (nothing was painted) its three parts score 1. When the
rest is too small to be a yardstick, the area is compared with typical values
of the calibration photos' rests (``TYPICAL_REST``).

The local ImageNet labeler was tried as a plausibility part and left out: on
the calibration set its labels for an empty floor are as random as for noise or
a flat fill, so it cannot reward furniture without penalising an empty room.
"""

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from config.image_quality import brisque, falling, luma, noise_sigma

WORKING_SIDE = 512
WEIGHTS: dict[str, float] = {
    "brisque": 0.1, "area_brisque": 0.3, "area_detail": 0.25, "area_grain": 0.15, "integrity": 0.2,
}
SEAM_PX = 4
# Fewer working-size pixels than this and a side is not measured.
MIN_PIXELS = 1024

BRISQUE_GOOD, BRISQUE_BAD = 30.0, 80.0
AREA_BRISQUE_ALLOWED, AREA_BRISQUE_MARGIN, AREA_BRISQUE_SPAN = (45.0, 55.0), 10.0, 25.0
DETAIL_FLOOR = 50.0
DETAIL_RATIO = (0.01, 0.1)
GRAIN_KEPT_RATIO = (0.25, 0.6)
GRAIN_MEANINGFUL = 0.6
GRAIN_FLOOR = 1.5
GRAIN_RATIO = (2.0, 8.0)
TYPICAL_REST = {"brisque": 20.0, "laplacian_variance": 500.0, "grain": 0.8}



@dataclass(frozen=True)
class QualityReport:
    """``score`` (0-1) and, per part, its 0-1 score and raw measurements (JSON-ready)."""

    score: float
    parts: dict[str, dict[str, float]]
    weights: dict[str, float]


def quality_score(result: Image.Image, *, mask: Image.Image, integrity_score: float) -> QualityReport:
    """Score the delivered photo: BRISQUE of the whole, and its furnished area against the rest.

    ``mask`` is "L" at ``result``'s size, 255 where furniture may be painted;
    a different size raises ``ValueError``.
    """
    if result.size != mask.size:
        raise ValueError(f"Sizes differ: result {result.size}, mask {mask.size}.")
    gray, inside = _working_copy(result, mask)
    area, rest = _eroded(inside), _eroded(~inside)
    whole = brisque(gray)
    parts = {
        "brisque": {"score": _round(falling(whole, BRISQUE_GOOD, BRISQUE_BAD)), "brisque": _round(whole)},
        **_area_parts(gray, area, rest),
        "integrity": {"score": _round(min(1.0, max(0.0, integrity_score)))},
    }
    score = sum(WEIGHTS[name] * part["score"] for name, part in parts.items())
    return QualityReport(score=_round(score), parts=parts, weights=dict(WEIGHTS))


def _area_parts(gray: np.ndarray, area: np.ndarray, rest: np.ndarray) -> dict[str, dict[str, float]]:
    """area_brisque, area_detail and area_grain: the furnished area against the rest."""
    pixels = int(area.sum())
    if pixels < MIN_PIXELS:
        # Nothing was painted, so nothing can have been painted badly.
        return {name: {"score": 1.0, "pixels": float(pixels)} for name in ("area_brisque", "area_detail", "area_grain")}
    laplacian = cv2.Laplacian(gray * 255, cv2.CV_64F)
    own = {"brisque": brisque(gray, area), "laplacian_variance": float(laplacian[area].var()),
           "grain": noise_sigma(gray * 255, where=area)}
    if rest.sum() >= MIN_PIXELS:
        yardstick = {"brisque": brisque(gray, rest), "laplacian_variance": float(laplacian[rest].var()),
                     "grain": noise_sigma(gray * 255, where=rest)}
    else:
        yardstick = dict(TYPICAL_REST)

    allowed = min(max(yardstick["brisque"] + AREA_BRISQUE_MARGIN, AREA_BRISQUE_ALLOWED[0]), AREA_BRISQUE_ALLOWED[1])
    structure = own["laplacian_variance"] / max(yardstick["laplacian_variance"], DETAIL_FLOOR)
    kept = own["grain"] / max(yardstick["grain"], 1e-6)
    detail = _rising_log(structure, *DETAIL_RATIO)
    if yardstick["grain"] >= GRAIN_MEANINGFUL:
        detail = max(detail, _rising_log(kept, *GRAIN_KEPT_RATIO))
    excess = own["grain"] / max(yardstick["grain"], GRAIN_FLOOR)
    return {
        "area_brisque": {
            "score": _round(falling(own["brisque"], allowed, allowed + AREA_BRISQUE_SPAN)),
            "brisque": _round(own["brisque"]), "rest_brisque": _round(yardstick["brisque"]),
            "allowed": _round(allowed), "pixels": float(pixels),
        },
        "area_detail": {
            "score": _round(detail), "laplacian_variance": _round(own["laplacian_variance"]),
            "rest_laplacian_variance": _round(yardstick["laplacian_variance"]), "structure_ratio": _round(structure),
            "grain_ratio": _round(kept),
        },
        "area_grain": {
            "score": _round(1 - _rising_log(excess, *GRAIN_RATIO)), "sigma": _round(own["grain"]),
            "rest_sigma": _round(yardstick["grain"]), "ratio": _round(excess),
        },
    }


def _working_copy(result: Image.Image, mask: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """Luma (0-1) and the painted pixels (bool) on a copy at most ``WORKING_SIDE`` long."""
    image = result if result.mode == "RGB" else result.convert("RGB")
    mask = mask if mask.mode == "L" else mask.convert("L")
    width, height = image.size
    scale = WORKING_SIDE / max(width, height)
    if scale < 1:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        # A box filter averages what it drops, as a camera's larger pixels would;
        # reducing_gap first reduces by a whole factor, which is 2x faster on 12 MP.
        image = image.resize(size, Image.Resampling.BOX, reducing_gap=2.0)
        mask = mask.resize(size, Image.Resampling.BOX, reducing_gap=2.0)
    return luma(image) / 255, np.asarray(mask) >= 128


def _eroded(selection: np.ndarray) -> np.ndarray:
    window = np.ones((2 * SEAM_PX + 1, 2 * SEAM_PX + 1), np.uint8)
    return cv2.erode(selection.astype(np.uint8), window, borderType=cv2.BORDER_REPLICATE) > 0


def _rising_log(value: float, zero: float, full: float) -> float:
    """0 up to ``zero``, 1 from ``full``, linear in the logarithm between."""
    if value <= zero:
        return 0.0
    return float(min(1.0, np.log(value / zero) / np.log(full / zero)))


def _round(value: float) -> float:
    return round(float(value), 4)
