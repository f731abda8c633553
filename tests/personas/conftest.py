"""Shared personas fixtures: a character owned by ``owner``, an approved image, the owner's client."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from personas import provenance
from personas.choices import ContentType, Review
from personas.models import Character, ContentItem
from tests.personas.factories import CharacterFactory, ContentItemFactory


def png_bytes(size: tuple[int, int] = (64, 64), colour: tuple[int, int, int] = (180, 120, 90)) -> bytes:
    """A small real PNG."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def character(owner) -> Character:
    return CharacterFactory(
        owner=owner, name="Maya Rivers", bio="Trail runner and coffee snob from Portland.", age=27,
        location="Portland", timezone="America/Los_Angeles", interests=["running", "coffee"],
        personality={"extroversion": 0.7, "creativity": 0.8, "communication_style": "playful and upbeat",
                     "preferred_topics": ["trail running", "espresso"]},
        appearance={"hair_color": "auburn", "eye_color": "green", "style_preferences": ["sporty", "casual"]},
        banned_topics=["politics"],
    )


@pytest.fixture
def approved_image(character, owner) -> ContentItem:
    """An approved image item whose file (a marked 64x64 PNG) is really in storage."""
    data = provenance.encode_marked(Image.new("RGB", (64, 64), (30, 90, 160)), image_format="PNG")
    name = default_storage.save(f"personas/content/{character.pk}/approved.png", ContentFile(data))
    return ContentItemFactory(
        character=character, content_type=ContentType.IMAGE, file=name, width=64, height=64, file_size=len(data),
        prompt="a sunrise run", caption="Sunrise miles before espresso.", hashtags=["trailrunning"],
        alt_text="A blue square.", review=Review.APPROVED, reviewed_by=owner, reviewed_at=timezone.now(),
    )


@pytest.fixture
def persona_api(owner_api):
    """The owner's authenticated API client."""
    return owner_api
