"""Architectural integrity: does the generator's raw output show the same room?

Measured on the raw output, before the pixel lock: after the lock every pixel
outside the furnished area is the original's by construction, so only the raw
output can say whether the model redrew the room (which the lock would hide but
which shows as seams where its furniture meets the restored walls).

The measure is a correspondence of straight segments, not "an edge somewhere
near". Both images are brought to ``WORKING_SIDE`` on their long side (so the
tolerances mean the same on a phone photo and a 40-megapixel one) and their
structural segments found with OpenCV's line segment detector, keeping those at
least ``MIN_SEGMENT_SHARE`` of the long side (shorter ones are texture). Each
segment is sampled every pixel, and a sample is *matched* when the other image
has a segment of the same orientation (within ``ANGLE_TOLERANCE_DEG``) within
``POSITION_TOLERANCE_SHARE`` of the long side.

- **structure** (outside the furnished area, with a margin of the tolerance):
  recall is the share of the original's segment length that the output matches
  *and* still draws with at least ``KEPT_CONTRAST`` of the original's gradient
  (so a blurred copy does not pass for the room); precision is the share of the
  output's segment length that matches the original (so noise, clutter or
  another room's lines count against it). The part is their F-score.
- **boundary** (the original's structural lines inside the furnished area: the
  floor/wall junction the furniture stands on, skirting, the foot of a door).
  Furniture may hide them, so each sample is one of three things: *kept* (as
  above), *lost* (no line, and the output there has the colour of one of the
  line's two sides: the junction was erased or moved) or *occluded* (something
  of another colour stands in front). The part is kept / (kept + lost); with
  too little of it visible it is not scored.

The score is the structure F-score times ``1 - BOUNDARY_WEIGHT * (1 - boundary)``
where the boundary was scored: a moved junction costs up to half the score,
and furniture that happens to share a wall's colour cannot sink a good result
on its own. ``docs/ai.md`` has the calibration table
(``tests/benchmarks/bench_staging.py --calibration``) the default threshold was
chosen from.
"""

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from config.ai import vision

WORKING_SIDE = 768
MIN_SEGMENT_SHARE = 0.02
POSITION_TOLERANCE_SHARE = 0.008
ANGLE_TOLERANCE_DEG = 10.0
KEPT_CONTRAST = 0.5
GRADIENT_BLUR_SIGMA = 1.0
# A "lost" boundary sample: the output there is within this CIE76 distance (Lab)
# of the colour on one side of the original line.
SAME_SURFACE_DELTA_E = 10.0
# Below this share of the boundary samples visible (kept or lost), the
# furniture hides the junction and the boundary part is not scored.
MIN_VISIBLE_BOUNDARY = 0.15
# Orientation bins of the distance maps: 10 degrees each, so "same orientation"
# looks in a sample's own bin and its two neighbours.
ORIENTATION_BINS = 18
BOUNDARY_WEIGHT = 0.5
DEFAULT_THRESHOLD = 0.55


@dataclass(frozen=True)
class IntegrityReport:
    """The integrity score (0-1), whether it passed, and the parts it came from."""

    score: float
    passed: bool
    threshold: float
    recall: float
    precision: float
    structure: float
    boundary: float | None
    boundary_visible: float
    original_segments: int
    output_segments: int
    tolerance_px: int

    def as_dict(self) -> dict[str, float | int | bool | None]:
        """The report as JSON-ready figures (the job step's data and the result's parts)."""
        return {
            "score": self.score, "passed": self.passed, "threshold": self.threshold, "recall": self.recall,
            "precision": self.precision, "structure": self.structure, "boundary": self.boundary,
            "boundary_visible": self.boundary_visible, "original_segments": self.original_segments,
            "output_segments": self.output_segments, "tolerance_px": self.tolerance_px,
        }


@dataclass(frozen=True)
class _Samples:
    """Points along segments: coordinates, orientation bin and direction (unit vector)."""

    x: np.ndarray
    y: np.ndarray
    bins: np.ndarray
    direction: np.ndarray

    def where(self, keep: np.ndarray) -> "_Samples":
        return _Samples(self.x[keep], self.y[keep], self.bins[keep], self.direction[keep])

    def __len__(self) -> int:
        return len(self.x)


def measure_integrity(
    original: Image.Image, result: Image.Image, mask: Image.Image, *, threshold: float = DEFAULT_THRESHOLD,
    score_boundary: bool = True,
) -> IntegrityReport:
    """Compare the raw generator ``result`` with ``original`` (see the module docstring).

    All three images must have the same size. ``mask`` is "L", 255 where
    furniture may be painted. ``score_boundary=False`` scores the structure
    outside the area only: when decluttering, the original's lines inside the
    area are mostly the clutter's, whose loss is the point.
    """
    _same_size(original, result, mask)
    size = _working_size(original.size)
    before = np.asarray(original.convert("RGB").resize(size, Image.Resampling.BILINEAR))
    after = np.asarray(result.convert("RGB").resize(size, Image.Resampling.BILINEAR))
    inside = np.asarray(mask.convert("L").resize(size, Image.Resampling.NEAREST)) >= 128
    tolerance = max(2, round(max(size) * POSITION_TOLERANCE_SHARE))
    min_length = max(size) * MIN_SEGMENT_SHARE
    segments_before = vision.line_map(before, min_length=min_length).segments
    segments_after = vision.line_map(after, min_length=min_length).segments
    near_mask = cv2.dilate(inside.astype(np.uint8), _disc(tolerance)) > 0
    samples_before, samples_after = _sample(segments_before, size), _sample(segments_after, size)
    outside_before = samples_before.where(~near_mask[samples_before.y, samples_before.x])
    outside_after = samples_after.where(~near_mask[samples_after.y, samples_after.x])
    distance_after, distance_before = _distance_maps(segments_after, size), _distance_maps(segments_before, size)
    gradient_before, gradient_after = _gradient(before), _gradient(after)
    gradient_after_near = cv2.dilate(gradient_after, _disc(tolerance))

    kept = _matched(outside_before, distance_after, tolerance) & _contrast_kept(
        outside_before, gradient_before, gradient_after_near)
    recall = _share(kept, len(outside_before))
    precision = _share(_matched(outside_after, distance_before, tolerance), len(outside_after))
    structure = _f_score(recall, precision, len(outside_before), len(outside_after))

    in_area = samples_before.where(inside[samples_before.y, samples_before.x] & score_boundary)
    boundary, visible = _boundary(in_area, before, after, distance_after, gradient_before, gradient_after_near,
                                  tolerance)
    score = round(structure * (1 - BOUNDARY_WEIGHT * (1 - boundary) if boundary is not None else 1.0), 4)
    return IntegrityReport(
        score=score, passed=score >= threshold, threshold=threshold, recall=recall, precision=precision,
        structure=round(structure, 4), boundary=boundary, boundary_visible=visible,
        original_segments=len(segments_before), output_segments=len(segments_after), tolerance_px=tolerance,
    )


def _boundary(samples: _Samples, before: np.ndarray, after: np.ndarray, distance_after: np.ndarray,
              gradient_before: np.ndarray, gradient_after_near: np.ndarray,
              tolerance: int) -> tuple[float | None, float]:
    """Kept / (kept + lost) over the original's lines inside the furnished area, and the visible share."""
    if not len(samples):
        return None, 0.0
    kept = _matched(samples, distance_after, tolerance) & _contrast_kept(samples, gradient_before,
                                                                          gradient_after_near)
    lab_before, lab_after = _lab(before), _lab(cv2.GaussianBlur(after, (5, 5), 0))
    height, width = before.shape[:2]
    normal = np.stack([-samples.direction[:, 1], samples.direction[:, 0]], axis=1) * (tolerance + 2)
    here = lab_after[samples.y, samples.x]
    same_surface = np.zeros(len(samples), bool)
    for side in (1, -1):
        x = np.clip(np.rint(samples.x + side * normal[:, 0]).astype(int), 0, width - 1)
        y = np.clip(np.rint(samples.y + side * normal[:, 1]).astype(int), 0, height - 1)
        same_surface |= np.linalg.norm(here - lab_before[y, x], axis=1) <= SAME_SURFACE_DELTA_E
    lost = ~kept & same_surface
    visible = int(kept.sum() + lost.sum())
    visible_share = round(visible / len(samples), 4)
    if visible_share < MIN_VISIBLE_BOUNDARY:
        return None, visible_share
    return round(float(kept.sum()) / visible, 4), visible_share


def _sample(segments: np.ndarray, size: tuple[int, int]) -> _Samples:
    """A point every pixel along each segment, with the segment's orientation."""
    width, height = size
    xs, ys, bins, directions = [], [], [], []
    for x1, y1, x2, y2 in segments:
        length = float(np.hypot(x2 - x1, y2 - y1))
        count = max(2, int(length) + 1)
        xs.append(np.linspace(x1, x2, count))
        ys.append(np.linspace(y1, y2, count))
        bins.append(np.full(count, _orientation_bin(x2 - x1, y2 - y1)))
        directions.append(np.tile([(x2 - x1) / length, (y2 - y1) / length], (count, 1)))
    if not xs:
        return _Samples(np.zeros(0, int), np.zeros(0, int), np.zeros(0, int), np.zeros((0, 2)))
    x = np.clip(np.rint(np.concatenate(xs)).astype(int), 0, width - 1)
    y = np.clip(np.rint(np.concatenate(ys)).astype(int), 0, height - 1)
    return _Samples(x, y, np.concatenate(bins), np.concatenate(directions))


def _orientation_bin(dx: float, dy: float) -> int:
    angle = np.degrees(np.arctan2(dy, dx)) % 180.0
    return int(angle // (180.0 / ORIENTATION_BINS)) % ORIENTATION_BINS


def _distance_maps(segments: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Per orientation bin, each pixel's distance to the nearest segment of that bin
    or its neighbours (ORIENTATION_BINS x H x W, float32)."""
    width, height = size
    drawn = np.zeros((ORIENTATION_BINS, height, width), np.uint8)
    for x1, y1, x2, y2 in segments:
        centre = _orientation_bin(x2 - x1, y2 - y1)
        for offset in (-1, 0, 1):
            cv2.line(drawn[(centre + offset) % ORIENTATION_BINS], (round(x1), round(y1)), (round(x2), round(y2)),
                     255, 1)
    maps = np.empty(drawn.shape, np.float32)
    for index in range(ORIENTATION_BINS):
        # distanceTransform measures to the nearest zero pixel.
        maps[index] = cv2.distanceTransform(255 - drawn[index], cv2.DIST_L2, 3)
    return maps


def _matched(samples: _Samples, distance: np.ndarray, tolerance: int) -> np.ndarray:
    return distance[samples.bins, samples.y, samples.x] <= tolerance


def _contrast_kept(samples: _Samples, gradient_before: np.ndarray, gradient_after_near: np.ndarray) -> np.ndarray:
    return gradient_after_near[samples.y, samples.x] >= KEPT_CONTRAST * gradient_before[samples.y, samples.x]


def _share(flags: np.ndarray, total: int) -> float:
    return round(float(flags.sum()) / total, 4) if total else 1.0


def _f_score(recall: float, precision: float, original_count: int, output_count: int) -> float:
    if not original_count and not output_count:
        return 1.0  # nothing to keep and nothing invented
    if not original_count or not output_count:
        return 0.0
    return 0.0 if recall + precision == 0 else 2 * recall * precision / (recall + precision)


def _gradient(rgb: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude after a light blur, so a generator's grain is not a line."""
    gray = cv2.GaussianBlur(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32), (0, 0), GRADIENT_BLUR_SIGMA)
    return cv2.magnitude(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def _disc(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)


def _same_size(original: Image.Image, result: Image.Image, mask: Image.Image) -> None:
    if not original.size == result.size == mask.size:
        raise ValueError(f"Sizes differ: original {original.size}, result {result.size}, mask {mask.size}.")


def _working_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    scale = WORKING_SIDE / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))
