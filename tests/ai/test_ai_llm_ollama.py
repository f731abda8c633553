"""The Ollama provider against a stand-in native API (/api/chat) on 127.0.0.1."""

import json

import pytest
from django.test import override_settings
from PIL import Image

from config.ai import registry
from config.ai.errors import EngineOutputInvalid, EngineUnavailable
from config.ai.llm.base import ImageInput, LLMRequest, Message

PHOTO = ImageInput.from_pil(Image.new("RGB", (8, 8), (30, 30, 200)))
SCHEMA = {
    "type": "object",
    "properties": {"room": {"type": "string"}},
    "required": ["room"],
    "additionalProperties": False,
}


def ollama_settings(url: str, **overrides):
    values = {
        "AI_LLM_PROVIDER": "ollama", "AI_LLM_MODEL": "llava", "AI_LLM_BASE_URL": url, "AI_LLM_API_KEY": "",
        "AI_LLM_TIMEOUT": 5.0, "AI_LLM_MAX_RETRIES": 2, "AI_RETRY_BACKOFF": 0.25,
    }
    return override_settings(**(values | overrides))


@pytest.fixture
def ollama(stand_in):
    with ollama_settings(stand_in.url):
        yield registry.language_model()


def ask(schema: dict | None = None) -> LLMRequest:
    return LLMRequest(
        messages=(Message("user", "Which room is this?", images=(PHOTO,)),),
        system="You label rooms.", schema=schema, max_tokens=200, temperature=0.0,
    )


def chat(content: str) -> dict:
    return {
        "model": "llava", "created_at": "2025-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": content},
        "done": True, "done_reason": "stop", "prompt_eval_count": 11, "eval_count": 7,
    }


def test_text_and_images_are_sent_to_api_chat(stand_in, ollama):
    stand_in.reply(chat("A bedroom."))

    result = ollama.complete(ask())

    sent = stand_in.requests[0]
    assert (sent.method, sent.path) == ("POST", "/api/chat")
    assert sent.body["model"] == "llava"
    assert sent.body["stream"] is False
    assert sent.body["options"] == {"num_predict": 200, "temperature": 0.0}
    assert sent.body["messages"] == [
        {"role": "system", "content": "You label rooms."},
        {"role": "user", "content": "Which room is this?", "images": [PHOTO.base64()]},
    ]
    assert "format" not in sent.body
    assert result.text == "A bedroom."
    assert (result.usage.provider, result.usage.input_tokens, result.usage.output_tokens) == ("ollama", 11, 7)


def test_schema_is_sent_as_format(stand_in, ollama):
    stand_in.reply(chat(json.dumps({"room": "bedroom"})))

    result = ollama.complete(ask(SCHEMA))

    assert stand_in.requests[0].body["format"] == SCHEMA
    assert result.data == {"room": "bedroom"}


def test_429_is_retried_after_the_retry_after_wait(stand_in, ollama, waits):
    stand_in.reply({"error": "busy"}, status=429, headers={"Retry-After": "1"})
    stand_in.reply(chat("A bedroom."))

    result = ollama.complete(ask())

    assert waits == [1.0]
    assert result.usage.attempts == 2


def test_500_is_retried_with_backoff(stand_in, ollama, waits):
    stand_in.reply({"error": "model crashed"}, status=500)
    stand_in.reply(chat("A bedroom."))

    result = ollama.complete(ask())

    assert waits == [0.25]
    assert result.text == "A bedroom."


def test_a_slow_server_times_out_as_unavailable(stand_in):
    stand_in.reply(chat("too late"), delay=3)
    with ollama_settings(stand_in.url, AI_LLM_TIMEOUT=0.3), pytest.raises(EngineUnavailable, match="did not answer"):
        registry.language_model().complete(ask())
    assert len(stand_in.requests) == 1


def test_a_missing_model_is_unavailable_at_once(stand_in, ollama):
    stand_in.reply({"error": "model 'llava' not found"}, status=404)

    with pytest.raises(EngineUnavailable, match="HTTP 404"):
        ollama.complete(ask())
    assert len(stand_in.requests) == 1


def test_invalid_json_is_repaired_once(stand_in, ollama):
    stand_in.reply(chat("bedroom"))
    stand_in.reply(chat(json.dumps({"room": "bedroom"})))

    result = ollama.complete(ask(SCHEMA))

    assert result.data == {"room": "bedroom"}
    repair = stand_in.requests[1].body
    assert repair["format"] == SCHEMA
    assert repair["messages"][-2] == {"role": "assistant", "content": "bedroom"}
    assert "not valid JSON" in repair["messages"][-1]["content"]


def test_twice_invalid_output_raises_output_invalid(stand_in, ollama):
    stand_in.reply(chat(json.dumps({"kind": "bedroom"})))
    stand_in.reply(chat(json.dumps({"kind": "bedroom"})))

    with pytest.raises(EngineOutputInvalid, match="'room' is a required property"):
        ollama.complete(ask(SCHEMA))


def test_status_reports_a_model_that_is_not_pulled(stand_in, ollama):
    stand_in.reply({"models": [{"name": "mistral:latest", "model": "mistral:latest", "size": 1, "digest": "x"}]})

    report = registry.status_report()["language_model"]

    assert report["status"] == "weights not present"
    assert "ollama pull llava" in report["detail"]
    assert stand_in.requests[0].path == "/api/tags"
