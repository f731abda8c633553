"""Nudity check of every generated or uploaded image before review: NudeNet's detector, run locally.

The ``nudenet`` package ships its ONNX network (320n.onnx) and runs on
onnxruntime's CPU provider: no download, no service. An image is flagged when
the detector finds an exposed intimate part (``FLAGGED_LABELS``) with at least
``settings.PERSONAS_NUDITY_THRESHOLD`` confidence; faces and covered parts are
reported but never flag. Where the package is missing the check says it could
not run: the item then waits in the review queue, never auto-approved.
"""

import functools
from dataclasses import asdict, dataclass, field

import numpy as np
from django.conf import settings
from PIL import Image

FLAGGED_LABELS = frozenset({"FEMALE_BREAST_EXPOSED", "FEMALE_GENITALIA_EXPOSED", "MALE_GENITALIA_EXPOSED",
                            "BUTTOCKS_EXPOSED", "ANUS_EXPOSED"})


@dataclass(frozen=True)
class NudityCheck:
    checked: bool
    flagged: bool = False
    # Every detection above the threshold, e.g. {"label": "FACE_FEMALE", "score": 0.72}.
    found: list[dict] = field(default_factory=list)
    detail: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def check_image(image: Image.Image) -> NudityCheck:
    """Run the detector on ``image``; ``checked`` is False (with why) when the detector is not installed."""
    try:
        detector = _detector()
    except ImportError:
        return NudityCheck(checked=False, detail="The nudity detector (nudenet) is not installed; review by eye.")
    bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    return judge(detector.detect(bgr))


def judge(detections: list[dict]) -> NudityCheck:
    """The verdict on the detector's answer (``[{"class", "score", "box"}]``)."""
    threshold = settings.PERSONAS_NUDITY_THRESHOLD
    found = [{"label": hit["class"], "score": round(float(hit["score"]), 3)} for hit in detections
             if float(hit["score"]) >= threshold]
    flagged = [hit["label"] for hit in found if hit["label"] in FLAGGED_LABELS]
    detail = f"Flagged: {', '.join(sorted(set(flagged))).lower().replace('_', ' ')}." if flagged else ""
    return NudityCheck(checked=True, flagged=bool(flagged), found=found, detail=detail)


@functools.cache
def _detector():
    from nudenet import NudeDetector

    return NudeDetector()
