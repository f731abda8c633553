"""The Anthropic provider against a stand-in Messages API on 127.0.0.1."""

import re

import pytest
from django.test import override_settings
from PIL import Image

from config.ai import registry
from config.ai.errors import EngineOutputInvalid, EngineUnavailable
from config.ai.llm.base import ImageInput, LLMRequest, Message

PHOTO = ImageInput.from_pil(Image.new("RGB", (8, 8), (200, 30, 30)))
SCHEMA = {
    "type": "object",
    "properties": {"room": {"type": "string"}, "confidence": {"type": "number"}},
    "required": ["room", "confidence"],
    "additionalProperties": False,
}


@pytest.fixture
def anthropic(stand_in):
    with override_settings(
        AI_LLM_PROVIDER="anthropic", AI_LLM_MODEL="claude-test", AI_LLM_BASE_URL=stand_in.url,
        AI_LLM_API_KEY="sk-test", AI_LLM_TIMEOUT=5.0, AI_LLM_MAX_RETRIES=2, AI_RETRY_BACKOFF=0.25,
    ):
        yield registry.language_model()


def ask(schema: dict | None = None) -> LLMRequest:
    return LLMRequest(
        messages=(Message("user", "Which room is this?", images=(PHOTO,)),),
        system="You label rooms.", schema=schema, max_tokens=200,
    )


def text_reply(text: str) -> dict:
    return {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 11, "output_tokens": 7},
    }


def tool_reply(data: dict, tool_id: str = "toolu_1") -> dict:
    return {
        "id": "msg_2", "type": "message", "role": "assistant", "model": "claude-test",
        "content": [{"type": "tool_use", "id": tool_id, "name": "result", "input": data}],
        "stop_reason": "tool_use", "stop_sequence": None, "usage": {"input_tokens": 20, "output_tokens": 9},
    }


def error_reply(kind: str) -> dict:
    return {"type": "error", "error": {"type": kind, "message": "try again"}}


def test_text_and_image_are_sent_as_a_messages_request(stand_in, anthropic):
    stand_in.reply(text_reply("A kitchen."))

    result = anthropic.complete(ask())

    sent = stand_in.requests[0]
    assert (sent.method, sent.path) == ("POST", "/v1/messages")
    # The documented header is x-api-key; SDK 2.x sends the same key as a bearer token.
    assert sent.headers.get("x-api-key") == "sk-test" or sent.headers.get("authorization") == "Bearer sk-test"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", sent.headers["anthropic-version"])
    assert sent.body["model"] == "claude-test"
    assert sent.body["max_tokens"] == 200
    assert sent.body["system"] == "You label rooms."
    assert sent.body["messages"] == [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PHOTO.base64()}},
        {"type": "text", "text": "Which room is this?"},
    ]}]
    assert "tools" not in sent.body
    assert (result.text, result.data) == ("A kitchen.", None)
    assert (result.usage.provider, result.usage.model) == ("anthropic", "claude-test")
    assert (result.usage.input_tokens, result.usage.output_tokens, result.usage.attempts) == (11, 7, 1)


def test_schema_is_a_forced_tool_and_its_input_is_the_data(stand_in, anthropic):
    stand_in.reply(tool_reply({"room": "kitchen", "confidence": 0.9}))

    result = anthropic.complete(ask(SCHEMA))

    sent = stand_in.requests[0].body
    assert sent["tools"] == [{
        "name": "result", "description": "Record the answer in the required structure.", "input_schema": SCHEMA,
    }]
    assert sent["tool_choice"] == {"type": "tool", "name": "result"}
    assert result.data == {"room": "kitchen", "confidence": 0.9}


def test_429_is_retried_after_the_retry_after_wait(stand_in, anthropic, waits):
    stand_in.reply(error_reply("rate_limit_error"), status=429, headers={"Retry-After": "1"})
    stand_in.reply(text_reply("A kitchen."))

    result = anthropic.complete(ask())

    assert waits == [1.0]
    assert result.usage.attempts == 2
    assert len(stand_in.requests) == 2


def test_500_is_retried_with_backoff(stand_in, anthropic, waits):
    stand_in.reply(error_reply("api_error"), status=500)
    stand_in.reply(text_reply("A kitchen."))

    result = anthropic.complete(ask())

    assert waits == [0.25]
    assert result.text == "A kitchen."


def test_a_slow_server_times_out_as_unavailable_without_retrying(stand_in):
    stand_in.reply(text_reply("too late"), delay=3)
    with override_settings(
        AI_LLM_PROVIDER="anthropic", AI_LLM_MODEL="claude-test", AI_LLM_BASE_URL=stand_in.url,
        AI_LLM_API_KEY="sk-test", AI_LLM_TIMEOUT=0.3,
    ), pytest.raises(EngineUnavailable, match=r"did not answer within 0\.3 s"):
        registry.language_model().complete(ask())
    assert len(stand_in.requests) == 1


def test_invalid_tool_input_is_repaired_through_an_error_tool_result(stand_in, anthropic):
    stand_in.reply(tool_reply({"room": "kitchen"}, tool_id="toolu_bad"))
    stand_in.reply(tool_reply({"room": "kitchen", "confidence": 0.8}))

    result = anthropic.complete(ask(SCHEMA))

    assert result.data == {"room": "kitchen", "confidence": 0.8}
    assistant, user = stand_in.requests[1].body["messages"][-2:]
    assert assistant == {"role": "assistant", "content": [
        {"type": "tool_use", "id": "toolu_bad", "name": "result", "input": {"room": "kitchen"}},
    ]}
    tool_result = user["content"][0]
    assert (tool_result["type"], tool_result["tool_use_id"], tool_result["is_error"]) == (
        "tool_result", "toolu_bad", True)
    assert "'confidence' is a required property" in tool_result["content"]
    assert (result.usage.attempts, result.usage.input_tokens) == (2, 40)


def test_twice_invalid_output_raises_output_invalid(stand_in, anthropic):
    stand_in.reply(text_reply("It is a kitchen, I think."))
    stand_in.reply(text_reply("Kitchen."))

    with pytest.raises(EngineOutputInvalid) as caught:
        anthropic.complete(ask(SCHEMA))

    assert (caught.value.code, caught.value.status) == ("AI_OUTPUT_INVALID", 502)
    assert "not valid JSON" in caught.value.message
    assert stand_in.requests[1].body["messages"][-1]["role"] == "user"
    assert len(stand_in.requests) == 2


def test_status_probes_the_models_endpoint(stand_in, anthropic):
    stand_in.reply({"data": [{"type": "model", "id": "claude-test", "display_name": "Test",
                              "created_at": "2025-01-01T00:00:00Z"}],
                    "has_more": False, "first_id": "claude-test", "last_id": "claude-test"})

    report = registry.status_report()["language_model"]

    assert report["status"] == "ready"
    assert stand_in.requests[0].path.startswith("/v1/models")
