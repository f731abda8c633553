"""``/api/v1/system/health``, ``/api/v1/system/stats`` and ``/api/v1/settings`` (seed 003, section 8).

Health reuses the platform's live checks (``config.health`` for the database
and Redis, ``config.ai.registry.status_report`` for the engines) and names them
as the seed does: the image engine is ``stable_diffusion`` and the language
model ``ollama`` whichever provider serves them.
"""

import os
import time
from pathlib import Path

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from config import health, net
from config.ai import registry
from config.ai.status import Status
from config.api.input import parse
from config.errors import Forbidden
from personas.api.base import PersonasAPIView, ok
from personas.services import system


def _process_started_at() -> float:
    """When this process started (epoch seconds); the import time where /proc is missing."""
    try:
        # Field 22 of /proc/self/stat is the start time in clock ticks after boot; the
        # command name (field 2) may contain spaces, so count from its closing parenthesis.
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[19])
        boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime"))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return time.time()


STARTED_AT = _process_started_at()
TAGS = ["personas: system"]


def _check(check) -> str:
    try:
        return check()
    except Exception:  # the check's own module logs nothing here; the status says enough
        return "error"


def _engine_state(entry: dict) -> str:
    if entry["status"] == Status.NOT_CONFIGURED:
        return "not_configured"
    return "available" if entry["status"] == Status.READY else "unavailable"


def health_report() -> dict:
    """Every dependency checked now; ``degraded`` when one that is in use does not answer."""
    redis_state = _check(health.check_redis)
    engines = registry.status_report()
    services = {
        "database": "connected" if _check(health.check_database) == "ok" else "error",
        "redis": {"ok": "connected", "not used": "not_configured"}.get(redis_state, "error"),
        "stable_diffusion": _engine_state(engines["image_generation"]),
        "ollama": _engine_state(engines["language_model"]),
    }
    degraded = {"error", "unavailable"} & set(services.values())
    return {
        "status": "degraded" if degraded else "healthy",
        "version": settings.SPECTACULAR_SETTINGS["VERSION"],
        "services": services,
        "uptime_seconds": int(time.time() - STARTED_AT),
    }


# How /system/health reports each engine (one OpenAPI enum, EngineStateEnum).
ENGINE_STATES = ("available", "unavailable", "not_configured")

class ServicesSerializer(serializers.Serializer):
    database = serializers.ChoiceField(choices=["connected", "error"])
    redis = serializers.ChoiceField(choices=["connected", "not_configured", "error"])
    stable_diffusion = serializers.ChoiceField(choices=ENGINE_STATES)
    ollama = serializers.ChoiceField(choices=ENGINE_STATES)


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["healthy", "degraded"])
    version = serializers.CharField()
    services = ServicesSerializer()
    uptime_seconds = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    total_characters = serializers.IntegerField()
    active_characters = serializers.IntegerField()
    total_content = serializers.IntegerField()
    total_posts = serializers.IntegerField()
    storage_used_gb = serializers.FloatField()
    storage_available_gb = serializers.FloatField(allow_null=True, help_text="null on remote (S3) storage")


class SystemHealthView(PersonasAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: HealthSerializer}, tags=TAGS, auth=[])
    def get(self, request):
        """Health of the service and each dependency, checked now; open to monitors without credentials."""
        return ok(health_report())


class SystemStatsView(PersonasAPIView):
    @extend_schema(responses={200: StatsSerializer}, tags=TAGS)
    def get(self, request):
        """Counts for the requesting user's characters, content and posts, and storage in GB."""
        return ok(system.stats_for(request.user))


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a misspelt setting is a 400 rather than silently dropped."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown setting."] for key in unknown})
        return super().to_internal_value(data)


class EngineSettingsSerializer(StrictSerializer):
    base_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    default_model = serializers.CharField(required=False, allow_blank=True, max_length=300)

    def validate_base_url(self, value: str) -> str:
        # Staff set it, but it is still a URL the server would call: the outbound policy decides.
        if value:
            try:
                net.check_url(value)
            except net.OutboundRefused as exc:
                raise serializers.ValidationError(str(exc)) from None
        return value


class StorageSettingsSerializer(StrictSerializer):
    type = serializers.ChoiceField(required=False, choices=["local", "s3"])
    path = serializers.CharField(required=False, allow_blank=True, max_length=500)


class SettingsInputSerializer(StrictSerializer):
    stable_diffusion = EngineSettingsSerializer(required=False)
    ollama = EngineSettingsSerializer(required=False)
    storage = StorageSettingsSerializer(required=False)


class SettingsView(PersonasAPIView):
    @extend_schema(responses={200: SettingsInputSerializer}, tags=TAGS)
    def get(self, request):
        """The settings in force, never a key or secret: the engines' as they read them (saved here, on the
        staff Engines page or in the environment) and storage."""
        return ok(system.effective_settings())

    @extend_schema(request=SettingsInputSerializer, responses={200: SettingsInputSerializer}, tags=TAGS)
    def put(self, request):
        """Staff only (else 403 FORBIDDEN): replace the stored overrides; unknown keys are a VALIDATION_ERROR."""
        if not request.user.is_staff:
            raise Forbidden("Only staff can change the settings.")
        data = parse(SettingsInputSerializer, request.data)
        return ok(system.update_settings(request.user, data=data), message="Settings updated")
