"""Ollama's native chat API through the official client.

Structured output passes the JSON Schema as ``format``; images travel as the
message's ``images`` list.
"""

from functools import cached_property

import httpx
import ollama

from config import net
from config.ai.errors import EngineUnavailable
from config.ai.llm.base import LanguageModel, LLMRequest, Message, Repair, Reply, chat_messages
from config.ai.retry import call_with_retries, fail_for_status
from config.ai.status import EngineStatus, Status

DEFAULT_BASE_URL = "http://127.0.0.1:11434"


class OllamaModel(LanguageModel):
    provider = "ollama"

    @property
    def _host(self) -> str:
        return self.base_url or DEFAULT_BASE_URL

    @cached_property
    def _client(self) -> ollama.Client:
        return self._new_client(self.timeout)

    def _new_client(self, timeout: float) -> ollama.Client:
        headers = {"authorization": f"Bearer {self.api_key}"} if self.api_key else None
        # The host is a setting: connect only where the outbound policy allows (config/net.py).
        return ollama.Client(host=self._host, timeout=timeout, headers=headers, transport=net.transport())

    def _send(self, request: LLMRequest, repair: Repair | None) -> Reply:
        options: dict = {"num_predict": request.max_tokens}
        if request.temperature is not None:
            options["temperature"] = request.temperature
        kwargs: dict = {
            "model": self.model, "messages": chat_messages(request, repair, _message), "options": options,
            "stream": False,
        }
        if request.schema is not None:
            kwargs["format"] = request.schema
        response, attempts = call_with_retries(lambda: self._chat(kwargs), self.retry)
        return Reply(
            text=response.message.content or "",
            input_tokens=response.prompt_eval_count or 0,
            output_tokens=response.eval_count or 0,
            attempts=attempts,
        )

    def _chat(self, kwargs: dict) -> ollama.ChatResponse:
        try:
            return self._client.chat(**kwargs)
        except ollama.ResponseError as exc:
            # The client drops the response; its headers (Retry-After) survive
            # on the httpx error it was raised from.
            response = getattr(exc.__context__, "response", None)
            headers = response.headers if response is not None else None
            fail_for_status(self.provider, exc.status_code, headers, exc.error)
        except httpx.TimeoutException as exc:
            raise EngineUnavailable(f"ollama did not answer within {self.timeout:g} s.") from exc
        except (ConnectionError, httpx.TransportError) as exc:
            # The client replaces connect errors with a generic ConnectionError; a policy refusal says why.
            reason = exc.__context__ if isinstance(exc.__context__, net.OutboundRefused) else exc
            raise EngineUnavailable(f"ollama is unreachable at {self._host}: {reason}") from exc

    def list_models(self, timeout: float) -> list[str]:
        """The models pulled on the server (``GET /api/tags``); ``EngineUnavailable`` with the reason otherwise."""
        try:
            return self._pulled(timeout)
        except (ConnectionError, httpx.TransportError) as exc:
            reason = exc.__context__ if isinstance(exc.__context__, net.OutboundRefused) else exc
            raise EngineUnavailable(f"ollama is unreachable at {self._host}: {reason}") from exc
        except ollama.ResponseError as exc:
            raise EngineUnavailable(f"ollama refused the request (HTTP {exc.status_code}): {exc.error}") from exc

    def probe(self, timeout: float) -> EngineStatus:
        try:
            pulled = set(self._pulled(timeout))
        except (ConnectionError, httpx.TransportError) as exc:
            return EngineStatus(Status.UNREACHABLE, str(exc))
        except ollama.ResponseError as exc:
            return EngineStatus(Status.ERROR, str(exc))
        if self.model not in pulled and f"{self.model}:latest" not in pulled:
            return EngineStatus(Status.WEIGHTS_NOT_PRESENT, f"run `ollama pull {self.model}` on {self._host}")
        return EngineStatus(Status.READY, f"reachable at {self._host}")

    def _pulled(self, timeout: float) -> list[str]:
        return [model.model for model in self._new_client(timeout).list().models]


def _message(message: Message) -> dict:
    result: dict = {"role": message.role, "content": message.text}
    if message.images:
        result["images"] = [image.data for image in message.images]
    return result
