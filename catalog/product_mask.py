"""The product's mask in a photo: OpenCV GrabCut seeded by the backdrop measurement.

The border band's backdrop-coloured pixels are background for certain (a
product photo's subject is framed inside it). Elsewhere, pixels that differ from the border's median colour
by more than ``measure.FOREGROUND_DISTANCE`` Lab units seed the product and
the rest seed the background; GrabCut then learns both colour models and cuts
along edges, so a textured backdrop (a wooden table) is told apart from the
product by its colours rather than by one median. The cut runs on a copy whose
long side is ``CUT_SIDE`` pixels (GrabCut's time grows with the pixel count)
and the mask is brought back to the caller's size with smoothed edges.
"""

from dataclasses import dataclass

import cv2
import numpy as np

# GrabCut's graph is built per pixel; 400 px keeps a cut near 0.1 s and the
# product's outline within a few pixels of a 1024 px working copy.
CUT_SIDE = 400
ITERATIONS = 5
BORDER = 0.04
SEED_DISTANCE = 20.0
# Regions smaller than this share of the frame are specks, not the product.
MIN_REGION = 0.002


@dataclass(frozen=True)
class ProductMask:
    """A boolean mask (True on the product) and its bounding box ``(x, y, width, height)``.

    ``box`` is None when nothing was cut out.
    """

    mask: np.ndarray
    box: tuple[int, int, int, int] | None

    @property
    def coverage(self) -> float:
        """The product's share of the frame's pixels."""
        return float(self.mask.mean())

    @property
    def edge_share(self) -> float:
        """The share of the frame's outermost pixels the cut covers.

        Near 0 for a whole product framed on a backdrop; higher when the product
        is cropped by the frame or the cut took in parts of a scene.
        """
        edge = np.concatenate([self.mask[0], self.mask[-1], self.mask[1:-1, 0], self.mask[1:-1, -1]])
        return float(edge.mean())

    def fill(self) -> float:
        """The box's longer side relative to the frame: the larger of width and height shares."""
        if self.box is None:
            return 0.0
        height, width = self.mask.shape
        return max(self.box[2] / width, self.box[3] / height)


def product_mask(rgb: np.ndarray) -> ProductMask:
    """Cut the product out of an RGB ``uint8`` photo; the mask has the photo's size."""
    height, width = rgb.shape[:2]
    scale = min(1.0, CUT_SIDE / max(height, width))
    small = cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))),
                       interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    seeds = _seeds(small)
    if not (seeds == cv2.GC_PR_FGD).any():
        return ProductMask(mask=np.zeros((height, width), bool), box=None)
    background_model, foreground_model = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
    # GrabCut seeds its colour models with k-means on OpenCV's global RNG; a fixed
    # seed makes one photo give one mask whatever ran before it in the process.
    cv2.setRNGSeed(0)
    cv2.grabCut(bgr, seeds, None, background_model, foreground_model, ITERATIONS, cv2.GC_INIT_WITH_MASK)
    cut = np.isin(seeds, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.float32)
    # Bilinear enlargement then a 0.5 threshold puts the edge between the cut's pixels, not on their grid.
    full = cv2.resize(cut, (width, height), interpolation=cv2.INTER_LINEAR) >= 0.5 if scale < 1 else cut > 0
    full = _without_specks(full)
    if not full.any():
        return ProductMask(mask=full, box=None)
    return ProductMask(mask=full, box=tuple(int(v) for v in cv2.boundingRect(full.astype(np.uint8))))


def iou(mask: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of two boolean masks of one size (1.0 when both are empty)."""
    union = np.logical_or(mask, truth).sum()
    return float(np.logical_and(mask, truth).sum() / union) if union else 1.0


def _seeds(rgb: np.ndarray) -> np.ndarray:
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)
    ring = _ring(*lab.shape[:2])
    distance = np.linalg.norm(lab - np.median(lab[ring], axis=0), axis=2)
    differs = distance > SEED_DISTANCE
    seeds = np.where(differs, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    # Only the band's backdrop-coloured pixels are certain: a product reaching into
    # the band, or the grain of a table, is left for the cut to decide.
    seeds[ring & ~differs] = cv2.GC_BGD
    seeds[ring & differs] = cv2.GC_PR_BGD
    return seeds


def _ring(height: int, width: int) -> np.ndarray:
    band = max(1, round(min(height, width) * BORDER))
    ring = np.ones((height, width), bool)
    ring[band:height - band, band:width - band] = False
    return ring


def _without_specks(mask: np.ndarray) -> np.ndarray:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= mask.size * MIN_REGION]
    return np.isin(labels, keep)
