"""Photo defects a shopper would notice, judged from a photo's ``Measurements``.

Each check compares one measurement with a threshold documented below. How far
past the threshold the photo is (its depth, 0-1) sets the confidence
(0.5 at the threshold, 1.0 at the worst) and, unless the check says otherwise,
the severity: low below a third of the way, medium below two thirds, high
beyond. Boxes are in the original photo's pixels; ``None`` means the whole photo.
"""

from dataclasses import dataclass
from statistics import median

from catalog.measure import EDGE_MARGIN, SEPARABLE_UNIFORMITY, Measurements
from config.ai.vision import WORKING_SIDE

# Blur. The variance of the Laplacian over the product at the working size:
# sharp product photos measure in the hundreds, a 1.5 px Gaussian blur brings
# them near 20. Low contrast also lowers it (a dark photo's crisp edges are
# faint), so the whole photo counts as blurred only when its typical detailed
# tile is soft too, in contrast-free terms (measure's tile score: crisp edges
# score 0.05 and up, a 1.5 px blur under 0.01).
BLUR_SHARPNESS = 60.0
SOFT_TILE = 0.01
# Exposure, on the product's pixels. A dark product on a white backdrop is a
# dark product, not a dark photo, so under-exposure is judged only when the
# backdrop is not white.
UNDEREXPOSED_MEAN = 0.15
OVEREXPOSED_MEAN = 0.85
CLIPPED_SHADOWS = 0.25
CLIPPED_HIGHLIGHTS = 0.25
# Resolution, on the long side: below 500 px eBay refuses the photo, below
# 1000 px Amazon cannot zoom it.
TOO_SMALL_SIDE = 500
SMALL_SIDE = 1000
# A border that matches itself less than this is a scene, not a backdrop
# (measure's own line between the two).
BUSY_BACKGROUND_UNIFORMITY = SEPARABLE_UNIFORMITY


class DefectType:
    BLUR = "blur"
    EXPOSURE = "exposure"
    LOW_RESOLUTION = "low_resolution"
    BUSY_BACKGROUND = "busy_background"
    CROPPED = "cropped"


class Severity:
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class Defect:
    """One defect in the seed's ``detected_defects`` shape."""

    defect_type: str
    severity: str
    confidence: float
    bounding_box: dict | None
    description: str


def detect_defects(m: Measurements) -> list[Defect]:
    """Every defect the measurements show, in a fixed order (blur, exposure, resolution, background, crop)."""
    found = [_blur(m), *_exposure(m), _resolution(m), _busy_background(m), _cropped(m)]
    return [defect for defect in found if defect is not None]


def _blur(m: Measurements) -> Defect | None:
    scores = [tile["sharpness"] for tile in m.sharpness_tiles]
    if not scores:
        return None  # nothing with detail: no edge to be sharp or soft (a blank frame)
    if m.sharpness < BLUR_SHARPNESS and median(scores) < SOFT_TILE:
        depth = _below(m.sharpness, BLUR_SHARPNESS)
        return Defect(DefectType.BLUR, _severity(depth), _confidence(depth), None,
                      f"The photo is out of focus: sharpness {m.sharpness:g}, below {BLUR_SHARPNESS:g}.")
    soft = [tile for tile in m.sharpness_tiles if tile["sharpness"] < SOFT_TILE]
    if not soft:
        return None
    depth = _below(min(tile["sharpness"] for tile in soft), SOFT_TILE)
    share = len(soft) / len(scores)
    severity = Severity.LOW if share <= 0.25 else Severity.MEDIUM if share <= 0.5 else Severity.HIGH
    return Defect(DefectType.BLUR, severity, _confidence(depth), _union(soft),
                  f"Part of the product is out of focus: {len(soft)} of {len(scores)} detailed areas are soft.")


def _exposure(m: Measurements) -> list[Defect]:
    defects = []
    if not m.background_is_white:
        depth = max(_below(m.exposure_mean, UNDEREXPOSED_MEAN), _above(m.clipped_shadows, CLIPPED_SHADOWS))
        if depth > 0:
            defects.append(Defect(
                DefectType.EXPOSURE, _severity(depth), _confidence(depth), None,
                f"Under-exposed: mean brightness {m.exposure_mean:g} (at least {UNDEREXPOSED_MEAN:g} expected), "
                f"{m.clipped_shadows:.0%} clipped to black.",
            ))
    depth = max(_above(m.exposure_mean, OVEREXPOSED_MEAN), _above(m.clipped_highlights, CLIPPED_HIGHLIGHTS))
    if depth > 0:
        defects.append(Defect(
            DefectType.EXPOSURE, _severity(depth), _confidence(depth), None,
            f"Over-exposed: mean brightness {m.exposure_mean:g} (at most {OVEREXPOSED_MEAN:g} expected), "
            f"{m.clipped_highlights:.0%} clipped to white.",
        ))
    return defects


def _resolution(m: Measurements) -> Defect | None:
    # Pixel counts are exact, so the confidence is too.
    if m.long_side < TOO_SMALL_SIDE:
        severity, limit = Severity.HIGH, TOO_SMALL_SIDE
    elif m.long_side < SMALL_SIDE:
        severity, limit = Severity.MEDIUM, SMALL_SIDE
    else:
        return None
    return Defect(DefectType.LOW_RESOLUTION, severity, 1.0, None,
                  f"Low resolution: {m.width} x {m.height} px, the long side under {limit} px.")


def _busy_background(m: Measurements) -> Defect | None:
    depth = _below(m.background_uniformity, BUSY_BACKGROUND_UNIFORMITY)
    if depth <= 0:
        return None
    return Defect(DefectType.BUSY_BACKGROUND, _severity(depth), _confidence(depth), None,
                  f"Busy background: {m.background_uniformity:.0%} of the border matches one colour "
                  f"(at least {BUSY_BACKGROUND_UNIFORMITY:.0%} expected).")


def _cropped(m: Measurements) -> Defect | None:
    # Against a busy border the "product" box is the scene, which always touches the edges.
    if not m.foreground_touches_edge or m.foreground_box is None or not m.background_is_separable:
        return None
    sides = _sides_touched(m)
    clean = _above(m.background_uniformity, BUSY_BACKGROUND_UNIFORMITY)
    return Defect(
        DefectType.CROPPED, Severity.MEDIUM if len(sides) <= 1 else Severity.HIGH, _confidence(clean),
        m.foreground_box, f"The product is cut off at the {' and '.join(sides) or 'frame'} "
        f"edge{'s' if len(sides) > 1 else ''} of the photo.",
    )


def _sides_touched(m: Measurements) -> list[str]:
    box = m.foreground_box
    # measure judges contact at the working size; one working pixel in the original's pixels.
    margin = (EDGE_MARGIN + 1) * max(1.0, m.long_side / WORKING_SIDE)
    sides = {
        "left": box["x"] <= margin,
        "top": box["y"] <= margin,
        "right": box["x"] + box["width"] >= m.width - margin,
        "bottom": box["y"] + box["height"] >= m.height - margin,
    }
    return [side for side, touched in sides.items() if touched]


def _union(tiles: list[dict]) -> dict:
    left = min(tile["x"] for tile in tiles)
    top = min(tile["y"] for tile in tiles)
    right = max(tile["x"] + tile["width"] for tile in tiles)
    bottom = max(tile["y"] + tile["height"] for tile in tiles)
    return {"x": left, "y": top, "width": right - left, "height": bottom - top}


def _below(value: float, threshold: float) -> float:
    """How far under ``threshold`` (toward 0) ``value`` is, 0-1; 0 when not under."""
    return 0.0 if value >= threshold else min(1.0, (threshold - value) / threshold)


def _above(value: float, threshold: float) -> float:
    """How far over ``threshold`` (toward 1) a share ``value`` is, 0-1; 0 when not over."""
    return 0.0 if value <= threshold else min(1.0, (value - threshold) / (1 - threshold))


def _severity(depth: float) -> str:
    return Severity.LOW if depth < 1 / 3 else Severity.MEDIUM if depth < 2 / 3 else Severity.HIGH


def _confidence(depth: float) -> float:
    return round(0.5 + 0.5 * depth, 2)
