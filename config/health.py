"""Liveness and readiness (seed 001 "Health Checks")."""

import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from config.ai import registry

logger = logging.getLogger("stagecraft.health")

# A short socket timeout so /ready answers quickly when Redis is down.
REDIS_TIMEOUT_SECONDS = 2


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_redis() -> str:
    if not settings.REDIS_URL:
        return "not used"
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                  socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def check_storage() -> str:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return "ok"


CHECKS = {"database": check_database, "redis": check_redis, "storage": check_storage}


def run_checks() -> tuple[bool, dict[str, str]]:
    """Run every dependency check; a failure is reported by name, never raised."""
    results, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:
            logger.warning("Readiness check %s failed: %s", name, exc)
            results[name] = "error"
            healthy = False
    return healthy, results


@require_GET
def health(request):
    """Liveness: the process answers."""
    return JsonResponse({"status": "healthy"})


@require_GET
def ready(request):
    """Readiness: database, Redis (when used) and storage reachable; else 503.

    AI engines are reported too but do not decide readiness: an engine that is
    not configured is a valid deployment, and the apps answer their own
    unavailable error for it.
    """
    healthy, checks = run_checks()
    # Engine settings saved by staff live in the database: with it down, asking would wait out the
    # pool's timeout a second time for an answer that does not decide readiness.
    database_up = checks.get("database") != "error"
    ai = {name: entry["status"] for name, entry in registry.status_report().items()} if database_up else {}
    body = {"status": "ready" if healthy else "not_ready", "checks": checks, "ai": ai}
    if not healthy:
        failing = ", ".join(name for name, value in checks.items() if value == "error")
        body["detail"] = f"Unavailable: {failing}"
    return JsonResponse(body, status=200 if healthy else 503)
