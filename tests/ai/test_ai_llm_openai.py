"""The OpenAI-compatible provider against a stand-in chat completions API on 127.0.0.1."""

import json

import pytest
from django.test import override_settings
from PIL import Image

from config.ai import registry
from config.ai.errors import EngineOutputInvalid, EngineUnavailable
from config.ai.llm.base import ImageInput, LLMRequest, Message

PHOTO = ImageInput.from_pil(Image.new("RGB", (8, 8), (30, 200, 30)))
SCHEMA = {
    "type": "object",
    "properties": {"room": {"type": "string"}, "confidence": {"type": "number"}},
    "required": ["room", "confidence"],
    "additionalProperties": False,
}


def openai_settings(url: str, **overrides):
    values = {
        "AI_LLM_PROVIDER": "openai", "AI_LLM_MODEL": "gpt-test", "AI_LLM_BASE_URL": f"{url}/v1",
        "AI_LLM_API_KEY": "sk-test", "AI_LLM_TIMEOUT": 5.0, "AI_LLM_MAX_RETRIES": 2, "AI_RETRY_BACKOFF": 0.25,
    }
    return override_settings(**(values | overrides))


@pytest.fixture
def openai(stand_in):
    with openai_settings(stand_in.url):
        yield registry.language_model()


def ask(schema: dict | None = None) -> LLMRequest:
    return LLMRequest(
        messages=(Message("user", "Which room is this?", images=(PHOTO,)),),
        system="You label rooms.", schema=schema, max_tokens=200,
    )


def completion(content: str) -> dict:
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "gpt-test",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }


def error_reply(message: str) -> dict:
    return {"error": {"message": message, "type": "server_error", "code": None}}


def test_text_and_image_are_sent_as_a_chat_completion(stand_in, openai):
    stand_in.reply(completion("A bathroom."))

    result = openai.complete(ask())

    sent = stand_in.requests[0]
    assert (sent.method, sent.path) == ("POST", "/v1/chat/completions")
    assert sent.headers["authorization"] == "Bearer sk-test"
    assert sent.body["model"] == "gpt-test"
    assert sent.body["max_tokens"] == 200
    assert sent.body["messages"] == [
        {"role": "system", "content": "You label rooms."},
        {"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PHOTO.base64()}"}},
            {"type": "text", "text": "Which room is this?"},
        ]},
    ]
    assert "response_format" not in sent.body
    assert result.text == "A bathroom."
    assert (result.usage.provider, result.usage.input_tokens, result.usage.output_tokens) == ("openai", 11, 7)


def test_schema_is_a_strict_json_schema_response_format(stand_in, openai):
    stand_in.reply(completion(json.dumps({"room": "bathroom", "confidence": 0.7})))

    result = openai.complete(ask(SCHEMA))

    assert stand_in.requests[0].body["response_format"] == {
        "type": "json_schema", "json_schema": {"name": "result", "schema": SCHEMA, "strict": True},
    }
    assert result.data == {"room": "bathroom", "confidence": 0.7}


def test_429_is_retried_after_the_retry_after_wait(stand_in, openai, waits):
    stand_in.reply(error_reply("slow down"), status=429, headers={"Retry-After": "1"})
    stand_in.reply(completion("A bathroom."))

    result = openai.complete(ask())

    assert waits == [1.0]
    assert result.usage.attempts == 2


def test_500_is_retried_with_backoff(stand_in, openai, waits):
    stand_in.reply(error_reply("boom"), status=500)
    stand_in.reply(error_reply("boom"), status=502)
    stand_in.reply(completion("A bathroom."))

    result = openai.complete(ask())

    assert waits == [0.25, 0.5]
    assert result.usage.attempts == 3


def test_retries_are_bounded(stand_in, openai, waits):
    for _ in range(3):
        stand_in.reply(error_reply("boom"), status=503)

    with pytest.raises(EngineUnavailable, match="gave up after 3 attempts"):
        openai.complete(ask())
    assert len(stand_in.requests) == 3


def test_a_slow_server_times_out_as_unavailable(stand_in):
    stand_in.reply(completion("too late"), delay=3)
    with openai_settings(stand_in.url, AI_LLM_TIMEOUT=0.3), pytest.raises(EngineUnavailable, match="did not answer"):
        registry.language_model().complete(ask())
    assert len(stand_in.requests) == 1


def test_invalid_json_is_repaired_once(stand_in, openai):
    stand_in.reply(completion('{"room": "bathroom", "confidence": '))
    stand_in.reply(completion(json.dumps({"room": "bathroom", "confidence": 0.6})))

    result = openai.complete(ask(SCHEMA))

    assert result.data == {"room": "bathroom", "confidence": 0.6}
    assistant, user = stand_in.requests[1].body["messages"][-2:]
    assert assistant == {"role": "assistant", "content": '{"room": "bathroom", "confidence": '}
    assert user["role"] == "user" and "not valid JSON" in user["content"]
    assert (result.usage.attempts, result.usage.output_tokens) == (2, 14)


def test_twice_invalid_output_raises_output_invalid(stand_in, openai):
    stand_in.reply(completion(json.dumps({"room": "bathroom"})))
    stand_in.reply(completion(json.dumps({"room": 3, "confidence": 0.2})))

    with pytest.raises(EngineOutputInvalid, match=r"\$.room: 3 is not of type 'string'") as caught:
        openai.complete(ask(SCHEMA))
    assert caught.value.code == "AI_OUTPUT_INVALID"
    assert caught.value.details["usage"]["attempts"] == 2  # a job step can still store what the tries cost


def test_status_is_ready_when_the_server_lists_the_model(stand_in, openai):
    stand_in.reply({"object": "list", "data": [{"id": "gpt-test", "object": "model", "created": 0, "owned_by": "me"}]})

    report = registry.status_report()["language_model"]

    assert (report["provider"], report["model"], report["status"]) == ("openai", "gpt-test", "ready")
    assert stand_in.requests[0].path == "/v1/models"


def test_status_is_unreachable_when_nothing_listens(stand_in):
    stand_in.stop()
    with openai_settings(stand_in.url):
        assert registry.status_report()["language_model"]["status"] == "unreachable"
