"""Rate limits from settings, counted by django-ratelimit on the shared cache.

``enforce(request, "auth", key="ip")`` counts one request against the named
limit in ``settings.RATE_LIMITS`` and raises ``RateLimited`` (with the seconds
to wait) once it is spent. The tightest limit seen on a request is reported in
``X-RateLimit-Limit/Remaining/Reset`` by ``RateLimitHeadersMiddleware``.
``RATELIMIT_ENABLE=false`` turns every limit off. When the cache cannot be
reached (Redis down) requests are let through and a warning logged, unless
``RATELIMIT_FAIL_OPEN=false``, which answers 429 instead.
"""

import functools
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django_ratelimit.core import get_usage

from config.errors import RateLimited

_HEADERS_ATTR = "_stagecraft_ratelimit"
logger = logging.getLogger("stagecraft.api")


def user_or_ip(group: str, request) -> str:
    """Key by user when signed in, else by client address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


def api_key_or_user(group: str, request) -> str:
    """Key by API key when one authenticated the request, else by user."""
    auth = getattr(request, "auth", None)
    prefix = getattr(auth, "prefix", None)
    return f"key:{prefix}" if prefix else user_or_ip(group, request)


KEYS: dict[str, Callable | str] = {"ip": "ip", "user": user_or_ip, "key": api_key_or_user}


def _remember(request, limit: int, remaining: int, reset_at: int) -> None:
    target = getattr(request, "_request", request)
    current = getattr(target, _HEADERS_ATTR, None)
    if current is None or remaining < current[1]:
        setattr(target, _HEADERS_ATTR, (limit, remaining, reset_at))


def enforce(request, scope: str, *, key: str = "user", group: str | None = None, message: str | None = None) -> None:
    """Count this request against ``settings.RATE_LIMITS[scope]``; raise when spent."""
    rate = settings.RATE_LIMITS[scope]
    try:
        usage = get_usage(request, group=group or scope, key=KEYS.get(key, key), rate=rate, increment=True)
    except Exception:  # the cache backend's own errors (redis.ConnectionError, timeouts) have no common base
        logger.warning("Rate limit %s not counted: the cache is unavailable", scope, exc_info=True)
        if settings.RATELIMIT_FAIL_OPEN:
            return
        raise RateLimited(message, retry_after=60) from None
    if usage is None:  # limits disabled
        return
    remaining = max(0, usage["limit"] - usage["count"])
    reset_at = int(time.time()) + int(usage["time_left"])
    _remember(request, usage["limit"], remaining, reset_at)
    if usage["should_limit"]:
        raise RateLimited(message, retry_after=usage["time_left"])


def rate_limit(scope: str, *, key: str = "user", message: str | None = None):
    """Decorate a DRF view method so each call is counted against ``scope``."""

    def decorator(method):
        @functools.wraps(method)
        def wrapper(view, request, *args, **kwargs):
            enforce(request, scope, key=key, group=f"{scope}:{view.__class__.__name__}", message=message)
            return method(view, request, *args, **kwargs)

        wrapper.rate_scope = scope  # the OpenAPI schema documents a 429 for it
        return wrapper

    return decorator


class RateLimitHeadersMiddleware:
    """Copy the tightest counted limit of a request into response headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        seen = getattr(request, _HEADERS_ATTR, None)
        if seen:
            limit, remaining, reset_at = seen
            response["X-RateLimit-Limit"] = str(limit)
            response["X-RateLimit-Remaining"] = str(remaining)
            response["X-RateLimit-Reset"] = str(reset_at)
        return response
