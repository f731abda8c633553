"""The pixel lock: outside the furnished area the delivered files are the original.

``lock`` builds the image: the original outside the mask, the generator's
output inside, blended over a thin feather just inside the mask's edge.
``measure_delivered`` checks the promise where it matters, on the stored files
as a user downloads them: it decodes a rendition, brings the original and the
mask to the rendition's size the same way the rendition was made, and counts
the unmasked pixels within CIEDE2000 ΔE 1 of the original. An encoder, a
resize or a colour-profile mistake shows in that share; a figure computed on
pixels just copied from the original would always be 1.0.
"""

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image
from skimage.color import deltaE_ciede2000, rgb2lab

from config.ai import vision
from staging import renditions

# Wide enough to hide the seam where generated furniture meets restored wall,
# narrow enough to stay inside the mask's band of wall.
FEATHER_SHARE = 0.005
# CIEDE2000 on 12 megapixels in float64 takes seconds and gigabytes; the share
# is estimated on a fixed-seed sample of the differing pixels this large, which
# puts its standard error under 0.001 (identical pixels are counted exactly).
DELTA_E_SAMPLE = 200_000
# Resampling mixes pixels across the mask's edge: the kernel's reach (Lanczos,
# 3 lobes) in the rendition's pixels, plus one.
RESAMPLE_MARGIN_PX = 4


@dataclass(frozen=True)
class Locked:
    image: Image.Image
    feather_px: int


@dataclass(frozen=True)
class DeliveredCheck:
    """Share of the unmasked pixels of one stored rendition within ΔE 1 of the original."""

    rendition: str
    share_within_delta_e_1: float
    compared_pixels: int
    width: int
    height: int

    def as_dict(self) -> dict[str, float | int | str]:
        return {"rendition": self.rendition, "share_within_delta_e_1": self.share_within_delta_e_1,
                "compared_pixels": self.compared_pixels, "width": self.width, "height": self.height}


def lock(original: Image.Image | np.ndarray, result: Image.Image | np.ndarray, mask: Image.Image | np.ndarray, *,
         feather_px: int | None = None) -> Locked:
    """The original outside ``mask``, ``result`` inside, blended over ``feather_px``
    pixels just inside the mask's edge so furniture does not end in a hard seam.

    All three must have the same size (PIL images or arrays); ``mask`` is 255
    (or True) where furniture may be painted. Unmasked pixels come back exactly
    as in the original. ``feather_px`` defaults to 0.5% of the long side; 0
    gives a hard edge.
    """
    before, after, inside = vision.as_rgb(original), vision.as_rgb(result), _inside(mask)
    if not before.shape == after.shape or before.shape[:2] != inside.shape:
        raise ValueError(f"Sizes differ: original {before.shape[1::-1]}, result {after.shape[1::-1]}, "
                         f"mask {inside.shape[::-1]}.")
    height, width = inside.shape
    if feather_px is None:
        feather_px = max(2, round(max(width, height) * FEATHER_SHARE))
    locked = before.copy()
    rows, cols = np.flatnonzero(inside.any(axis=1)), np.flatnonzero(inside.any(axis=0))
    if not len(rows):
        return Locked(image=Image.fromarray(locked), feather_px=feather_px)
    # Only the mask's box (padded by the feather, so the distances see the
    # unmasked pixels around it) is worked on: the rest is the original as is.
    pad = feather_px + 1
    box = (slice(max(0, rows[0] - pad), min(height, rows[-1] + 1 + pad)),
           slice(max(0, cols[0] - pad), min(width, cols[-1] + 1 + pad)))
    inside_box = inside[box]
    if feather_px > 0:
        # Distance to the nearest unmasked pixel: 1 on the mask's rim, growing inwards.
        weight = cv2.distanceTransform(inside_box.astype(np.uint8), cv2.DIST_L2, 5) / feather_px
    else:
        weight = inside_box.astype(np.float32)
    target, painted = locked[box], after[box]
    deep = weight >= 1
    np.copyto(target, painted, where=deep[..., None])
    # The rim is blended in float32; deep pixels are copied, which keeps 12 megapixels cheap.
    rim = inside_box & ~deep
    share = weight[rim][:, None]
    target[rim] = np.rint(target[rim] * (1 - share) + painted[rim] * share).astype(np.uint8)
    return Locked(image=Image.fromarray(locked), feather_px=feather_px)


def measure_delivered(rendition: str, content: bytes, *, original: Image.Image | np.ndarray,
                      mask: Image.Image | np.ndarray, excluded: np.ndarray | None = None) -> DeliveredCheck:
    """Decode the stored ``content`` and compare its unmasked pixels with ``original``.

    ``original`` and ``mask`` are at the original's size; a smaller rendition is
    compared with the original fitted to its size as ``renditions.fit_within``
    makes it, leaving out the pixels next to the mask that resampling blends.
    ``excluded`` (bool, at the rendition's size) leaves out what is changed by
    design, such as a disclosure band.
    """
    decoded = cv2.imdecode(np.frombuffer(content, np.uint8), cv2.IMREAD_COLOR)
    if decoded is None:
        raise ValueError(f"The {rendition} rendition could not be decoded.")
    delivered = cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)
    reference, inside = vision.as_rgb(original), _inside(mask)
    height, width = delivered.shape[:2]
    if reference.shape[:2] == (height, width):
        unmasked = ~inside
    else:
        reference = renditions.fit_array(reference, max(width, height))
        if reference.shape[:2] != (height, width):
            raise ValueError(f"The {rendition} rendition is {width}x{height}, not "
                             f"{reference.shape[1]}x{reference.shape[0]}.")
        small = cv2.resize(inside.astype(np.uint8), (width, height), interpolation=cv2.INTER_AREA) > 0
        margin = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * RESAMPLE_MARGIN_PX + 1,) * 2)
        unmasked = cv2.dilate(small.astype(np.uint8), margin) == 0
    if excluded is not None:
        unmasked &= ~excluded
    share = share_within_delta_e_1(reference, delivered, unmasked)
    return DeliveredCheck(rendition=rendition, share_within_delta_e_1=share, compared_pixels=int(unmasked.sum()),
                          width=width, height=height)


def share_within_delta_e_1(before: np.ndarray, after: np.ndarray, region: np.ndarray) -> float:
    """Share of ``region`` pixels whose colours are within CIEDE2000 ΔE 1.

    Identical pixels are 0 apart and counted exactly; the differing ones are
    measured in full up to ``DELTA_E_SAMPLE`` pixels, else on a fixed-seed
    sample of that size.
    """
    total = int(np.count_nonzero(region))
    if not total:
        return 1.0
    # Summed absolute differences saturate at 255, so "> 0" is "any channel differs".
    changed = cv2.transform(cv2.absdiff(before, after), np.ones((1, 3), np.float32)) > 0
    differing = region & changed
    count = int(np.count_nonzero(differing))
    if not count:
        return 1.0
    pick_before, pick_after = before[differing], after[differing]
    if count > DELTA_E_SAMPLE:
        chosen = np.random.default_rng(0).choice(count, DELTA_E_SAMPLE, replace=False)
        pick_before, pick_after = pick_before[chosen], pick_after[chosen]
    distances = deltaE_ciede2000(rgb2lab(pick_before[None]), rgb2lab(pick_after[None]))
    far_share = float((distances > 1).mean())
    return round(1 - far_share * count / total, 6)


def _inside(mask: Image.Image | np.ndarray) -> np.ndarray:
    """The mask as a bool array: True where furniture may be painted."""
    if isinstance(mask, Image.Image):
        return np.asarray(mask.convert("L")) >= 128
    return mask >= 128 if mask.dtype == np.uint8 else mask.astype(bool)
