"""Which engine serves each capability, chosen by settings; and how each one is doing.

Apps call ``language_model()``, ``image_generator()``, ``labeler()`` and
``embedder()`` and never name a vendor. An engine is built once per process for
a given configuration and reused, so local models stay loaded and HTTP clients
keep their connections.
"""

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

from config.ai.embeddings import Embedder
from config.ai.errors import EngineUnavailable
from config.ai.image.base import ControlKind, ImageGenerator
from config.ai.labels import Labeler
from config.ai.llm.base import LanguageModel
from config.ai.overrides import setting
from config.ai.retry import RetryPolicy
from config.ai.status import EngineStatus, Status, cached_probe

logger = logging.getLogger("stagecraft.ai")

T = TypeVar("T")

LLM_SETTINGS = ("AI_LLM_PROVIDER", "AI_LLM_MODEL", "AI_LLM_BASE_URL", "AI_LLM_API_KEY", "AI_LLM_TIMEOUT",
                "AI_LLM_MAX_RETRIES", "AI_RETRY_BACKOFF", "AI_RETRY_MAX_WAIT")
IMAGE_SETTINGS = ("AI_IMAGE_PROVIDER", "AI_IMAGE_MODEL", "AI_IMAGE_INPAINT_MODEL", "AI_IMAGE_CONTROLNET_MLSD",
                  "AI_IMAGE_CONTROLNET_CANNY", "AI_IMAGE_CONTROLNET_DEPTH", "AI_IMAGE_BASE_URL", "AI_IMAGE_TIMEOUT",
                  "AI_IMAGE_MAX_RETRIES", "AI_IMAGE_DEVICE", "AI_MODEL_CACHE", "AI_RETRY_BACKOFF", "AI_RETRY_MAX_WAIT",
                  "AI_IMAGE_REFERENCE_MODULE", "AI_IMAGE_REFERENCE_MODEL", "AI_IMAGE_IP_ADAPTER",
                  "AI_IMAGE_IP_ADAPTER_WEIGHTS")

_lock = threading.Lock()
_engines: dict[tuple, Any] = {}


def language_model() -> LanguageModel:
    """The configured language model; raises ``EngineUnavailable`` at once when there is none."""
    problem = llm_problem()
    if problem:
        raise EngineUnavailable(problem)
    return _engine(("llm", *_values(LLM_SETTINGS)), _build_language_model)


def image_generator() -> ImageGenerator:
    """The configured image generator; raises ``EngineUnavailable`` at once when there is none."""
    problem = image_problem()
    if problem:
        raise EngineUnavailable(problem)
    return _engine(("image", *_values(IMAGE_SETTINGS)), _build_image_generator)


def ready_image_generator() -> ImageGenerator:
    """The configured image generator, checked for real: diffusers weights on disk, or the
    AUTOMATIC1111 server answering its model list (cached for ``AI_STATUS_TTL`` seconds).

    Raises ``EngineUnavailable`` with the engine's own words otherwise, so a
    request is refused at once instead of queueing a job that fails later.
    """
    engine = image_generator()
    # Keyed by the engine too: one configuration builds one engine per process.
    status = cached_probe(("image", id(engine), *_values(IMAGE_SETTINGS)),
                          lambda: engine.status(settings.AI_STATUS_TIMEOUT), ttl=settings.AI_STATUS_TTL)
    if status.status != Status.READY:
        raise EngineUnavailable(f"The image engine is {status.status}: {status.detail}")
    return engine


def labeler() -> Labeler:
    """The ImageNet labeler; raises ``EngineUnavailable`` when local models are switched off."""
    if not settings.AI_LOCAL_MODELS:
        raise EngineUnavailable("Local models are switched off (AI_LOCAL_MODELS=false).")
    return _engine(("labels",), Labeler)


def embedder() -> Embedder:
    """The sentence embedder; raises ``EngineUnavailable`` when local models are switched off."""
    if not settings.AI_LOCAL_MODELS:
        raise EngineUnavailable("Local models are switched off (AI_LOCAL_MODELS=false).")
    return _engine(("embeddings",), Embedder)


def status_report() -> dict[str, dict]:
    """Each capability's provider, model, status, detail and last latency in this process.

    Never raises: a failing check is reported as ``error``. Remote checks use
    ``AI_STATUS_TIMEOUT`` and are cached for ``AI_STATUS_TTL`` seconds.
    """
    return {capability: _status_entry(capability) for capability in _STATUS_CHECKS}


def _status_entry(capability: str) -> dict:
    try:
        return _STATUS_CHECKS[capability]()
    except Exception as exc:
        logger.warning("AI status check %s failed: %s", capability, exc)
        return _entry("", "", EngineStatus(Status.ERROR, str(exc)))


def _language_model_status() -> dict:
    problem = llm_problem()
    if problem:
        return _entry(setting("AI_LLM_PROVIDER"), setting("AI_LLM_MODEL"), EngineStatus(Status.NOT_CONFIGURED, problem))
    engine = language_model()
    status = cached_probe(("llm", *_values(LLM_SETTINGS)), lambda: engine.probe(settings.AI_STATUS_TIMEOUT),
                          ttl=settings.AI_STATUS_TTL)
    return _entry(engine.provider, engine.model, status, engine)


def _image_generation_status() -> dict:
    problem = image_problem()
    if problem:
        status = EngineStatus(Status.NOT_CONFIGURED, problem)
        return _entry(setting("AI_IMAGE_PROVIDER"), setting("AI_IMAGE_MODEL"), status)
    engine = image_generator()
    status = cached_probe(("image", *_values(IMAGE_SETTINGS)), lambda: engine.status(settings.AI_STATUS_TIMEOUT),
                          ttl=settings.AI_STATUS_TTL)
    return _entry(engine.provider, engine.model, status, engine)


def _local_status(get: Callable[[], Any], engine_class: type) -> dict:
    if not settings.AI_LOCAL_MODELS:
        status = EngineStatus(Status.NOT_CONFIGURED, "AI_LOCAL_MODELS is false")
        return _entry(engine_class.provider, engine_class.model, status)
    engine = get()
    return _entry(engine.provider, engine.model, engine.status(), engine)


def _vision_status() -> dict:
    import cv2

    return _entry("opencv", f"OpenCV {cv2.__version__}", EngineStatus(Status.READY, "no model needed"))


_STATUS_CHECKS: dict[str, Callable[[], dict]] = {
    "language_model": _language_model_status,
    "image_generation": _image_generation_status,
    "image_labels": lambda: _local_status(labeler, Labeler),
    "text_embeddings": lambda: _local_status(embedder, Embedder),
    "classic_vision": _vision_status,
}


def _entry(provider: str, model: str, status: EngineStatus, engine: Any = None) -> dict:
    last_call = getattr(engine, "last_call", None)
    return {
        "provider": provider,
        "model": model,
        "status": status.status,
        "detail": status.detail,
        "last_latency_ms": last_call.latency_ms if last_call else None,
    }


def llm_problem() -> str | None:
    """What keeps a language model from being configured, in operator's words; ``None`` when it is."""
    provider = setting("AI_LLM_PROVIDER")
    if provider == "none":
        return "No language model is configured (AI_LLM_PROVIDER=none)."
    if not setting("AI_LLM_MODEL"):
        return f"AI_LLM_MODEL is not set for the {provider} provider."
    if provider == "anthropic" and not setting("AI_LLM_API_KEY"):
        return "AI_LLM_API_KEY is not set for the anthropic provider."
    return None


def image_problem() -> str | None:
    """What keeps an image generator from being configured, in operator's words; ``None`` when it is."""
    provider = setting("AI_IMAGE_PROVIDER")
    if provider == "none":
        return "No image generator is configured (AI_IMAGE_PROVIDER=none)."
    if provider == "diffusers" and not setting("AI_IMAGE_MODEL"):
        return "AI_IMAGE_MODEL is not set for the diffusers provider."
    if provider == "automatic1111" and not setting("AI_IMAGE_BASE_URL"):
        return "AI_IMAGE_BASE_URL is not set for the automatic1111 provider."
    return None


def _build_language_model() -> LanguageModel:
    if setting("AI_LLM_PROVIDER") == "anthropic":
        from config.ai.llm.anthropic import AnthropicModel as ModelClass
    elif setting("AI_LLM_PROVIDER") == "openai":
        from config.ai.llm.openai_compat import OpenAICompatibleModel as ModelClass
    else:
        from config.ai.llm.ollama import OllamaModel as ModelClass
    return ModelClass(
        model=setting("AI_LLM_MODEL"),
        base_url=setting("AI_LLM_BASE_URL"),
        api_key=setting("AI_LLM_API_KEY"),
        timeout=settings.AI_LLM_TIMEOUT,
        retry=RetryPolicy.from_settings(settings.AI_LLM_MAX_RETRIES),
    )


def _build_image_generator() -> ImageGenerator:
    if setting("AI_IMAGE_PROVIDER") == "diffusers":
        from config.ai.image.diffusers_engine import DiffusersImageGenerator
        from config.ai.image.weights import DiffusersWeights

        return DiffusersImageGenerator(weights=DiffusersWeights.from_settings(), device=settings.AI_IMAGE_DEVICE,
                                       ip_adapter=settings.AI_IMAGE_IP_ADAPTER,
                                       ip_adapter_weights=settings.AI_IMAGE_IP_ADAPTER_WEIGHTS)
    from config.ai.image.automatic1111 import Automatic1111ImageGenerator

    # The web UI names a ControlNet model after its file: the repository's last segment.
    controlnets = {
        ControlKind.MLSD: settings.AI_IMAGE_CONTROLNET_MLSD,
        ControlKind.CANNY: settings.AI_IMAGE_CONTROLNET_CANNY,
        ControlKind.DEPTH: settings.AI_IMAGE_CONTROLNET_DEPTH,
    }
    return Automatic1111ImageGenerator(
        base_url=setting("AI_IMAGE_BASE_URL"),
        checkpoint=setting("AI_IMAGE_MODEL"),
        controlnet_models={kind: source.rstrip("/").rsplit("/", 1)[-1] for kind, source in controlnets.items()},
        reference_module=settings.AI_IMAGE_REFERENCE_MODULE,
        reference_model=settings.AI_IMAGE_REFERENCE_MODEL,
        timeout=settings.AI_IMAGE_TIMEOUT,
        retry=RetryPolicy.from_settings(settings.AI_IMAGE_MAX_RETRIES),
    )


def _engine(key: tuple, build: Callable[[], T]) -> T:
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = build()
        return engine


def _values(names: tuple[str, ...]) -> tuple:
    return tuple(setting(name) for name in names)
