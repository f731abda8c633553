"""What the request objects accept before any engine sees them."""

import pytest
from jsonschema.exceptions import SchemaError
from PIL import Image

from config.ai.image.base import ControlNetCondition, ImageRequest, Mode
from config.ai.llm.base import LLMRequest, Message

PHOTO = Image.new("RGB", (64, 64))


def test_the_mode_follows_the_images_given():
    assert ImageRequest("a").mode == Mode.TXT2IMG
    assert ImageRequest("a", init_image=PHOTO).mode == Mode.IMG2IMG
    assert ImageRequest("a", init_image=PHOTO, mask=PHOTO).mode == Mode.INPAINT


def test_strength_defaults_per_mode():
    assert ImageRequest("a", init_image=PHOTO).denoising_strength == 0.75
    assert ImageRequest("a", init_image=PHOTO, mask=PHOTO).denoising_strength == 1.0


@pytest.mark.parametrize("fields", [
    {"width": 500}, {"height": 0}, {"steps": 0}, {"mask": PHOTO}, {"init_image": PHOTO, "strength": 1.5},
    {"init_image": PHOTO, "steps": 1, "strength": 0.5},
])
def test_impossible_image_requests_are_refused(fields):
    with pytest.raises(ValueError):
        ImageRequest("a", **fields)


def test_a_depth_map_cannot_be_made_from_a_photo():
    with pytest.raises(ValueError, match="pass the map itself"):
        ControlNetCondition.from_photo("depth", PHOTO)


def test_an_unknown_controlnet_kind_is_refused():
    with pytest.raises(ValueError):
        ControlNetCondition("pose", PHOTO)


@pytest.mark.parametrize("fields", [
    {"messages": ()},
    {"messages": (Message("user", "hi"),), "schema": {"type": "array"}},
    {"messages": (Message("user", "hi"),), "schema": {"type": "object", "properties": 3}},
])
def test_impossible_llm_requests_are_refused(fields):
    with pytest.raises((ValueError, SchemaError)):
        LLMRequest(**fields)


def test_a_message_role_must_be_user_or_assistant():
    with pytest.raises(ValueError):
        Message("system", "hi")
