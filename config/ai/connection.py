"""Test connection: one minimal real call to an engine with values staff typed but have not saved.

The Engines page shows the answer: the models the server lists, the latency in
milliseconds, or the error in the engine's own words. The engines' own classes
make the call (``list_models``), so the request is exactly the one they would
make, through the outbound URL policy.
"""

from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from config import net
from config.ai.errors import EngineUnavailable
from config.ai.retry import RetryPolicy, TransientFailure
from config.ai.services import check_engine_url
from config.ai.status import Status
from config.ai.usage import Stopwatch
from config.errors import ApplicationError

SHOWN_MODELS = 20  # a hub with hundreds of checkpoints should not fill the page


@dataclass(frozen=True)
class ConnectionResult:
    """What one test call answered: ``ok`` with ``models`` (and a ``detail``), or the ``error`` text."""

    ok: bool
    latency_ms: float | None = None
    models: list[str] = field(default_factory=list)
    detail: str = ""
    error: str = ""

    @property
    def more_models(self) -> int:
        return max(0, len(self.models) - SHOWN_MODELS)

    @property
    def shown_models(self) -> list[str]:
        return self.models[:SHOWN_MODELS]


def check_language_model(*, provider: str, model: str, base_url: str, api_key: str) -> ConnectionResult:
    """List the language model server's models with these values; never raises but ``ValidationFailed``
    (a URL the outbound policy refuses)."""
    if provider == "none":
        return ConnectionResult(False, error="No provider is chosen.")
    if base_url:
        check_engine_url("Base URL", base_url)
    if provider == "anthropic":
        from config.ai.llm.anthropic import AnthropicModel as ModelClass
    elif provider == "openai":
        from config.ai.llm.openai_compat import OpenAICompatibleModel as ModelClass
    else:
        from config.ai.llm.ollama import OllamaModel as ModelClass
    engine = ModelClass(model=model, base_url=base_url, api_key=api_key, timeout=settings.AI_STATUS_TIMEOUT,
                        retry=RetryPolicy.from_settings(0))
    return _listing(lambda: engine.list_models(settings.AI_STATUS_TIMEOUT), model)


def check_image_generation(*, provider: str, model: str, base_url: str) -> ConnectionResult:
    """List AUTOMATIC1111's checkpoints, or look for the diffusers weights on disk; never raises but
    ``ValidationFailed``."""
    if provider == "none":
        return ConnectionResult(False, error="No provider is chosen.")
    if provider == "diffusers":
        return _diffusers_weights(model)
    if not base_url:
        return ConnectionResult(False, error="AUTOMATIC1111 needs its URL, e.g. http://gpu-box:7860.")
    check_engine_url("Base URL", base_url)
    from config.ai.image.automatic1111 import Automatic1111ImageGenerator

    engine = Automatic1111ImageGenerator(base_url=base_url, checkpoint=model, controlnet_models={},
                                         timeout=settings.AI_STATUS_TIMEOUT, retry=RetryPolicy.from_settings(0))
    return _listing(lambda: engine.list_models(settings.AI_STATUS_TIMEOUT), model)


def check_maps(*, geocoder_url: str, satellite_url: str, satellite_key: str) -> ConnectionResult:
    """Geocode one address, then fetch one small satellite tile; never raises but ``ValidationFailed``.

    The key travels as the ``key`` query parameter (floorplans/satellite.py), so
    an error is reported by its kind and status, never with the request URL.
    """
    if not geocoder_url or not satellite_url:
        return ConnectionResult(False, error="Both the geocoder URL and the static-map URL are needed.")
    check_engine_url("Geocoder URL", geocoder_url)
    check_engine_url("Static-map URL", satellite_url)
    watch = Stopwatch()
    try:
        with httpx.Client(timeout=settings.AI_STATUS_TIMEOUT, transport=net.transport()) as client:
            found = client.get(geocoder_url, params={"q": "Eiffel Tower, Paris", "format": "json", "limit": 1})
            found.raise_for_status()
            tile = client.get(satellite_url, params={"center": "48.8584,2.2945", "zoom": 18, "size": "64x64",
                                                     "maptype": "satellite", "key": satellite_key})
            tile.raise_for_status()
    except httpx.HTTPStatusError as exc:
        host = urlsplit(str(exc.request.url)).hostname
        return ConnectionResult(False, watch.elapsed_ms(), error=f"{host} answered HTTP {exc.response.status_code}.")
    except httpx.HTTPError as exc:
        reason = exc if isinstance(exc, net.OutboundRefused) else type(exc).__name__
        return ConnectionResult(False, watch.elapsed_ms(), error=f"The map services did not answer: {reason}.")
    places = found.json() if found.headers.get("content-type", "").startswith("application/json") else []
    return ConnectionResult(True, watch.elapsed_ms(), detail=(
        f"Geocoder: {len(places)} result(s){': ' + places[0].get('display_name', '') if places else ''}. "
        f"Static map: {tile.headers.get('content-type', 'unknown type')}, {len(tile.content)} bytes."))


def _listing(call, model: str) -> ConnectionResult:
    watch = Stopwatch()
    try:
        models = call()
    except (ApplicationError, TransientFailure) as exc:
        return ConnectionResult(False, watch.elapsed_ms(), error=str(exc))
    latency = watch.elapsed_ms()
    if not model:
        detail = "Reachable. No model is chosen yet: pick one of these."
    elif any(model in (name, name.split(" [")[0], name.removesuffix(":latest")) for name in models):
        detail = f"Reachable, and {model} is among its models."
    else:
        detail = f"Reachable, but {model} is not among its models."
    return ConnectionResult(True, latency, sorted(models), detail)


def _diffusers_weights(model: str) -> ConnectionResult:
    if not model:
        return ConnectionResult(False, error="Diffusers needs a weights folder or Hugging Face repository id.")
    from config.ai.image.diffusers_engine import DiffusersImageGenerator
    from config.ai.image.weights import DiffusersWeights

    watch = Stopwatch()
    engine = DiffusersImageGenerator(weights=replace(DiffusersWeights.from_settings(), base=model))
    try:
        status = engine.status(settings.AI_STATUS_TIMEOUT)
    except (OSError, EngineUnavailable) as exc:
        return ConnectionResult(False, watch.elapsed_ms(), error=str(exc))
    if status.status != Status.READY:
        return ConnectionResult(False, watch.elapsed_ms(), error=f"{status.status}: {status.detail}")
    return ConnectionResult(True, watch.elapsed_ms(), [part.source for part in engine.weights.parts()],
                            f"The weights are on disk ({status.detail}).")


# The Engines page's forms name their fields as these functions' arguments (config/ai/forms.py).
CHECKS = {"language_model": check_language_model, "image_generation": check_image_generation, "maps": check_maps}
