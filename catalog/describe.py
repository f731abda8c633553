"""Listing copy for a product photo, written by the configured language model.

The model sees the photo and the facts the pipeline measured (label, category,
colours, measurements) and answers in ``DESCRIPTION_SCHEMA``. The facts are
given as facts so the copy does not contradict what was measured, and the
prompt forbids inventing what a photo cannot show (brand, material, size).
"""

import json
from dataclasses import dataclass

from PIL import Image

from catalog.measure import as_displayed
from config.ai import registry
from config.ai.llm.base import ImageInput, LLMRequest, Message

# Strict-mode JSON Schema (OpenAI requires every property listed and no others).
DESCRIPTION_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "description": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "alt_text": {"type": "string"},
    },
    "required": ["title", "description", "tags", "alt_text"],
    "additionalProperties": False,
}

# Google Merchant truncates titles at 150 characters, so the prompt asks for
# fewer; the photo is sent at most this many pixels on its long side, enough
# for the model to read labels without paying for 12 megapixels of tokens.
TITLE_CHARACTERS = 150
MAX_TAGS = 12
IMAGE_SIDE = 1024

SYSTEM_PROMPT = f"""You write e-commerce listing copy from one product photo.
Answer with JSON only: a title (at most {TITLE_CHARACTERS} characters, the product type first),
a description (two to four sentences a shopper can trust), tags (up to {MAX_TAGS} short lowercase
search terms) and alt_text (one sentence describing the photo for a screen reader).
The facts you are given were measured from the photo: do not contradict them.
Describe only what is visible. Never invent a brand, material, size, model number or feature
the photo and the facts do not show."""


@dataclass(frozen=True)
class Description:
    """The model's copy, with which model wrote it and what the call cost (``CallRecord.as_dict()``)."""

    title: str
    description: str
    tags: list[str]
    alt_text: str
    model: str
    usage: dict


def describe(image: Image.Image, *, facts: dict) -> Description:
    """Write listing copy for ``image`` given the measured ``facts`` (any JSON-serialisable dict).

    Raises ``EngineUnavailable`` when no language model is configured or it cannot be
    reached (the caller records "not_configured" or the failure), and ``EngineOutputInvalid``
    when the answer does not fit the schema after the engine's repair attempt.
    """
    model = registry.language_model()
    request = LLMRequest(
        system=SYSTEM_PROMPT,
        messages=(Message("user", text=_facts_text(facts), images=(photo_input(image),)),),
        schema=DESCRIPTION_SCHEMA,
        schema_name="product_description",
        max_tokens=800,
        temperature=0.3,
    )
    result = model.complete(request)
    data = result.data
    return Description(
        title=data["title"].strip(),
        description=data["description"].strip(),
        tags=_tags(data["tags"]),
        alt_text=data["alt_text"].strip(),
        model=result.usage.model,
        usage=result.usage.as_dict(),
    )


def photo_input(image: Image.Image) -> ImageInput:
    """The photo as the language model sees it: upright, at most IMAGE_SIDE pixels on its long side."""
    copy = as_displayed(image).copy()
    copy.thumbnail((IMAGE_SIDE, IMAGE_SIDE), Image.Resampling.LANCZOS)
    return ImageInput.from_pil(copy, image_format="JPEG")


def _facts_text(facts: dict) -> str:
    return "Facts measured from this photo:\n" + json.dumps(facts, indent=2, sort_keys=True, default=str)


def _tags(tags: list[str]) -> list[str]:
    """Trimmed, lower-case, without repeats or blanks, at most MAX_TAGS."""
    seen: dict[str, None] = {}
    for tag in tags:
        cleaned = " ".join(tag.split()).lower()
        if cleaned:
            seen.setdefault(cleaned)
    return list(seen)[:MAX_TAGS]
