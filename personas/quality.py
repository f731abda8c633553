"""A content item's ``quality_score``: measured, with its parts shown, never guessed.

Three parts, each 0-1, averaged with ``WEIGHTS`` over those that apply:

- ``fits``: the share of the character's platforms (its connected accounts, else
  the platforms on its profile) on which the text as posted, disclosure line
  included, fits whole (``platform_rules.preview``). No platform known: not scored.
- ``banned_topics``: 1 when none of the character's banned topics appears in the
  caption or hashtags (whole words, any case), 0 when one does.
- ``image``: the image's BRISQUE, the no-reference measure staging uses
  (``config.image_quality``), 1 up to 30 and falling to 0 at 80; pure noise
  measures well over 80, a sharp photo under 30. Text content has no image part.
"""

import re
from dataclasses import dataclass

from PIL import Image

from config.image_quality import brisque, falling, luma
from personas import platform_rules
from personas.models import Character, ContentItem, Post
from personas.post_text import compose_text

WEIGHTS = {"fits": 0.35, "banned_topics": 0.35, "image": 0.3}
BRISQUE_GOOD, BRISQUE_BAD = 30.0, 80.0
WORKING_SIDE = 512


@dataclass(frozen=True)
class QualityReport:
    score: float
    parts: dict[str, dict]


def measure(character: Character, item: ContentItem, image: Image.Image | None) -> QualityReport:
    """Score ``item`` (caption, hashtags) and its ``image`` for ``character``."""
    parts: dict[str, dict] = {}
    text = compose_text(Post(character=character, caption=item.caption, hashtags=item.hashtags, mentions=[]))
    platforms = target_platforms(character)
    if platforms:
        fitting = [name for name in platforms if platform_rules.preview(name, text).fits]
        parts["fits"] = {"score": round(len(fitting) / len(platforms), 4), "platforms": platforms,
                         "cut_on": [name for name in platforms if name not in fitting]}
    words = f"{item.caption} {' '.join(item.hashtags)}".lower()
    found = [topic for topic in character.banned_topics
             if str(topic).strip() and re.search(rf"(?<!\w){re.escape(str(topic).strip().lower())}(?!\w)", words)]
    parts["banned_topics"] = {"score": 0.0 if found else 1.0, "found": found}
    if image is not None:
        measured = image_brisque(image)
        parts["image"] = {"score": round(falling(measured, BRISQUE_GOOD, BRISQUE_BAD), 4),
                          "brisque": round(measured, 2)}
    total = sum(WEIGHTS[name] for name in parts)
    score = sum(WEIGHTS[name] * part["score"] for name, part in parts.items()) / total
    return QualityReport(round(score, 4), parts)


def target_platforms(character: Character) -> list[str]:
    """Where the character posts: its connected accounts' platforms, else its profile's list."""
    connected = sorted({account.platform for account in character.accounts.filter(connection_status="connected")})
    named = connected or [str(name) for name in character.platforms]
    return [name for name in named if name in platform_rules.RULES]


def image_brisque(image: Image.Image) -> float:
    copy = image.convert("RGB")
    copy.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.BOX)
    return brisque(luma(copy) / 255)
