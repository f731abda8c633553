"""The one source of AI engine settings: saved overrides over Django settings.

``config.ai.registry`` reads every engine setting through ``setting(name)``.
Saved values (``config.ai.services.save_overrides``, written by the personas
``PUT /api/v1/settings`` and by the staff Engines page) win over the
environment.

They live in the shared cache under a version: ``invalidate()`` (called by the
service after every save, and again on commit) writes a new version, so every
process reads the new values on its next cache read. A version rather than a
plain delete closes a race: a reader that loaded the old rows just before a save
committed stores them under the *old* version, which nobody asks for any more.
A thread also keeps its copy for ``LOCAL_SECONDS`` so a burst of engine calls
costs one cache read, not one each; another process sees a save within that.
"""

import logging
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from redis.exceptions import RedisError as CacheUnavailable

from config import crypto

# The settings that may be overridden: text values that pick and reach an engine.
LLM = ("AI_LLM_PROVIDER", "AI_LLM_MODEL", "AI_LLM_BASE_URL", "AI_LLM_API_KEY")
IMAGE = ("AI_IMAGE_PROVIDER", "AI_IMAGE_MODEL", "AI_IMAGE_BASE_URL")
MAPS = ("FLOORPLANS_GEOCODER_URL", "FLOORPLANS_SATELLITE_URL", "FLOORPLANS_SATELLITE_KEY")
OVERRIDABLE = LLM + IMAGE + MAPS
SECRETS = ("AI_LLM_API_KEY", "FLOORPLANS_SATELLITE_KEY")
URLS = ("AI_LLM_BASE_URL", "AI_IMAGE_BASE_URL", "FLOORPLANS_GEOCODER_URL", "FLOORPLANS_SATELLITE_URL")
CHOICES = {"AI_LLM_PROVIDER": ("anthropic", "openai", "ollama", "none"),
           "AI_IMAGE_PROVIDER": ("diffusers", "automatic1111", "none")}
VERSION_KEY = "ai:engine-overrides:version"
VALUES_KEY = "ai:engine-overrides:v2:{version}"
LOCAL_SECONDS = 1.0

_local = threading.local()
logger = logging.getLogger("stagecraft.ai")


def current() -> dict[str, str]:
    """The saved overrides, name → value (cached; see the module docstring). Never raises for a database error."""
    memo = getattr(_local, "memo", None)
    if memo is not None and time.monotonic() - memo[0] < LOCAL_SECONDS:
        return memo[1]
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            version = _new_version(only_if_missing=True)
        key = VALUES_KEY.format(version=version)
        values = cache.get(key)
        if values is None:
            values = _load()
            cache.set(key, values, timeout=None)
    except (DatabaseError, CacheUnavailable) as exc:
        # Before migrate, or with the database or Redis down, the deployment's own settings still apply;
        # remembered like a read, so a burst of engine calls does not wait on the database each time.
        logger.warning("Saved engine settings are unreadable (%s); using the environment's.", exc)
        values = {}
    _local.memo = (time.monotonic(), values)
    return values


def setting(name: str):
    """An engine setting: the saved override, else the Django setting."""
    if name in OVERRIDABLE:
        value = current().get(name)
        if value is not None:
            return value
    return getattr(settings, name)


def saved(name: str) -> bool:
    """Whether ``name`` has a saved override (the environment's value is not in force)."""
    return name in current()


def invalidate() -> None:
    """Make every process read the saved overrides afresh (called by the service after each save)."""
    _new_version(only_if_missing=False)
    invalidate_local()


def invalidate_local() -> None:
    """Forget this thread's copy only (the next read asks the shared cache)."""
    _local.memo = None


def _new_version(*, only_if_missing: bool) -> str:
    version = uuid.uuid4().hex
    if only_if_missing:
        # Two first readers race to set it; the loser reads the winner's.
        if not cache.add(VERSION_KEY, version, timeout=None):
            return cache.get(VERSION_KEY) or version
        return version
    cache.set(VERSION_KEY, version, timeout=None)
    return version


def _load() -> dict[str, str]:
    from config.ai.models import EngineOverride

    values = {}
    for row in EngineOverride.objects.all():
        try:
            values[row.name] = row.value
        except crypto.SecretUnreadable:
            continue  # keys rotated away: the environment's value applies again
    return values
