"""Content a person writes by hand: the compose box of the studio and ``POST /api/v1/content``.

Composed content lands in the character's library approved (its author is the
reviewer), marked ``ai_generated = False`` and without the AI provenance marks
generated images carry; an image the nudity check (``personas.safety``) flags,
or could not check, sends the item to the review queue instead. It schedules and publishes like generated content; AI
generation is one way to fill the library, not the only one. Every image is
checked by content, bytes and pixels, re-encoded without metadata, and stored
with a thumbnail; ``previews`` says how the caption will be cut on each platform.
"""

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image

from config.errors import ValidationFailed
from config.files.renditions import encode_jpeg
from config.files.storage import files_removed_on_failure, storage_errors
from config.files.validation import CleanImage
from personas import platform_rules, safety
from personas.choices import ContentType, Platform, Review
from personas.errors import InvalidContentType
from personas.models import Character, ContentItem, Post
from personas.selectors import character_for
from personas.services.characters import decode_image
from personas.services.publishing import compose_text

MAX_MEDIA = 10
# Previewed on the compose box when the character has no account yet.
PREVIEWED = ("instagram", "twitter", "threads", "bluesky")
MAX_CAPTION = 5000
THUMBNAIL_SIDE = 256


def compose_content(owner, *, character_id, caption: str, hashtags=(), media=(), alt_text: str = "") -> ContentItem:
    """Store a hand-written post (caption, optional images) in the character's library, approved.

    ``media``: ``[{"data": base64 or data URL, "content_type": "image/..."}]``, at most ``MAX_MEDIA``.
    Raises ``CharacterNotFound``, ``ValidationFailed`` (nothing to post, a caption too long,
    an image that is not one, too big or too many pixels), ``InvalidContentType`` (video or
    another kind of file) and ``StorageFailed``; nothing is stored on failure.
    """
    character = character_for(owner, character_id)
    caption = (caption or "").strip()
    tags = [str(tag).strip().lstrip("#") for tag in hashtags if str(tag).strip().lstrip("#")]
    if len(caption) > MAX_CAPTION:
        raise ValidationFailed(f"caption: at most {MAX_CAPTION} characters.", details={"caption": [len(caption)]})
    if len(media) > MAX_MEDIA:
        raise ValidationFailed(f"media: at most {MAX_MEDIA} files per post.", details={"media": [len(media)]})
    if not caption and not tags and not media:
        raise ValidationFailed("Write a caption or add an image: the post would be empty.")
    images = [_image(index, item) for index, item in enumerate(media)]
    checks = [safety.check_image(Image.open(io.BytesIO(image.content))) for image in images]
    # An image the nudity check flagged, or could not check, waits for review like generated content.
    held = [check for check in checks if check.flagged or not check.checked]
    with files_removed_on_failure() as stored, transaction.atomic():
        files = [_store(character, image, stored) for image in images]
        item = ContentItem(
            character=character, content_type=ContentType.IMAGE if files else ContentType.TEXT, category="post",
            caption=caption, hashtags=tags, alt_text=(alt_text or "").strip()[:1000], ai_generated=False,
            is_nsfw=any(check.flagged for check in checks), extra_media=files[1:],
            safety={"nudity": [check.as_dict() for check in checks]} if checks else {},
            **({"review": Review.PENDING, "review_reason": " ".join(check.detail for check in held)} if held else
               {"review": Review.APPROVED, "reviewed_by": owner, "reviewed_at": timezone.now()}),
        )
        if files:
            first = files[0]
            item.file.name, item.width, item.height, item.file_size = (first["file"], first["width"],
                                                                       first["height"], first["size"])
            item.thumbnail.name = _thumbnail(character, images[0], stored)
        item.save()
    return item


def previews(character: Character, item: ContentItem, platforms) -> dict[str, dict]:
    """For each platform: the text as it will be posted (disclosure line included), cut where it must be."""
    text = compose_text(Post(character=character, caption=item.caption, hashtags=item.hashtags, mentions=[]))
    found = {}
    for platform in platforms:
        shown = platform_rules.preview(platform, text)
        found[platform] = {"text": shown.shown, "fits": shown.fits, "length": shown.length, "limit": shown.limit}
    return found


def check_platforms(platforms) -> list[str]:
    """The requested platforms, each one StageCraft knows; ``ValidationFailed`` naming the unknown."""
    unknown = [name for name in platforms if name not in Platform.values]
    if unknown:
        raise ValidationFailed(f"platforms: unknown {', '.join(map(str, unknown))}.",
                               details={"platforms": sorted(Platform.values)})
    return list(dict.fromkeys(platforms))


def _image(index: int, item) -> CleanImage:
    field = f"media[{index}]"
    if not isinstance(item, dict) or not item.get("data"):
        raise ValidationFailed(f"{field}: give the file as base64 in data.", details={"field": field})
    kind = str(item.get("content_type") or "image/").lower()
    if not kind.startswith("image/"):
        raise InvalidContentType(f"{field}: {kind} cannot be composed here; upload images (JPEG, PNG or WebP).",
                                 details={"field": field, "content_type": kind})
    return decode_image(item["data"], field=f"{field}.data")


def _store(character: Character, image: CleanImage, stored: list[str]) -> dict:
    with storage_errors():
        name = default_storage.save(f"personas/content/{character.pk}/composed.{image.extension}",
                                    ContentFile(image.content))
    stored.append(name)
    return {"file": name, "width": image.width, "height": image.height, "size": len(image.content)}


def _thumbnail(character: Character, image: CleanImage, stored: list[str]) -> str:
    picture = Image.open(io.BytesIO(image.content)).convert("RGB")
    picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    with storage_errors():
        name = default_storage.save(f"personas/thumbnails/{character.pk}/composed.jpg",
                                    ContentFile(encode_jpeg(picture)))
    stored.append(name)
    return name
