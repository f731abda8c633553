"""Anthropic Messages API through the official SDK.

Structured output uses a forced tool call: the schema is the tool's
``input_schema`` and the answer is the tool input.
"""

import json
from functools import cached_property

import anthropic

from config import net
from config.ai.llm.base import LanguageModel, LLMRequest, Message, Repair, Reply, probe_sdk, sdk_errors
from config.ai.retry import call_with_retries
from config.ai.status import EngineStatus, Status

DEFAULT_BASE_URL = "https://api.anthropic.com"


class AnthropicModel(LanguageModel):
    provider = "anthropic"

    @cached_property
    def _client(self) -> anthropic.Anthropic:
        # Key and URL are always passed so the SDK never falls back to its own
        # environment variables; retries are ours, so they are counted.
        return anthropic.Anthropic(
            api_key=self.api_key, base_url=self.base_url or DEFAULT_BASE_URL, timeout=self.timeout, max_retries=0,
            http_client=net.sdk_http_client(anthropic.DefaultHttpxClient),  # the outbound policy (config/net.py)
        )

    def _send(self, request: LLMRequest, repair: Repair | None) -> Reply:
        kwargs: dict = {"model": self.model, "max_tokens": request.max_tokens, "messages": _messages(request, repair)}
        if request.system:
            kwargs["system"] = request.system
        if request.temperature is not None:
            kwargs["temperature"] = request.temperature
        if request.schema is not None:
            kwargs["tools"] = [{
                "name": request.schema_name,
                "description": "Record the answer in the required structure.",
                "input_schema": request.schema,
            }]
            kwargs["tool_choice"] = {"type": "tool", "name": request.schema_name}
        response, attempts = call_with_retries(lambda: self._create(kwargs), self.retry)
        text = "".join(block.text for block in response.content if block.type == "text")
        tool_use = next((block for block in response.content if block.type == "tool_use"), None)
        return Reply(
            text=text if tool_use is None else json.dumps(tool_use.input, ensure_ascii=False),
            data=None if tool_use is None else tool_use.input,
            input_tokens=response.usage.input_tokens,
            output_tokens=response.usage.output_tokens,
            attempts=attempts,
            turn=tool_use,
        )

    def _create(self, kwargs: dict) -> anthropic.types.Message:
        with sdk_errors(anthropic, self.provider, timeout=self.timeout, base_url=str(self._client.base_url)):
            return self._client.messages.create(**kwargs)

    def list_models(self, timeout: float) -> list[str]:
        """The first page of models the key may use (``GET /v1/models``); ``EngineUnavailable`` otherwise."""
        with sdk_errors(anthropic, self.provider, timeout=timeout, base_url=str(self._client.base_url)):
            page = self._client.with_options(timeout=timeout, max_retries=0).models.list(limit=100)
            return [model.id for model in page.data]

    def probe(self, timeout: float) -> EngineStatus:
        def call() -> EngineStatus:
            self._client.with_options(timeout=timeout, max_retries=0).models.list(limit=1)
            return EngineStatus(Status.READY, f"reachable at {self._client.base_url}")

        return probe_sdk(anthropic, call)


def _messages(request: LLMRequest, repair: Repair | None) -> list[dict]:
    messages = [_message(message) for message in request.messages]
    if repair is None:
        return messages
    tool_use = repair.previous.turn
    if tool_use is None:
        return [*messages, {"role": "assistant", "content": repair.previous.text or "(no answer)"},
                {"role": "user", "content": repair.prompt()}]
    # A tool call must be answered by its tool_result; is_error tells the model to try again.
    return [
        *messages,
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": tool_use.id, "name": tool_use.name, "input": tool_use.input},
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": tool_use.id, "is_error": True, "content": repair.prompt()},
        ]},
    ]


def _message(message: Message) -> dict:
    if not message.images:
        return {"role": message.role, "content": message.text}
    content: list[dict] = [
        {"type": "image", "source": {"type": "base64", "media_type": image.media_type, "data": image.base64()}}
        for image in message.images
    ]
    if message.text:
        content.append({"type": "text", "text": message.text})
    return {"role": message.role, "content": content}

