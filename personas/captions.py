"""Captions written by the configured language model in a character's voice.

The model is told who the character is (bio, personality, communication
style, preferred topics, interests) and answers ``CAPTION_SCHEMA``. A caption
that touches one of the character's banned topics is written once more with
the topic named as off limits; a second miss fails the caption rather than
handing the operator something the character must never say.
"""

import re
from dataclasses import dataclass, field

from PIL import Image

from config.ai import registry
from config.ai.llm.base import ImageInput, LLMRequest, Message
from personas.errors import ContentGenerationFailed

# OpenAI strict mode: every property required, nothing else allowed.
CAPTION_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "caption": {"type": "string"},
        "hashtags": {"type": "array", "items": {"type": "string"}},
        "alt_text": {"type": "string"},
    },
    "required": ["caption", "hashtags", "alt_text"],
    "additionalProperties": False,
}

# Instagram refuses more than 30 hashtags; fewer read better everywhere.
MAX_HASHTAGS = 10
# The model sees the picture it captions, small: enough to describe it, cheap in tokens.
IMAGE_SIDE = 512
ATTEMPTS = 2

SYSTEM_PROMPT = """You write social media posts as the character described below, in their own voice.
Stay in character: first person, their tone and vocabulary, topics they care about.
Answer with JSON only: caption (the post text, no hashtags in it), hashtags (up to {max_hashtags} single
words without the # sign) and alt_text (one plain sentence describing the attached picture for a screen
reader, or an empty string when there is no picture).
Never mention that you are an AI or a language model; the platform adds its own AI disclosure.

{persona}"""


@dataclass(frozen=True)
class Caption:
    """A checked caption, the model that wrote it, and how many tries it took."""

    caption: str
    hashtags: list[str]
    alt_text: str
    model: str
    attempts: int
    usage: dict = field(default_factory=dict)


def persona_description(character) -> str:
    """The character sheet the model writes from, one fact per line."""
    personality = character.personality or {}
    lines = [f"Name: {character.name}"]
    if character.bio:
        lines.append(f"Bio: {character.bio}")
    if character.age:
        lines.append(f"Age: {character.age}")
    if character.location:
        lines.append(f"Lives in: {character.location}")
    if personality.get("communication_style"):
        lines.append(f"Communication style: {personality['communication_style']}")
    for trait in ("extroversion", "creativity"):
        if personality.get(trait) is not None:
            lines.append(f"{trait.capitalize()} (0 to 1): {personality[trait]}")
    if personality.get("preferred_topics"):
        lines.append(f"Preferred topics: {', '.join(personality['preferred_topics'])}")
    if character.interests:
        lines.append(f"Interests: {', '.join(character.interests)}")
    if character.banned_topics:
        lines.append(f"Never write about: {', '.join(character.banned_topics)}")
    return "\n".join(lines)


def write_caption(character, *, prompt: str, image: Image.Image | None = None, category: str = "post") -> Caption:
    """A caption for a post about ``prompt`` (and ``image`` when given) in the character's voice.

    Raises ``EngineUnavailable`` when no language model is configured or it
    cannot be reached, ``EngineOutputInvalid`` when its answer misses the
    schema after one repair, and ``ContentGenerationFailed`` when both tries
    touched a banned topic.
    """
    model = registry.language_model()
    system = SYSTEM_PROMPT.format(max_hashtags=MAX_HASHTAGS, persona=persona_description(character))
    images = (_small(image),) if image is not None else ()
    touched: list[str] = []
    for attempt in range(1, ATTEMPTS + 1):
        text = f"Write a {category} about: {prompt}"
        if image is not None:
            text += "\nThe attached picture is the post's image."
        if touched:
            text += (f"\nYour previous caption touched topics this character never discusses "
                     f"({', '.join(touched)}). Write a new caption that avoids them entirely.")
        result = model.complete(LLMRequest(
            system=system, messages=(Message("user", text=text, images=images),), schema=CAPTION_SCHEMA,
            schema_name="persona_caption", max_tokens=600, temperature=0.8,
        ))
        caption = Caption(caption=result.data["caption"].strip(), hashtags=clean_hashtags(result.data["hashtags"]),
                          alt_text=result.data["alt_text"].strip(), model=model.model, attempts=attempt,
                          usage=result.usage.as_dict())
        touched = banned_topics_in(character.banned_topics, caption.caption, caption.hashtags)
        if not touched:
            return caption
    raise ContentGenerationFailed(
        f"The caption touched banned topics ({', '.join(touched)}) on both tries.",
        details={"banned_topics": touched},
    )


def banned_topics_in(topics: list[str], caption: str, hashtags: list[str]) -> list[str]:
    """The banned topics a caption touches: a whole-word, case-insensitive match.

    Hashtags are also compared with spaces removed, since ``#DayTrading`` is
    how "day trading" is written there.
    """
    text = " ".join([caption, *hashtags])
    squashed = {_squash(tag) for tag in hashtags}
    touched = []
    for topic in topics:
        topic = topic.strip()
        if not topic:
            continue
        if re.search(rf"(?<!\w){re.escape(topic)}(?!\w)", text, re.IGNORECASE) or _squash(topic) in squashed:
            touched.append(topic)
    return touched


def clean_hashtags(tags: list[str]) -> list[str]:
    """Hashtags without ``#`` or spaces, each once, at most ``MAX_HASHTAGS``."""
    cleaned: list[str] = []
    for tag in tags:
        tag = re.sub(r"\s+", "", tag.strip().lstrip("#"))
        if tag and tag.lower() not in {seen.lower() for seen in cleaned}:
            cleaned.append(tag)
    return cleaned[:MAX_HASHTAGS]


def _squash(text: str) -> str:
    return re.sub(r"[\s_#-]+", "", text.lower())


def _small(image: Image.Image) -> ImageInput:
    copy = image.convert("RGB")
    copy.thumbnail((IMAGE_SIDE, IMAGE_SIDE))
    return ImageInput.from_pil(copy, image_format="JPEG")
