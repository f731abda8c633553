"""Did decluttering empty the furnished area? Edge density inside it, before and after.

Furniture, boxes and clutter are made of edges: outlines, cushions, legs,
shadows. A bare floor and wall keep only a few long lines (the skirting, the
floor/wall junction, floor boards). So the measure is the share of the
furnished area's pixels that sit on an edge (Sobel gradient magnitude above
``EDGE_LEVEL`` grey levels per pixel after a Gaussian blur of ``BLUR_SIGMA``,
so a generator's grain is no edge), in the original and in the engine's raw
output, both at ``WORKING_SIDE`` on the long side and with the area eroded by
``SEAM_PX`` so its rim does not count. ``drop`` is 1 - after / before: the
share of the area's edges that went. It passes at ``STAGING_DECLUTTER_MIN_DROP``
or more.

An engine that returns the furnished room unchanged drops nothing (0); one that
repaints it with new furniture or noise drops little or gains edges (a negative
drop). A room with nothing to remove cannot drop either: decluttering an empty
room fails, and it should be staged instead. ``docs/ai.md`` has the drawn
rooms' figures the default was chosen from.
"""

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

WORKING_SIDE = 512
BLUR_SIGMA = 1.5
EDGE_LEVEL = 20.0
SEAM_PX = 4
DEFAULT_MIN_DROP = 0.25


@dataclass(frozen=True)
class EmptinessReport:
    """Edge density in the furnished area before and after, the drop, and whether it passed."""

    before: float
    after: float
    drop: float
    passed: bool
    min_drop: float

    def as_dict(self) -> dict[str, float | bool]:
        return {"edge_density_before": self.before, "edge_density_after": self.after, "drop": self.drop,
                "passed": self.passed, "min_drop": self.min_drop}


def measure_emptiness(original: Image.Image, result: Image.Image, mask: Image.Image, *,
                      min_drop: float = DEFAULT_MIN_DROP) -> EmptinessReport:
    """Compare the edge density of ``mask``'s area in ``original`` and ``result`` (same sizes).

    ``mask`` is "L", 255 where the declutter may repaint.
    """
    if not original.size == result.size == mask.size:
        raise ValueError(f"Sizes differ: original {original.size}, result {result.size}, mask {mask.size}.")
    scale = min(1.0, WORKING_SIDE / max(original.size))
    size = (max(1, round(original.width * scale)), max(1, round(original.height * scale)))
    inside = np.asarray(mask.convert("L").resize(size, Image.Resampling.NEAREST)) >= 128
    area = cv2.erode(inside.astype(np.uint8), np.ones((2 * SEAM_PX + 1,) * 2, np.uint8)) > 0
    before, after = _edge_density(original, size, area), _edge_density(result, size, area)
    drop = round(1 - after / before, 4) if before else 0.0
    return EmptinessReport(before=round(before, 4), after=round(after, 4), drop=drop, passed=drop >= min_drop,
                           min_drop=min_drop)


def _edge_density(image: Image.Image, size: tuple[int, int], area: np.ndarray) -> float:
    if not area.any():
        return 0.0
    gray = np.asarray(image.convert("L").resize(size, Image.Resampling.BILINEAR), np.float32)
    gray = cv2.GaussianBlur(gray, (0, 0), BLUR_SIGMA)
    magnitude = cv2.magnitude(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    return float((magnitude[area] > EDGE_LEVEL).mean())
