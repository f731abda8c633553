"""OpenAI-compatible chat completions through the official SDK.

One provider for OpenAI itself and for servers that speak its API: vLLM,
LM Studio and Ollama's /v1. Structured output uses ``response_format`` with a
strict JSON Schema, so the caller's schema must follow strict mode's rules
(every property required, ``additionalProperties: false``).
"""

from functools import cached_property

import openai

from config import net
from config.ai.llm.base import (
    LanguageModel,
    LLMRequest,
    Message,
    Repair,
    Reply,
    chat_messages,
    probe_sdk,
    sdk_errors,
)
from config.ai.retry import call_with_retries
from config.ai.status import EngineStatus, Status

DEFAULT_BASE_URL = "https://api.openai.com/v1"

# Local servers ignore the key, but the SDK refuses to start without one and
# would otherwise read OPENAI_API_KEY from the environment.
UNUSED_KEY = "not-needed"


class OpenAICompatibleModel(LanguageModel):
    provider = "openai"

    @cached_property
    def _client(self) -> openai.OpenAI:
        return openai.OpenAI(
            api_key=self.api_key or UNUSED_KEY,
            base_url=self.base_url or DEFAULT_BASE_URL,
            timeout=self.timeout,
            max_retries=0,
            # The base URL is a setting: connect only where the outbound policy allows (config/net.py).
            http_client=net.sdk_http_client(openai.DefaultHttpxClient),
        )

    def _send(self, request: LLMRequest, repair: Repair | None) -> Reply:
        # max_tokens rather than max_completion_tokens: every compatible server accepts it.
        kwargs: dict = {"model": self.model, "messages": chat_messages(request, repair, _message),
                        "max_tokens": request.max_tokens}
        if request.temperature is not None:
            kwargs["temperature"] = request.temperature
        if request.schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": request.schema, "strict": True},
            }
        response, attempts = call_with_retries(lambda: self._create(kwargs), self.retry)
        usage = response.usage
        return Reply(
            text=response.choices[0].message.content or "",
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            attempts=attempts,
        )

    def _create(self, kwargs: dict) -> openai.types.chat.ChatCompletion:
        with sdk_errors(openai, self.provider, timeout=self.timeout, base_url=str(self._client.base_url)):
            return self._client.chat.completions.create(**kwargs)

    def list_models(self, timeout: float) -> list[str]:
        """The models the server offers (``GET /v1/models``); ``EngineUnavailable`` with the reason otherwise."""
        with sdk_errors(openai, self.provider, timeout=timeout, base_url=str(self._client.base_url)):
            return [model.id for model in self._client.with_options(timeout=timeout, max_retries=0).models.list()]

    def probe(self, timeout: float) -> EngineStatus:
        def call() -> EngineStatus:
            served = [model.id for model in self._client.with_options(timeout=timeout, max_retries=0).models.list()]
            if served and self.model not in served:
                return EngineStatus(Status.ERROR, f"{self.model} is not among the models the server offers")
            return EngineStatus(Status.READY, f"reachable at {self._client.base_url}")

        return probe_sdk(openai, call)


def _message(message: Message) -> dict:
    if not message.images:
        return {"role": message.role, "content": message.text}
    content: list[dict] = [
        {"type": "image_url", "image_url": {"url": f"data:{image.media_type};base64,{image.base64()}"}}
        for image in message.images
    ]
    if message.text:
        content.append({"type": "text", "text": message.text})
    return {"role": message.role, "content": content}
