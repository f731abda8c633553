"""How alike the furnished areas of two staged photos of one room are (room sets).

Two views of the same furniture share its colours and its kind of objects, not
its pixels: the camera moved. So the measure compares what does not depend on
position: the colour histogram of the furnished area (hue and saturation, so a
window's light matters less) and the local labeler's penultimate-layer
embedding of the area's bounding box. Both are in 0-1; the score is their mean.
"""

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from config.ai.labels import Labeler

HUE_BINS, SATURATION_BINS = 30, 32


@dataclass(frozen=True)
class ConsistencyReport:
    score: float
    colour: float
    embedding: float

    def as_dict(self) -> dict:
        return {"score": self.score, "colour": self.colour, "embedding": self.embedding}


def measure(image: Image.Image, mask: Image.Image, reference: Image.Image, reference_mask: Image.Image, *,
            labeler: Labeler) -> ConsistencyReport:
    """Similarity (0-1) of ``image``'s furnished area (white in ``mask``) to ``reference``'s.

    Raises ``EngineUnavailable`` when the labeler is not installed.
    """
    ours, theirs = _area(image, mask), _area(reference, reference_mask)
    colour = _histogram_similarity(*ours, *theirs)
    crops = [_crop(pixels, area) for pixels, area in (ours, theirs)]
    first, second = labeler.embed(crops)
    embedding = float(np.clip(first @ second, 0.0, 1.0))
    return ConsistencyReport(round((colour + embedding) / 2, 4), round(colour, 4), round(embedding, 4))


def _area(image: Image.Image, mask: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    pixels = np.asarray(image.convert("RGB"))
    area = np.asarray(mask.convert("L").resize(image.size, Image.Resampling.NEAREST)) >= 128
    return pixels, area


def _histogram_similarity(first: np.ndarray, first_area: np.ndarray, second: np.ndarray,
                          second_area: np.ndarray) -> float:
    histograms = []
    for pixels, area in ((first, first_area), (second, second_area)):
        hsv = cv2.cvtColor(pixels, cv2.COLOR_RGB2HSV)
        histogram = cv2.calcHist([hsv], [0, 1], area.astype(np.uint8) * 255, [HUE_BINS, SATURATION_BINS],
                                 [0, 180, 0, 256])
        histograms.append(cv2.normalize(histogram, None, 1.0, 0.0, cv2.NORM_L1))
    # Bhattacharyya distance is 0 for the same distribution and 1 for disjoint ones.
    return float(1.0 - np.clip(cv2.compareHist(*histograms, cv2.HISTCMP_BHATTACHARYYA), 0.0, 1.0))


def _crop(pixels: np.ndarray, area: np.ndarray) -> np.ndarray:
    """The bounding box of the furnished area, the rest of the photo outside it left out."""
    rows, columns = np.nonzero(area)
    if not len(rows):
        return pixels
    return pixels[rows.min():rows.max() + 1, columns.min():columns.max() + 1]
