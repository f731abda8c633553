"""Every write on characters: create, update, soft delete, pause, resume; and their stats."""

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from config.errors import InvalidUpload, ValidationFailed
from config.files.storage import delete_files, files_removed_on_failure, storage_errors
from config.files.validation import CleanImage, clean_image
from personas import recurrence
from personas.choices import CharacterStatus, ConnectionStatus, PostStatus
from personas.models import Character, PlatformAccount, Post
from personas.selectors import character_for

# A profile picture or face reference; JSON bodies are capped at 10 MB anyway.
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
DATA_URL = re.compile(r"^data:[\w/.+-]+;base64,", re.IGNORECASE)

SCALAR_FIELDS = ("name", "bio", "age", "location", "timezone", "interests", "platforms", "banned_topics",
                 "disclosure_line")
APPEARANCE_KEYS = ("hair_color", "eye_color", "style_preferences")


@dataclass(frozen=True)
class CharacterStats:
    """Figures from real rows: published posts, followers across accounts, likes + comments + shares."""

    total_posts: int
    total_followers: int
    total_engagement: int


def decode_image(value: str, *, field: str) -> CleanImage:
    """A base64 image (data URL or raw) checked by content, bytes and pixels.

    Image URLs are refused: the server never fetches what a user points it
    at (no SSRF through a profile picture). Raises ``ValidationFailed``.
    """
    data = decode_base64(value, field=field, max_bytes=MAX_IMAGE_BYTES, what="image")
    try:
        return clean_image(data, allowed=ACCEPTED_FORMATS, max_bytes=MAX_IMAGE_BYTES, max_pixels=MAX_IMAGE_PIXELS)
    except InvalidUpload as exc:  # seed 003 knows VALIDATION_ERROR, not the upload codes
        raise ValidationFailed(f"{field}: {exc.message}", details={"field": field, "problem": exc.details}) from None


def decode_base64(value: str, *, field: str, max_bytes: int, what: str) -> bytes:
    """The bytes of a base64 file (data URL or raw), at most ``max_bytes``; a URL is refused, never fetched."""
    value = (value or "").strip()
    if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE):
        raise ValidationFailed(f"{field}: upload the {what} itself as base64 (a data URL or raw base64); "
                               f"{what} URLs are not fetched.", details={"field": field})
    payload = DATA_URL.sub("", value, count=1)
    if len(payload) > max_bytes * 4 // 3 + 4:
        raise ValidationFailed(f"{field}: the {what} is larger than {max_bytes} bytes.",
                               details={"field": field, "max_bytes": max_bytes})
    try:
        return base64.b64decode(re.sub(r"\s+", "", payload), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(f"{field}: not valid base64.", details={"field": field}) from None


def validate_timezone(name: str) -> str:
    """An IANA zone name, or ``ValidationFailed``."""
    if name not in recurrence.zone_names():
        raise ValidationFailed(f"timezone: {name!r} is not an IANA time zone (e.g. America/New_York).",
                               details={"field": "timezone"})
    ZoneInfo(name)
    return name


def create_character(owner, *, name: str, personality: dict | None = None, appearance: dict | None = None,
                     profile_image: str | None = None, **fields) -> Character:
    """Create one of ``owner``'s characters.

    ``fields`` are the plain columns (``SCALAR_FIELDS``); ``appearance`` may
    carry ``face_reference_image`` as base64. Images are checked before
    anything is stored (``ValidationFailed``).
    """
    character = Character(owner=owner, name=name)
    return _save(character, fields=fields, personality=personality or {}, appearance=appearance or {},
                 profile_image=profile_image)


def update_character(owner, *, character_id, personality: dict | None = None, appearance: dict | None = None,
                     profile_image: str | None = None, **fields) -> Character:
    """Change the given fields of a character; ``personality`` and ``appearance`` merge key by key."""
    character = character_for(owner, character_id)
    return _save(character, fields=fields, personality=personality, appearance=appearance,
                 profile_image=profile_image)


def delete_character(owner, *, character_id) -> Character:
    """Soft delete: the character and everything under it disappear from every listing."""
    character = character_for(owner, character_id)
    character.deleted_at = timezone.now()
    character.save(update_fields=["deleted_at", "updated_at"])
    return character


def pause_character(owner, *, character_id) -> Character:
    """Stop the character's automation (rules and generation refuse a paused character)."""
    character = character_for(owner, character_id)
    character.status = CharacterStatus.PAUSED
    character.save(update_fields=["status", "updated_at"])
    return character


def resume_character(owner, *, character_id) -> Character:
    """Make the character active again.

    Refused (``ValidationFailed``) while one of its accounts is in error: the
    error status is how the user learns a token refresh failed, so it clears
    only once the account is reconnected.
    """
    character = character_for(owner, character_id)
    broken = list(PlatformAccount.objects.filter(character=character, connection_status=ConnectionStatus.ERROR)
                  .values_list("platform", "account_username"))
    if broken:
        names = ", ".join(f"{platform}:{username}" for platform, username in broken)
        raise ValidationFailed(f"Reconnect the accounts in error before resuming: {names}.",
                               details={"accounts_in_error": [f"{p}:{u}" for p, u in broken]})
    character.status = CharacterStatus.ACTIVE
    character.status_reason = ""
    character.save(update_fields=["status", "status_reason", "updated_at"])
    return character


def character_stats(character: Character) -> CharacterStats:
    """The detail page's stats, computed from rows (two queries)."""
    posts = Post.objects.filter(character=character, status=PostStatus.PUBLISHED).aggregate(
        count=Count("id"), engagement=Sum(F("likes_count") + F("comments_count") + F("shares_count")))
    followers = PlatformAccount.objects.filter(character=character).aggregate(total=Sum("follower_count"))
    return CharacterStats(total_posts=posts["count"] or 0, total_followers=followers["total"] or 0,
                          total_engagement=posts["engagement"] or 0)


def _save(character: Character, *, fields: dict, personality: dict | None, appearance: dict | None,
          profile_image: str | None) -> Character:
    unknown = set(fields) - set(SCALAR_FIELDS)
    if unknown:
        raise TypeError(f"Unknown character fields: {', '.join(sorted(unknown))}")
    if "timezone" in fields:
        validate_timezone(fields["timezone"])
    appearance = dict(appearance) if appearance is not None else None
    face_source = appearance.pop("face_reference_image", None) if appearance is not None else None
    # Both images are checked before either is stored.
    profile = decode_image(profile_image, field="profile_image") if profile_image else None
    face = decode_image(face_source, field="appearance.face_reference_image") if face_source else None
    for name, value in fields.items():
        setattr(character, name, value)
    if personality is not None:
        character.personality = {**character.personality, **personality}
    if appearance is not None:
        character.appearance = {**character.appearance, **appearance}
    replaced: list[str] = []
    with files_removed_on_failure() as stored, transaction.atomic():
        if profile is not None:
            replaced.append(character.profile_image.name)
            character.profile_image.name = _store(profile, f"personas/profiles/{character.pk}", stored)
        if face is not None:
            replaced.append(character.face_reference.name)
            character.face_reference.name = _store(face, f"personas/faces/{character.pk}", stored)
        character.save()
        old = [name for name in replaced if name]
        transaction.on_commit(lambda: delete_files(old))  # logs a failure: the new image is saved
    return character


def _store(image: CleanImage, prefix: str, stored: list[str]) -> str:
    with storage_errors():  # the documented STORAGE_ERROR, not an INTERNAL_ERROR
        name = default_storage.save(f"{prefix}-{uuid.uuid4().hex[:12]}.{image.extension}",
                                    ContentFile(image.content))
    stored.append(name)
    return name
