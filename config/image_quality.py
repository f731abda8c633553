"""No-reference image quality measures two apps use: BRISQUE and a noise estimate.

``staging.quality`` grades a delivered staging with them and ``personas`` a
generated or uploaded image. BRISQUE (Mittal et al. 2012) uses the SVR model and
feature scaling shipped in the ``brisque`` package; its features are computed
here (see ``_brisque_model``). Both work on luma with BRISQUE's weights.
"""

from functools import cache
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image
from scipy import special

if TYPE_CHECKING:
    from brisque import BRISQUE

# skimage's rgb2gray weights, which the shipped BRISQUE model was trained with.
LUMA = np.array([0.2125, 0.7154, 0.0721])
NO_FEATURES_BRISQUE = 100.0

# Immerkaer (1996): this kernel is the difference of two Laplacians, so flat
# areas and linear ramps give 0 and what remains is mostly noise.
_NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float64)
NOISE_BLOCK = 16
NOISE_PERCENTILE = 25


def _gaussian_window(side: int, sigma: float) -> np.ndarray:
    offsets = np.arange(side) - side // 2
    window = np.exp(-(offsets[:, None] ** 2 + offsets[None, :] ** 2) / (2 * sigma**2))
    return window / window.sum()


# BRISQUE's local normalisation: a 7x7 Gaussian of sigma 7/6, zero padding, C = 1/255.
_MSCN_WINDOW = _gaussian_window(7, 7 / 6)
_MSCN_C = 1 / 255
# The four neighbour directions whose products BRISQUE fits: each pairs a slice with its shifted twin.
_NEIGHBOURS = (
    ((slice(None), slice(None, -1)), (slice(None), slice(1, None))),
    ((slice(None, -1), slice(None)), (slice(1, None), slice(None))),
    ((slice(None, -1), slice(None, -1)), (slice(1, None), slice(1, None))),
    ((slice(1, None), slice(None, -1)), (slice(None, -1), slice(1, None))),
)
# The generalised Gaussian's shape is found from a moment ratio that rises with
# it: a table lookup instead of the package's root finder, which is 10 times slower.
_SHAPES = np.arange(0.2, 10.0, 0.001)
_SHAPE_RATIOS = special.gamma(2 / _SHAPES) ** 2 / (special.gamma(1 / _SHAPES) * special.gamma(3 / _SHAPES))


def brisque(gray: np.ndarray, where: np.ndarray | None = None) -> float:
    """BRISQUE of a luma image (0-1 floats), from the pixels in ``where`` only if given.

    Lower is better. An image or selection with no variation has no features;
    it gets ``NO_FEATURES_BRISQUE``, as does an image under 2 px a side.
    """
    if min(gray.shape) < 2:
        return NO_FEATURES_BRISQUE
    half = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_CUBIC)
    half_where = None
    if where is not None:
        half_where = cv2.resize(where.astype(np.uint8), half.shape[::-1], interpolation=cv2.INTER_NEAREST) > 0
    features = [_brisque_features(gray, where), _brisque_features(half, half_where)]
    if features[0] is None or features[1] is None:
        return NO_FEATURES_BRISQUE
    return float(_brisque_model().calculate_image_quality_score(features[0] + features[1]))


def noise_sigma(image: Image.Image | np.ndarray, *, where: np.ndarray | None = None) -> float:
    """Immerkaer's estimate of the noise standard deviation, in 8-bit grey levels.

    Taken in 16-px blocks (those wholly inside ``where`` if given) and reported
    at the blocks' 25th percentile, so edges and texture, which the estimate
    mistakes for noise, do not count. Without a whole block, all pixels count.
    """
    gray = luma(image) if isinstance(image, Image.Image) or np.ndim(image) == 3 else np.asarray(image, np.float64)
    height, width = gray.shape
    if height < 3 or width < 3:
        return 0.0
    inside = np.ones(gray.shape, bool) if where is None else where.copy()
    # The kernel's response on the outer ring mixes in the padding.
    inside[[0, -1], :] = False
    inside[:, [0, -1]] = False
    if not inside.any():
        return 0.0
    response = np.abs(cv2.filter2D(gray, -1, _NOISE_KERNEL)) * np.sqrt(np.pi / 2) / 6
    rows, cols = height // NOISE_BLOCK * NOISE_BLOCK, width // NOISE_BLOCK * NOISE_BLOCK
    shape = (rows // NOISE_BLOCK, NOISE_BLOCK, cols // NOISE_BLOCK, NOISE_BLOCK)
    whole_blocks = inside[:rows, :cols].reshape(shape).all(axis=(1, 3))
    if not whole_blocks.any():
        return float(response[inside].mean())
    block_sigmas = response[:rows, :cols].reshape(shape).mean(axis=(1, 3))[whole_blocks]
    return float(np.percentile(block_sigmas, NOISE_PERCENTILE))


def _brisque_features(gray: np.ndarray, where: np.ndarray | None) -> list[float] | None:
    """BRISQUE's 18 features at one scale: the fits to the normalised luma and its four
    neighbour products, from the coefficients (or pairs) inside ``where``; None if flat."""
    mean = cv2.filter2D(gray, -1, _MSCN_WINDOW, borderType=cv2.BORDER_CONSTANT)
    second = cv2.filter2D(gray * gray, -1, _MSCN_WINDOW, borderType=cv2.BORDER_CONSTANT)
    mscn = (gray - mean) / (np.sqrt(np.abs(mean * mean - second)) + _MSCN_C)
    fit = _aggd_fit(mscn if where is None else mscn[where])
    if fit is None:
        return None
    shape, _, left, right = fit
    features = [shape, (left + right) / 2]
    for first, second_slice in _NEIGHBOURS:
        products = mscn[first] * mscn[second_slice]
        fit = _aggd_fit(products if where is None else products[where[first] & where[second_slice]])
        if fit is None:
            return None
        features += list(fit)
    return features


def _aggd_fit(values: np.ndarray) -> tuple[float, float, float, float] | None:
    """Shape, mean, left and right variance of an asymmetric generalised Gaussian, by
    moment matching as in the ``brisque`` package; None when the values are all ~0."""
    values = values.ravel()
    squares = values * values
    negative = values < 0
    left_count = int(negative.sum())
    right_count = values.size - left_count
    if left_count == 0 or right_count == 0:
        return None
    left_sum = float(squares[negative].sum())
    left, right = left_sum / left_count, (float(squares.sum()) - left_sum) / right_count
    if min(left, right) < 1e-8:
        return None
    ratio = float(np.sqrt(left / right))
    r_hat = float(np.abs(values).mean()) ** 2 / float(squares.mean())
    target = r_hat * (ratio**3 + 1) * (ratio + 1) / (ratio**2 + 1) ** 2
    shape = float(np.interp(target, _SHAPE_RATIOS, _SHAPES))
    spread = np.sqrt(special.gamma(1 / shape) / special.gamma(3 / shape))
    mean = (np.sqrt(right) - np.sqrt(left)) * spread * special.gamma(2 / shape) / special.gamma(1 / shape)
    return shape, float(mean), left, right


@cache
def _brisque_model() -> "BRISQUE":
    # Imported here: the package pulls in requests, skimage.io and libsvm (0.7 s),
    # which no other part of the app needs at start-up. Its own ``score`` fails
    # under NumPy 2 (it converts 1-element arrays with float()), so only its
    # model, scaling and prediction are used; the features are computed above.
    from brisque import BRISQUE

    return BRISQUE(url=False)


def luma(image: Image.Image | np.ndarray) -> np.ndarray:
    """Luma in 0-255 floats, with BRISQUE's weights."""
    rgb = np.asarray(image.convert("RGB") if isinstance(image, Image.Image) else image, np.float64)
    return rgb @ LUMA


def falling(value: float, full: float, zero: float) -> float:
    """A 0-1 score from a measure where lower is better: 1 up to ``full``, 0 from ``zero``, linear between."""
    return float(min(1.0, max(0.0, (zero - value) / (zero - full))))
