"""catalog.describe against a stand-in OpenAI-compatible server."""

import base64
import io

import pytest
from PIL import Image

from catalog.describe import DESCRIPTION_SCHEMA, Description, describe
from config.ai.errors import EngineOutputInvalid, EngineUnavailable
from tests.catalog import drawn
from tests.standin import openai_chat_reply

FACTS = {
    "label": "coffee mug",
    "category": {"category": "home", "subcategory": "kitchen"},
    "colours": [{"name": "red", "hex": "#c81e1e", "share": 0.7}],
    "measurements": {"width": 1200, "height": 1200, "fill_ratio": 0.9},
}
ANSWER = {
    "title": "Red ceramic-look coffee mug with printed label",
    "description": "A red mug with a cream label, shown on a white background.",
    "tags": ["Red mug", "coffee mug", "red  mug", " kitchen ", ""],
    "alt_text": "A red mug with a cream label on a white background.",
}


@pytest.fixture
def llm(openai_stand_in):
    return openai_stand_in


def sent_image(request) -> Image.Image:
    parts = [part for message in request.body["messages"] if isinstance(message["content"], list)
             for part in message["content"]]
    urls = [part["image_url"]["url"] for part in parts if part["type"] == "image_url"]
    assert len(urls) == 1 and urls[0].startswith("data:image/jpeg;base64,")
    return Image.open(io.BytesIO(base64.b64decode(urls[0].split(",", 1)[1])))


def test_describe_sends_the_photo_the_facts_and_the_strict_schema(llm):
    llm.reply(openai_chat_reply(ANSWER))

    describe(drawn.product_photo(), facts=FACTS)

    sent = llm.requests[0]
    assert sent.path == "/v1/chat/completions" and sent.body["model"] == "vision-test"
    assert sent_image(sent).size == (1024, 1024)
    text = next(part["text"] for message in sent.body["messages"] if isinstance(message["content"], list)
                for part in message["content"] if part["type"] == "text")
    assert '"coffee mug"' in text and '"red"' in text
    response_format = sent.body["response_format"]["json_schema"]
    assert response_format["strict"] is True and response_format["schema"] == DESCRIPTION_SCHEMA
    assert DESCRIPTION_SCHEMA["additionalProperties"] is False
    assert set(DESCRIPTION_SCHEMA["required"]) == set(DESCRIPTION_SCHEMA["properties"])


def test_the_answer_becomes_a_description_with_its_model_and_usage(llm):
    llm.reply(openai_chat_reply(ANSWER))

    description = describe(drawn.product_photo(), facts=FACTS)

    assert isinstance(description, Description)
    assert description.title == ANSWER["title"] and description.alt_text == ANSWER["alt_text"]
    assert description.tags == ["red mug", "coffee mug", "kitchen"]
    assert description.model == "vision-test"
    assert description.usage["input_tokens"] == 900 and description.usage["output_tokens"] == 120


def test_an_answer_outside_the_schema_twice_is_output_invalid(llm):
    wrong = {key: value for key, value in ANSWER.items() if key != "alt_text"}
    llm.reply(openai_chat_reply(wrong))
    llm.reply(openai_chat_reply(wrong))

    with pytest.raises(EngineOutputInvalid):
        describe(drawn.product_photo(), facts=FACTS)
    assert len(llm.requests) == 2


def test_without_a_language_model_describe_is_engine_unavailable(settings):
    settings.AI_LLM_PROVIDER = "none"

    with pytest.raises(EngineUnavailable):
        describe(drawn.product_photo(), facts=FACTS)
