"""The language-model capability: messages with text and images in, text or checked JSON out.

Providers implement ``_send`` (one request, with retries) and ``probe``; the base
class owns the contract every provider shares: validation against the caller's
JSON Schema, one repair round trip, usage records and the errors raised.
"""

import base64
import io
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from jsonschema.validators import validator_for

from config import net
from config.ai.errors import EngineOutputInvalid, EngineUnavailable
from config.ai.retry import RetryPolicy, fail_for_status
from config.ai.status import EngineStatus, Status
from config.ai.usage import CallRecord, Stopwatch

ROLES = ("user", "assistant")

REPAIR_PROMPT = (
    "Your previous answer could not be used: {problem}. "
    "Answer again with only the JSON that matches the required schema."
)


@dataclass(frozen=True)
class ImageInput:
    """An image sent to the model, as encoded bytes (PNG, JPEG, WebP or GIF)."""

    data: bytes
    media_type: str = "image/png"

    @classmethod
    def from_pil(cls, image: Any, *, image_format: str = "PNG") -> "ImageInput":
        buffer = io.BytesIO()
        image.save(buffer, format=image_format)
        return cls(buffer.getvalue(), f"image/{image_format.lower()}")

    def base64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")


@dataclass(frozen=True)
class Message:
    """One conversation turn; images go to the model before the text."""

    role: str
    text: str = ""
    images: tuple[ImageInput, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {self.role!r}.")


@dataclass(frozen=True)
class LLMRequest:
    """What to ask. With ``schema`` (a JSON Schema whose root is an object) the
    answer is parsed and validated into ``LLMResult.data``."""

    messages: tuple[Message, ...]
    system: str = ""
    schema: dict | None = None
    schema_name: str = "result"
    max_tokens: int = 1024
    temperature: float | None = None

    def __post_init__(self) -> None:
        if not self.messages:
            raise ValueError("A request needs at least one message.")
        if self.schema is not None:
            validator_for(self.schema).check_schema(self.schema)
            if self.schema.get("type") != "object":
                # Anthropic tool input and OpenAI strict mode both require an object root.
                raise ValueError("The schema's root must be an object.")


@dataclass(frozen=True)
class LLMResult:
    """The answer: ``text`` always, ``data`` when a schema was given, and what it cost."""

    text: str
    data: Any
    usage: CallRecord


@dataclass(frozen=True)
class Reply:
    """One provider answer before validation.

    ``data`` is set when the provider already parsed structured output (Anthropic
    tool input); ``turn`` is whatever the provider needs to echo this answer back
    in a repair request.
    """

    text: str
    data: Any = None
    input_tokens: int = 0
    output_tokens: int = 0
    attempts: int = 1
    turn: Any = None


@dataclass(frozen=True)
class Repair:
    """The invalid answer and what was wrong with it, for the one repair request."""

    previous: Reply
    problem: str

    def prompt(self) -> str:
        return REPAIR_PROMPT.format(problem=self.problem)


@dataclass
class LanguageModel(ABC):
    """A configured language model. Thread-safe; one instance serves a whole process."""

    model: str
    base_url: str
    api_key: str = field(repr=False)  # kept out of logs and tracebacks
    timeout: float
    retry: RetryPolicy
    last_call: CallRecord | None = field(default=None, init=False)

    provider = ""

    def complete(self, request: LLMRequest) -> LLMResult:
        """Answer ``request``.

        Raises ``EngineUnavailable`` when the provider cannot be reached, times out
        or keeps failing, and ``EngineOutputInvalid`` when the answer does not match
        ``request.schema`` after one repair attempt.
        """
        watch = Stopwatch()
        replies = [self._send(request, None)]
        data = None
        if request.schema is not None:
            data, problem = parse_structured(replies[0], request.schema)
            if problem:
                replies.append(self._send(request, Repair(replies[0], problem)))
                data, problem = parse_structured(replies[1], request.schema)
            if problem:
                usage = self._record(watch, replies)
                raise EngineOutputInvalid(
                    f"{self.provider} model {self.model} returned invalid output twice: {problem}",
                    details={"problem": problem, "usage": usage.as_dict()},
                )
        return LLMResult(text=replies[-1].text, data=data, usage=self._record(watch, replies))

    @abstractmethod
    def _send(self, request: LLMRequest, repair: Repair | None) -> Reply:
        """Send one request (retrying transient failures) and return the provider's answer."""

    @abstractmethod
    def probe(self, timeout: float) -> EngineStatus:
        """Ask the server, within ``timeout`` seconds, whether it can serve ``model``."""

    def _record(self, watch: Stopwatch, replies: list[Reply]) -> CallRecord:
        self.last_call = CallRecord(
            provider=self.provider,
            model=self.model,
            latency_ms=watch.elapsed_ms(),
            input_tokens=sum(reply.input_tokens for reply in replies),
            output_tokens=sum(reply.output_tokens for reply in replies),
            attempts=sum(reply.attempts for reply in replies),
        )
        return self.last_call


def parse_structured(reply: Reply, schema: dict) -> tuple[Any, str | None]:
    """Return ``(data, None)`` for a valid answer, or ``(None, problem)``."""
    data = reply.data
    if data is None:
        try:
            data = json.loads(reply.text)
        except json.JSONDecodeError as exc:
            return None, f"the answer is not valid JSON ({exc.msg} at position {exc.pos})"
    validator = validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(data), key=lambda error: list(error.absolute_path))
    if errors:
        return None, "; ".join(f"{error.json_path}: {error.message}" for error in errors[:5])
    return data, None


@contextmanager
def sdk_errors(sdk: ModuleType, provider: str, *, timeout: float, base_url: str) -> Iterator[None]:
    """Map the exceptions the Anthropic and OpenAI SDKs share to engine errors."""
    try:
        yield
    except sdk.APITimeoutError as exc:
        raise EngineUnavailable(f"{provider} did not answer within {timeout:g} s.") from exc
    except sdk.APIConnectionError as exc:
        # The SDK's message is only "Connection error."; an outbound-policy refusal says why.
        reason = exc.__cause__ if isinstance(exc.__cause__, net.OutboundRefused) else exc
        raise EngineUnavailable(f"{provider} is unreachable at {base_url}: {reason}") from exc
    except sdk.APIStatusError as exc:
        fail_for_status(provider, exc.status_code, exc.response.headers, exc.message)


def probe_sdk(sdk: ModuleType, call: Any) -> EngineStatus:
    """Run an SDK health call and describe the outcome."""
    try:
        return call()
    except sdk.APIConnectionError as exc:
        return EngineStatus(Status.UNREACHABLE, str(exc))
    except sdk.APIStatusError as exc:
        return EngineStatus(Status.ERROR, f"HTTP {exc.status_code}: {exc.message}")


def chat_messages(request: "LLMRequest", repair: "Repair | None", convert: Callable[["Message"], dict]) -> list[dict]:
    """Role/content chat messages (OpenAI and Ollama style): system, the request, then a repair turn.

    ``convert`` turns one ``Message`` into the provider's dict (images differ).
    """
    messages = [{"role": "system", "content": request.system}] if request.system else []
    messages += [convert(message) for message in request.messages]
    if repair is not None:
        messages += [
            {"role": "assistant", "content": repair.previous.text},
            {"role": "user", "content": repair.prompt()},
        ]
    return messages
