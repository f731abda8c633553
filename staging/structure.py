"""The room's structure in the original photo: its line and edge maps, and where
furniture may be painted.

The furnished area is a geometric estimate, not a segmentation model. It rests
on how real-estate photos are taken: a level camera at about chest height with
vertical lines kept vertical, which puts the horizon (eye level) near the middle
row of the frame. Under that assumption:

1. The wall/floor boundary is the highest strong cluster of near-horizontal line
   segments between just below the horizon and the bottom of the frame: the
   back wall's floor line or skirting board. Floor boards parallel to the back
   wall also form such clusters, but lower down, and taking the highest cluster
   that is at least half as strong as the strongest one prefers the wall's.
   When there is no such cluster (a corner shot in two-point perspective, a
   blank or cluttered photo) the boundary falls back to a fixed row.
2. Seen from a camera at height c, the top of an object of height h standing on
   the floor at image row r lies h / c of the way from r up to the horizon, and
   farther objects stand higher in the frame. So the band above the farthest
   floor row that holds all furniture up to h is ``(boundary - horizon) * h / c``;
   ``FURNITURE_TO_CAMERA`` is that ratio (about 0.9 m of furniture for a camera
   at 1.5 m). Taller pieces (wardrobes, floor lamps) are cut off rather than
   the walls repainted.
3. The mask is every row from ``boundary - band`` down, and never reaches above
   the horizon: the ceiling and the top of the walls always stay original.
4. Window and door frames found in the line segments (two long verticals with
   aligned tops joined by a horizontal, standing on the wall above the
   boundary) are cut out of the mask, so furniture neither covers a window's
   lower part nor blocks a door.

It fails quietly on photos that break the assumptions (a tilted camera, a photo
cropped off-centre, a room seen from a staircase): the mask is then too small
or too large, never missing entirely. The pipeline's integrity check is the
safety net for what the mask lets through.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image

from config.ai import vision
from config.ai.image.base import ControlKind, ControlNetCondition

# Geometry runs on a copy this size: LSD on 12 megapixels is slow and finds
# texture, and the mask only needs row accuracy of a few pixels.
WORKING_SIDE = 1024
HORIZON_FRACTION = 0.5
FURNITURE_TO_CAMERA = 0.6
FALLBACK_BOUNDARY_FRACTION = 0.72
# The boundary is looked for between a little below the horizon and near the
# bottom edge, where a window sill or a ceiling line cannot be.
SEARCH_FROM_FRACTION = 0.55
SEARCH_TO_FRACTION = 0.95
# A "near-horizontal" or "near-vertical" segment is within this many degrees.
ANGLE_TOLERANCE_DEG = 8.0
# The boundary cluster's segments must add up to this share of the width.
MIN_BOUNDARY_EVIDENCE = 0.15
# Frames: verticals at least this share of the height, pairs this far apart
# (share of the width); wider pairs are the back wall's own corners.
MIN_FRAME_SIDE = 0.12
FRAME_GAP = (0.04, 0.35)


@dataclass(frozen=True)
class StructuralMaps:
    """The original photo's straight-line map (ControlNet MLSD) and Canny edge map
    (ControlNet canny), both white on black at the photo's size."""

    lines: Image.Image
    edges: Image.Image
    segment_count: int

    def condition(self, kind: str, *, scale: float = 1.0) -> ControlNetCondition:
        """The ControlNet conditioning of ``kind`` (``mlsd`` or ``canny``) from these maps."""
        if kind == ControlKind.MLSD:
            return ControlNetCondition(kind, self.lines, scale)
        if kind == ControlKind.CANNY:
            return ControlNetCondition(kind, self.edges, scale)
        raise ValueError(f"No {kind} map is made from a room photo.")


@dataclass(frozen=True)
class FurnishedArea:
    """Where furniture may be painted (``mask``: "L", 255 = may be repainted), at the
    photo's size, and the figures that placed it, in the photo's pixel rows."""

    mask: Image.Image
    boundary_row: int
    band_px: int
    top_row: int
    horizon_row: int
    coverage: float
    fell_back: bool
    excluded_boxes: list[tuple[int, int, int, int]]


def structural_maps(photo: Image.Image) -> StructuralMaps:
    """Line and edge maps of the photo at its own size."""
    found = vision.line_map(photo)
    return StructuralMaps(
        lines=Image.fromarray(found.image), edges=Image.fromarray(vision.edge_map(photo)),
        segment_count=len(found.segments),
    )


def furnished_area_mask(photo: Image.Image) -> FurnishedArea:
    """The floor and the band of wall above it where furniture stands (see the module docstring)."""
    width, height = photo.size
    scale = min(1.0, WORKING_SIDE / max(width, height))
    small = photo.convert("RGB").resize((max(1, round(width * scale)), max(1, round(height * scale))))
    segments = vision.line_map(small).segments / scale
    horizon = round(height * HORIZON_FRACTION)
    boundary = _boundary_row(segments, width, height)
    fell_back = boundary is None
    if boundary is None:
        boundary = round(height * FALLBACK_BOUNDARY_FRACTION)
    band = round((boundary - horizon) * FURNITURE_TO_CAMERA)
    top = max(horizon, boundary - band)
    mask = np.zeros((height, width), np.uint8)
    mask[top:] = 255
    boxes = _frames(segments, width, height, boundary)
    for left, box_top, right, bottom in boxes:
        mask[box_top:bottom, left:right] = 0
    return FurnishedArea(
        mask=Image.fromarray(mask), boundary_row=boundary, band_px=boundary - top, top_row=top, horizon_row=horizon,
        coverage=round(float(mask.mean()) / 255, 4), fell_back=fell_back, excluded_boxes=boxes,
    )


def _angles(segments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each segment's length and its angle from the horizontal in degrees (0-90)."""
    dx = segments[:, 2] - segments[:, 0]
    dy = segments[:, 3] - segments[:, 1]
    return np.hypot(dx, dy), np.degrees(np.arctan2(np.abs(dy), np.abs(dx)))


def _boundary_row(segments: np.ndarray, width: int, height: int) -> int | None:
    """The highest strong cluster of near-horizontal segments in the search band, or None."""
    lengths, angles = _angles(segments)
    rows = (segments[:, 1] + segments[:, 3]) / 2
    chosen = (angles <= ANGLE_TOLERANCE_DEG) & (rows >= height * SEARCH_FROM_FRACTION)
    chosen &= rows <= height * SEARCH_TO_FRACTION
    if not chosen.any():
        return None
    # Bins of 1% of the height, each counting its neighbours too, so the two
    # edges of one skirting board or a line split by LSD add up.
    bin_px = max(1.0, height / 100)
    bins = (rows[chosen] / bin_px).astype(int)
    weights = np.bincount(bins, weights=lengths[chosen], minlength=102)
    weights = np.convolve(weights, np.ones(3), mode="same")
    if weights.max() < width * MIN_BOUNDARY_EVIDENCE:
        return None
    best = int(np.flatnonzero(weights >= max(weights.max() / 2, width * MIN_BOUNDARY_EVIDENCE))[0])
    near = chosen & (np.abs(rows / bin_px - (best + 0.5)) <= 1.5)
    return round(float(np.average(rows[near], weights=lengths[near])))


def _frames(segments: np.ndarray, width: int, height: int, boundary: int) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom) of window and door frames standing on the walls."""
    lengths, angles = _angles(segments)
    tolerance = 0.03 * height
    verticals = [
        (float((x1 + x2) / 2), float(min(y1, y2)), float(max(y1, y2)))
        for (x1, y1, x2, y2), length, angle in zip(segments, lengths, angles, strict=True)
        if angle >= 90 - ANGLE_TOLERANCE_DEG and length >= height * MIN_FRAME_SIDE
    ]
    horizontals = [
        (float((y1 + y2) / 2), float(min(x1, x2)), float(max(x1, x2)))
        for (x1, y1, x2, y2), angle in zip(segments, angles, strict=True)
        if angle <= ANGLE_TOLERANCE_DEG
    ]
    pad = round(0.01 * max(width, height))
    boxes = []
    for left_x, left_top, left_bottom in verticals:
        for right_x, right_top, right_bottom in verticals:
            gap = right_x - left_x
            if not FRAME_GAP[0] * width <= gap <= FRAME_GAP[1] * width or abs(left_top - right_top) > tolerance:
                continue
            top, bottom = min(left_top, right_top), max(left_bottom, right_bottom)
            # A frame hangs on a wall: its top is above the floor line and its
            # sides end at it at the lowest (floor boards in perspective can
            # look like verticals, but they lie below it).
            if top >= boundary - tolerance or bottom > boundary + tolerance:
                continue
            if _spanned(horizontals, top, left_x, right_x, tolerance) >= 0.8 * gap:
                boxes.append((max(0, round(left_x) - pad), max(0, round(top) - pad),
                              min(width, round(right_x) + pad), min(height, round(bottom) + pad)))
    return _merged(boxes)


def _merged(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Overlapping boxes joined until none overlap: LSD sees both edges of a painted
    frame, so one window yields several nearly equal boxes."""
    merged = sorted(boxes)
    joined = True
    while joined:
        joined = False
        for first in range(len(merged)):
            for second in range(first + 1, len(merged)):
                a, b = merged[first], merged[second]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    merged[first] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    del merged[second]
                    joined = True
                    break
            if joined:
                break
    return merged


def _spanned(horizontals: list[tuple[float, float, float]], row: float, left: float, right: float,
             tolerance: float) -> float:
    """How much of [left, right] near ``row`` the horizontal segments cover together."""
    covered = np.zeros(max(1, round(right - left)), bool)
    for y, x_start, x_end in horizontals:
        if abs(y - row) <= tolerance:
            covered[max(0, round(x_start - left)):max(0, round(x_end - left))] = True
    return float(covered.sum())
