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
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image

from config.errors import ValidationFailed
from config.files.renditions import encode_jpeg
from config.files.storage import files_removed_on_failure, storage_errors
from personas import platform_rules, quality, safety, video
from personas.choices import ContentType, Platform, Review
from personas.errors import InvalidContentType
from personas.models import Character, ContentItem, Post
from personas.post_text import compose_text
from personas.selectors import character_for
from personas.services.characters import decode_base64, decode_image

MAX_MEDIA = 10
# Previewed on the compose box when the character has no account yet.
PREVIEWED = ("instagram", "twitter", "threads", "bluesky")
MAX_CAPTION = 5000
THUMBNAIL_SIDE = 256


def compose_content(owner, *, character_id, caption: str, hashtags=(), media=(), alt_text: str = "") -> ContentItem:
    """Store a hand-written post (caption, images or one video) in the character's library, approved.

    ``media``: ``[{"data": base64 or data URL, "content_type": "image/..." or "video/..."}]``: up to
    ``MAX_MEDIA`` images, or one video (checked with ffprobe, ``personas.video``). Raises
    ``CharacterNotFound``, ``ValidationFailed`` (nothing to post, a caption too long, a file that is
    not what it claims, too big, too long, or a video beside other media), ``InvalidContentType``
    (another kind of file) and ``StorageFailed``; nothing is stored on failure.
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
    uploads = [_upload(index, item) for index, item in enumerate(media)]
    if len(uploads) > 1 and any(upload.kind == ContentType.VIDEO for upload in uploads):
        raise ValidationFailed("media: a video goes alone, without other images or videos.",
                               details={"media": [len(uploads)]})
    checks = [safety.check_image(upload.picture) for upload in uploads if upload.picture is not None]
    # An image the nudity check flagged, or could not check, waits for review like generated content.
    held = [check for check in checks if check.flagged or not check.checked]
    with files_removed_on_failure() as stored, transaction.atomic():
        files = [_store(character, upload, stored) for upload in uploads]
        item = ContentItem(
            character=character, content_type=uploads[0].kind if uploads else ContentType.TEXT, category="post",
            caption=caption, hashtags=tags, alt_text=(alt_text or "").strip()[:1000], ai_generated=False,
            is_nsfw=any(check.flagged for check in checks), extra_media=files[1:],
            safety={"nudity": [check.as_dict() for check in checks]} if checks else {},
            **({"review": Review.PENDING, "review_reason": " ".join(check.detail for check in held)} if held else
               {"review": Review.APPROVED, "reviewed_by": owner, "reviewed_at": timezone.now()}),
        )
        if uploads:
            first, upload = files[0], uploads[0]
            item.file.name, item.width, item.height, item.file_size = (first["file"], first["width"],
                                                                       first["height"], first["size"])
            item.duration_seconds, item.video_codec = upload.seconds, upload.codec
            if upload.picture is not None:
                item.thumbnail.name = _thumbnail(character, upload.picture, stored)
        report = quality.measure(character, item, uploads[0].picture if uploads else None)
        item.quality_score, item.quality_parts = report.score, report.parts
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


@dataclass(frozen=True)
class _Upload:
    kind: str  # ContentType.IMAGE or ContentType.VIDEO
    content: bytes
    extension: str
    width: int
    height: int
    picture: Image.Image | None  # the image, or the video's first frame: what is checked and thumbnailed
    seconds: float | None = None
    codec: str = ""


def _upload(index: int, item) -> _Upload:
    field = f"media[{index}]"
    if not isinstance(item, dict) or not item.get("data"):
        raise ValidationFailed(f"{field}: give the file as base64 in data.", details={"field": field})
    kind = str(item.get("content_type") or "image/").lower()
    if kind.startswith("image/"):
        image = decode_image(item["data"], field=f"{field}.data")
        return _Upload(ContentType.IMAGE, image.content, image.extension, image.width, image.height,
                       Image.open(io.BytesIO(image.content)))
    if kind.startswith("video/"):
        data = decode_base64(item["data"], field=f"{field}.data", max_bytes=settings.PERSONAS_MAX_VIDEO_BYTES,
                             what="video")
        facts = video.probe(data, field=f"{field}.data", max_bytes=settings.PERSONAS_MAX_VIDEO_BYTES)
        return _Upload(ContentType.VIDEO, data, facts.extension, facts.width, facts.height, video.first_frame(data),
                       seconds=facts.seconds, codec=facts.codec)
    raise InvalidContentType(f"{field}: {kind} cannot be composed here; upload images (JPEG, PNG or WebP) or a "
                             "video (MP4, MOV or WebM).", details={"field": field, "content_type": kind})


def _store(character: Character, upload: _Upload, stored: list[str]) -> dict:
    with storage_errors():
        name = default_storage.save(f"personas/content/{character.pk}/composed.{upload.extension}",
                                    ContentFile(upload.content))
    stored.append(name)
    return {"file": name, "width": upload.width, "height": upload.height, "size": len(upload.content)}


def _thumbnail(character: Character, picture: Image.Image, stored: list[str]) -> str:
    picture = picture.convert("RGB")
    picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    with storage_errors():
        name = default_storage.save(f"personas/thumbnails/{character.pk}/composed.jpg",
                                    ContentFile(encode_jpeg(picture)))
    stored.append(name)
    return name
