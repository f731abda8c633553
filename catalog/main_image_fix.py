"""A marketplace-ready main image made from a product photo: white backdrop, framed, sRGB JPEG.

The product is cut out with ``catalog.product_mask``, its edges refined by a
guided filter (the photo steers the soft edge, so hair-thin outlines and
antialiasing survive), composed on pure white, centred so its longer side
fills the marketplace's share of the frame, on a square canvas where the
marketplace prefers one; asked for, a soft grey contact shadow is kept under
it (``contact_shadow``), bounded so the frame's edges stay pure white. The
canvas grows towards ``TARGET_LONG_SIDE`` only as far as the source's own
pixels allow (never enlarged), so a small source gives a small result and the
re-analysis names the size rule it fails.

The result is measured again with ``catalog.measure`` and checked against the
marketplace's rules (``catalog.compliance``): ``unmet`` lists every required
rule it still fails, each with its measured value and threshold, beside
``product_cutout``: whether the cut-out is a whole product clear of the frame's
edges (a cluttered scene, or a product cropped by the frame, fails it).
"""

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageCms

from catalog.compliance import ComplianceCheck, check_compliance
from catalog.marketplace_rules import AMAZON, EBAY, GOOGLE_MERCHANT, SHOPIFY
from catalog.measure import as_displayed, measure
from catalog.product_mask import product_mask

# The request's names for the marketplaces the rules cite.
MARKETPLACES = {"amazon": AMAZON, "google": GOOGLE_MERCHANT, "shopify": SHOPIFY, "ebay": EBAY}


@dataclass(frozen=True)
class Target:
    """How a marketplace's main image is framed: product share of the long side, square or not."""

    fill: float
    square: bool


# Amazon requires 85 % fill; aiming a little higher keeps the re-measured fill
# above it after JPEG and edge softening. Shopify recommends square images;
# Google and eBay cite no fill or shape, so the product is framed like Amazon's.
TARGETS = {
    AMAZON: Target(fill=0.88, square=True),
    GOOGLE_MERCHANT: Target(fill=0.85, square=False),
    SHOPIFY: Target(fill=0.85, square=True),
    EBAY: Target(fill=0.85, square=False),
}
# Zoom on every marketplace starts at 1600 px on the long side (eBay recommends it, Amazon
# needs 1000); larger files only cost bytes.
TARGET_LONG_SIDE = 1600
JPEG_QUALITY = 92
# The guided filter's window (pixels of the cut-out's scale) and smoothing.
GUIDE_RADIUS = 4
GUIDE_EPSILON = 1e-3
WHITE = 255
# The contact shadow: darkening at its centre (neutral grey, all channels alike), depth as a share
# of the product's height, the share of the white margin below the product it may reach, and the
# bottom share of the product's rows whose width it takes.
SHADOW_STRENGTH = 0.45
SHADOW_DEPTH = 0.04
SHADOW_REACH = 0.6
FOOTPRINT_SHARE = 0.05
# A cut-out covering more of the frame's outermost pixels than this is a cropped
# product or a piece of the scene: a fix cannot redraw what the photo lacks, so it
# reports ``product_cutout`` as unmet rather than passing a scene on white.
MAX_EDGE_SHARE = 0.02
CUTOUT_SOURCE = "StageCraft: the product must be told apart from its background (catalog.product_mask)"


@dataclass(frozen=True)
class FixedImage:
    """The fixed JPEG, its re-measured compliance for the marketplace, and the rules it still fails."""

    jpeg: bytes
    width: int
    height: int
    checks: list[ComplianceCheck]
    unmet: list[ComplianceCheck]
    mask_coverage: float


def fix_main_image(image: Image.Image, marketplace: str, *, category: str = "", shadow: bool = False) -> FixedImage:
    """Make ``image`` a main image for ``marketplace`` (a key of ``MARKETPLACES``).

    ``shadow`` keeps a soft neutral-grey contact shadow under the product (``contact_shadow``);
    the rest of the background stays pure white.

    Raises ``KeyError`` for an unknown marketplace and ``ValueError`` when no
    product can be cut out of the photo.
    """
    rules_name = MARKETPLACES[marketplace]
    rgb = np.asarray(_as_srgb(image))
    cut = product_mask(rgb)
    if cut.box is None:
        raise ValueError("No product could be told from the background.")
    alpha = refined_alpha(rgb, cut.mask)
    composed = _framed(rgb, alpha, cut.box, TARGETS[rules_name], shadow=shadow)
    jpeg = _jpeg(composed)
    measured = measure(Image.open(io.BytesIO(jpeg)), file_size_bytes=len(jpeg))
    checks = [c for c in check_compliance(measured, category=category) if c.marketplace == rules_name]
    cutout = ComplianceCheck(marketplace=rules_name, rule="product_cutout", measured=round(cut.edge_share, 4),
                             threshold=MAX_EDGE_SHARE, passed=cut.edge_share <= MAX_EDGE_SHARE,
                             advisory=False, source=CUTOUT_SOURCE)
    checks = [cutout, *checks]
    return FixedImage(jpeg=jpeg, width=composed.shape[1], height=composed.shape[0], checks=checks,
                      unmet=[c for c in checks if not c.passed and not c.advisory],
                      mask_coverage=round(cut.coverage, 4))


def _as_srgb(image: Image.Image) -> Image.Image:
    """The photo upright, flattened on white, and converted from its embedded colour profile to sRGB."""
    profile = image.info.get("icc_profile")
    flat = as_displayed(image)
    if not profile:
        return flat
    source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    return ImageCms.profileToProfile(flat, source, ImageCms.createProfile("sRGB"), outputMode="RGB")


def refined_alpha(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A soft 0-1 alpha: the hard mask smoothed by a guided filter with the photo's grey levels as guide."""
    guide = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255
    source = mask.astype(np.float32)
    size = (2 * GUIDE_RADIUS + 1, 2 * GUIDE_RADIUS + 1)
    mean_guide = cv2.blur(guide, size)
    mean_source = cv2.blur(source, size)
    covariance = cv2.blur(guide * source, size) - mean_guide * mean_source
    variance = cv2.blur(guide * guide, size) - mean_guide * mean_guide
    a = covariance / (variance + GUIDE_EPSILON)
    b = mean_source - a * mean_guide
    return np.clip(cv2.blur(a, size) * guide + cv2.blur(b, size), 0, 1)


def _framed(rgb: np.ndarray, alpha: np.ndarray, box: tuple[int, int, int, int], target: Target, *,
            shadow: bool = False) -> np.ndarray:
    """The product composed on white (with its contact shadow when asked), centred, its long side
    ``target.fill`` of the canvas's."""
    x, y, w, h = box
    product_long = max(w, h)
    if target.square:
        canvas_w = canvas_h = product_long / target.fill
    else:
        canvas_w, canvas_h = w / target.fill, h / target.fill
    # Never enlarge the source: a zoom beyond its pixels would only invent detail.
    scale = min(1.0, TARGET_LONG_SIDE / max(canvas_w, canvas_h))
    canvas_w, canvas_h = max(1, round(canvas_w * scale)), max(1, round(canvas_h * scale))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    crop = cv2.resize(rgb[y:y + h, x:x + w].astype(np.float32), size, interpolation=cv2.INTER_AREA)
    crop_alpha = cv2.resize(alpha[y:y + h, x:x + w], size, interpolation=cv2.INTER_AREA)[..., None]
    canvas = np.full((canvas_h, canvas_w, 3), WHITE, np.float32)
    left, top = (canvas_w - size[0]) // 2, (canvas_h - size[1]) // 2
    if shadow:
        placed = np.zeros((canvas_h, canvas_w), np.float32)
        placed[top:top + size[1], left:left + size[0]] = crop_alpha[..., 0]
        canvas *= 1 - contact_shadow(placed)[..., None]
    region = canvas[top:top + size[1], left:left + size[0]]
    canvas[top:top + size[1], left:left + size[0]] = crop * crop_alpha + region * (1 - crop_alpha)
    return np.clip(np.rint(canvas), 0, 255).astype(np.uint8)


def contact_shadow(alpha: np.ndarray) -> np.ndarray:
    """How much each pixel of a canvas is darkened (0 to ``SHADOW_STRENGTH``) by the product's contact shadow.

    ``alpha`` is the product's 0-1 alpha placed on the canvas. The shadow is an ellipse
    as wide as the product's footprint (its bottom ``FOOTPRINT_SHARE`` of rows), centred
    on its bottom edge and blurred; the product later covers the ellipse's upper half.
    It reaches at most ``SHADOW_REACH`` of the white margin below the product and is cut
    to nothing where it would darken a pixel by less than a grey level, so the frame's
    edges stay pure white (the marketplaces' background rule is measured there).
    """
    rows = np.flatnonzero(alpha.max(axis=1) > 0.5)
    if rows.size == 0:
        return np.zeros_like(alpha)
    top, bottom = int(rows[0]), int(rows[-1])
    height = bottom - top + 1
    footprint = alpha[max(top, bottom - round(height * FOOTPRINT_SHARE)):bottom + 1] > 0.5
    cols = np.flatnonzero(footprint.any(axis=0))
    reach = SHADOW_REACH * (alpha.shape[0] - 1 - bottom)
    # The ellipse's half-height plus the blur's three sigmas (sigma = half-height) stay within reach.
    depth = min(SHADOW_DEPTH * height, reach / 4)
    if depth < 1:  # no margin below the product to cast a shadow into
        return np.zeros_like(alpha)
    ellipse = np.zeros_like(alpha)
    cv2.ellipse(ellipse, (round((cols[0] + cols[-1]) / 2), bottom), (round((cols[-1] - cols[0] + 1) / 2), round(depth)),
                0, 0, 360, 1.0, -1, lineType=cv2.LINE_AA)
    blurred = cv2.GaussianBlur(ellipse, (0, 0), depth, borderType=cv2.BORDER_CONSTANT)
    darkening = blurred * SHADOW_STRENGTH
    darkening[darkening < 0.5 / WHITE] = 0  # would round to white anyway: the tail ends here, not at the edge
    darkening[min(alpha.shape[0], bottom + 1 + int(reach)):] = 0
    return darkening


def _jpeg(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=JPEG_QUALITY, icc_profile=srgb, optimize=True)
    return buffer.getvalue()
