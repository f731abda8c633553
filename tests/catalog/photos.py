"""Real photographs with hand-traced product masks (the drawn scenes' masks are exact; these are not).

``coffee()`` is scikit-image's bundled photo of an espresso cup on a saucer with
a spoon, on a wooden table lit from the side, and the mask traced by hand in
``coffee_mask.json`` (about 3 px either way along the outline).
"""

import json
from pathlib import Path

import cv2
import numpy as np
from skimage import data

MASKS = Path(__file__).with_name("coffee_mask.json")


def coffee() -> tuple[np.ndarray, np.ndarray]:
    """The RGB photo and its hand-traced product mask (boolean, the photo's size)."""
    photo = data.coffee()
    traced = json.loads(MASKS.read_text())
    assert photo.shape[1::-1] == tuple(traced["size"]), "scikit-image's coffee photo changed size"
    mask = np.zeros(photo.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.array(traced["outline"], np.int32)], 1)
    return photo, mask.astype(bool)
