"""The one source of AI engine settings: saved overrides over Django settings.

``config.ai.registry`` reads every engine setting through ``setting(name)``.
Saved values (``config.ai.services.save_overrides``, written by the personas
``PUT /api/v1/settings`` and by staff) win over the environment. They are read
from the shared cache, so every process sees a save at once; a process also
keeps them for ``LOCAL_SECONDS`` so a burst of engine calls costs one cache
read, not one each.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from redis.exceptions import RedisError as CacheUnavailable

from config import crypto

# The settings that may be overridden: text values that pick and reach an engine.
OVERRIDABLE = ("AI_LLM_PROVIDER", "AI_LLM_MODEL", "AI_LLM_BASE_URL", "AI_LLM_API_KEY",
               "AI_IMAGE_PROVIDER", "AI_IMAGE_MODEL", "AI_IMAGE_BASE_URL")
SECRETS = ("AI_LLM_API_KEY",)
URLS = ("AI_LLM_BASE_URL", "AI_IMAGE_BASE_URL")
CACHE_KEY = "ai:engine-overrides:v1"
LOCAL_SECONDS = 1.0

_local = threading.local()
logger = logging.getLogger("stagecraft.ai")


def current() -> dict[str, str]:
    """The saved overrides, name → value (cached; see the module docstring)."""
    memo = getattr(_local, "memo", None)
    if memo is not None and time.monotonic() - memo[0] < LOCAL_SECONDS:
        return memo[1]
    try:
        values = cache.get(CACHE_KEY)
        if values is None:
            values = _load()
            cache.set(CACHE_KEY, values, timeout=None)
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


def invalidate() -> None:
    """Forget the cached overrides everywhere (called after every save)."""
    cache.delete(CACHE_KEY)
    invalidate_local()


def invalidate_local() -> None:
    """Forget this thread's copy only (the next read asks the shared cache)."""
    _local.memo = None


def _load() -> dict[str, str]:
    from config.ai.models import EngineOverride

    values = {}
    for row in EngineOverride.objects.all():
        try:
            values[row.name] = row.value
        except crypto.SecretUnreadable:
            continue  # keys rotated away: the environment's value applies again
    return values
