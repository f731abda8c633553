"""Operator settings of the personas app and the figures ``/api/v1/system/stats`` reports.

The engine sections (``stable_diffusion``, ``ollama``) are the AI engine
settings themselves: a PUT saves them through ``config.ai.services`` and a GET
reads them through ``config.ai.overrides``, the one cached source the engines
read, so the answer is what the engines use, whether saved here, on the staff
Engines page or in the environment. ``storage`` is kept in the personas settings
row over ``STORAGES``. API keys and secrets are never part of the answer.
"""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.db.models import Sum

from config.ai import services as ai_services
from config.ai.overrides import setting
from personas.choices import CharacterStatus, PostStatus
from personas.models import Character, ContentItem, PersonaSettings, Post

GIB = 1024**3
SECTIONS = {"stable_diffusion": ("base_url", "default_model"), "ollama": ("base_url", "default_model"),
            "storage": ("type", "path")}


def _storage_is_local() -> bool:
    return isinstance(default_storage, FileSystemStorage)


def default_settings() -> dict:
    """The settings in force before the settings row: engines as they read their settings, storage as deployed."""
    if _storage_is_local():
        storage = {"type": "local", "path": str(settings.MEDIA_ROOT)}
    else:
        storage = {"type": "s3", "path": f"s3://{getattr(settings, 'AWS_STORAGE_BUCKET_NAME', '')}"}
    return {
        "stable_diffusion": {"base_url": setting("AI_IMAGE_BASE_URL"), "default_model": setting("AI_IMAGE_MODEL")},
        "ollama": {"base_url": setting("AI_LLM_BASE_URL"), "default_model": setting("AI_LLM_MODEL")},
        "storage": storage,
    }


# Where each engine section of the document lands among the engine settings (config.ai.overrides):
# a Stable Diffusion URL is an AUTOMATIC1111 server, an Ollama URL the language model.
ENGINE_SECTIONS = {
    "stable_diffusion": ("AI_IMAGE_PROVIDER", "automatic1111", {"base_url": "AI_IMAGE_BASE_URL",
                                                               "default_model": "AI_IMAGE_MODEL"}),
    "ollama": ("AI_LLM_PROVIDER", "ollama", {"base_url": "AI_LLM_BASE_URL", "default_model": "AI_LLM_MODEL"}),
}


def _engine_overrides(clean: dict) -> dict[str, str | None]:
    """The engine settings ``clean`` stands for; a section left out or emptied removes its overrides."""
    values: dict[str, str | None] = {}
    for section, (provider_setting, provider, fields) in ENGINE_SECTIONS.items():
        given = {key: value for key, value in (clean.get(section) or {}).items() if value}
        values[provider_setting] = provider if given.get("base_url") else None
        values.update({name: given.get(key) for key, name in fields.items()})
    return values


def effective_settings() -> dict:
    """The engine sections as the engines read them, storage from the row over the default; known keys only."""
    stored = PersonaSettings.objects.order_by("pk").values_list("data", flat=True).first() or {}
    merged = default_settings()
    # The row's engine sections are only the last document PUT; the engine settings are the truth.
    overrides = stored.get("storage") or {}
    merged["storage"].update({key: overrides[key] for key in SECTIONS["storage"] if key in overrides})
    return merged


def update_settings(user, *, data: dict) -> dict:
    """Replace the stored overrides with ``data`` (already validated by the caller) and return the effect.

    Staff only: the caller checks ``is_staff`` (the API answers 403 otherwise).
    There is one row; the lock keeps two simultaneous saves from creating two.
    """
    clean = {section: {key: value for key, value in (data.get(section) or {}).items() if key in keys}
             for section, keys in SECTIONS.items() if section in data}
    with transaction.atomic():
        row = PersonaSettings.objects.select_for_update().order_by("pk").first()
        if row is None:
            row = PersonaSettings()
        row.data, row.updated_by = clean, user
        row.save()
        # The engines read these (config.ai.overrides), so a saved Ollama URL is the one called.
        ai_services.save_overrides(user, _engine_overrides(clean))
    return effective_settings()


def stats_for(user) -> dict:
    """Counts over the user's live characters and the storage their content takes."""
    characters = Character.objects.for_user(user)
    content = ContentItem.objects.for_user(user)
    used = content.aggregate(total=Sum("file_size"))["total"] or 0
    return {
        "total_characters": characters.count(),
        "active_characters": characters.filter(status=CharacterStatus.ACTIVE).count(),
        "total_content": content.count(),
        "total_posts": Post.objects.for_user(user).exclude(status=PostStatus.DELETED).count(),
        "storage_used_gb": round(used / GIB, 3),
        "storage_available_gb": _available_gb(),
    }


def _available_gb() -> float | None:
    # Remote storage has no meaningful free space to report.
    if not _storage_is_local():
        return None
    path = Path(settings.MEDIA_ROOT)
    while not path.exists() and path != path.parent:  # MEDIA_ROOT is created on the first upload
        path = path.parent
    return round(shutil.disk_usage(path).free / GIB, 3)
