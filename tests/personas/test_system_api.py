"""``/api/v1/system/health``, ``/api/v1/system/stats`` and ``GET|PUT /api/v1/settings``."""

import json

import pytest
from rest_framework.test import APIClient

from config.ai.errors import EngineUnavailable
from config.ai.models import EngineOverride
from personas.api import system as system_api
from personas.choices import CharacterStatus, PostStatus
from personas.models import PersonaSettings
from tests.personas.factories import CharacterFactory, ContentItemFactory, PlatformAccountFactory, PostFactory

pytestmark = pytest.mark.django_db

HEALTH = "/api/v1/system/health"
STATS = "/api/v1/system/stats"
SETTINGS = "/api/v1/settings"
GIB = 1024**3


@pytest.fixture
def staff_api(staff):
    client = APIClient()
    client.force_authenticate(staff)
    return client


def data_of(response) -> dict:
    body = response.json()
    assert body["success"] is True and body["timestamp"].endswith("Z")
    return body["data"]


def error_of(response) -> str:
    body = response.json()
    assert body["success"] is False and "timestamp" in body
    return body["error"]["code"]


# -- Health ---------------------------------------------------------------------------------------------------


def test_health_reports_each_service_checked_live(api, settings):
    settings.REDIS_URL = ""
    data = data_of(api.get(HEALTH))
    assert data["services"] == {"database": "connected", "redis": "not_configured",
                                "stable_diffusion": "not_configured", "ollama": "not_configured"}
    assert data["status"] == "healthy"
    assert data["version"] == "1.0.0"
    assert isinstance(data["uptime_seconds"], int) and data["uptime_seconds"] >= 0


def test_health_uptime_counts_from_process_start(api, monkeypatch):
    monkeypatch.setattr(system_api, "STARTED_AT", system_api.STARTED_AT - 3600)
    assert data_of(api.get(HEALTH))["uptime_seconds"] >= 3600


def test_a_reachable_language_model_is_available(api, openai_stand_in):
    openai_stand_in.reply({"object": "list", "data": [{"id": "vision-test", "object": "model"}]})
    data = data_of(api.get(HEALTH))
    assert data["services"]["ollama"] == "available"
    assert openai_stand_in.requests[0].path == "/v1/models"


def test_an_unreachable_engine_degrades_health(api, settings):
    settings.AI_IMAGE_PROVIDER = "automatic1111"
    settings.AI_IMAGE_BASE_URL = "http://127.0.0.1:9"  # discard port: nothing answers
    settings.AI_IMAGE_MODEL = "sd15"
    settings.AI_STATUS_TIMEOUT = 1
    data = data_of(api.get(HEALTH))
    assert data["services"]["stable_diffusion"] == "unavailable"
    assert data["status"] == "degraded"


def test_an_unreachable_redis_is_an_error(api, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    data = data_of(api.get(HEALTH))
    assert data["services"]["redis"] == "error" and data["status"] == "degraded"


def test_a_database_failure_is_reported_not_raised(api, monkeypatch):
    def broken():
        raise OSError("connection refused")

    monkeypatch.setattr(system_api.health, "check_database", broken)
    data = data_of(api.get(HEALTH))
    assert data["services"]["database"] == "error" and data["status"] == "degraded"


# -- Stats ----------------------------------------------------------------------------------------------------


def test_stats_count_only_the_users_characters(owner_api, owner, other_user, settings):
    maya = CharacterFactory(owner=owner, name="Maya")
    CharacterFactory(owner=owner, name="Paused", status=CharacterStatus.PAUSED)
    CharacterFactory(owner=owner, name="Gone", deleted_at="2030-01-01T00:00:00Z")
    theirs = CharacterFactory(owner=other_user, name="Theirs")
    ContentItemFactory(character=maya, content_type="image", file_size=GIB // 2)
    ContentItemFactory(character=maya, content_type="text")
    ContentItemFactory(character=theirs, content_type="image", file_size=5 * GIB)
    account = PlatformAccountFactory(character=maya, platform="mastodon", auth_type="oauth")
    PostFactory(character=maya, account=account, status=PostStatus.PUBLISHED)
    PostFactory(character=maya, account=account, status=PostStatus.DELETED)

    data = data_of(owner_api.get(STATS))

    assert data["total_characters"] == 2 and data["active_characters"] == 1
    assert data["total_content"] == 2 and data["total_posts"] == 1
    assert data["storage_used_gb"] == 0.5
    assert data["storage_available_gb"] > 0


def test_stats_have_no_available_figure_on_remote_storage(owner_api, monkeypatch):
    from personas.services import system

    monkeypatch.setattr(system, "_storage_is_local", lambda: False)
    assert data_of(owner_api.get(STATS))["storage_available_gb"] is None


def test_stats_need_credentials(api):
    response = api.get(STATS)
    assert response.status_code == 401 and error_of(response) == "UNAUTHORIZED"


# -- Settings -------------------------------------------------------------------------------------------------


def test_settings_default_to_the_deployment_configuration(owner_api, settings):
    settings.AI_IMAGE_BASE_URL, settings.AI_IMAGE_MODEL = "http://gpu:7860", "realistic-vision-v6"
    settings.AI_LLM_BASE_URL, settings.AI_LLM_MODEL = "http://ollama:11434", "llama3:8b"
    settings.AI_LLM_API_KEY = "sk-secret-value"
    response = owner_api.get(SETTINGS)
    data = data_of(response)
    assert data == {
        "stable_diffusion": {"base_url": "http://gpu:7860", "default_model": "realistic-vision-v6"},
        "ollama": {"base_url": "http://ollama:11434", "default_model": "llama3:8b"},
        "storage": {"type": "local", "path": str(settings.MEDIA_ROOT)},
    }
    assert "sk-secret-value" not in response.content.decode()


def test_put_settings_is_forbidden_for_a_normal_user(owner_api):
    response = owner_api.put(SETTINGS, {"ollama": {"default_model": "x"}}, format="json")
    assert response.status_code == 403 and error_of(response) == "FORBIDDEN"
    assert not PersonaSettings.objects.exists()


def test_staff_put_settings_stores_them_over_the_defaults(staff_api, staff, owner_api, settings):
    settings.AI_IMAGE_MODEL = "default-model"
    body = {"stable_diffusion": {"base_url": "http://localhost:7860"}, "ollama": {"default_model": "llama3:8b"},
            "storage": {"type": "local", "path": "/storage"}}
    response = staff_api.put(SETTINGS, body, format="json")

    assert response.status_code == 200 and response.json()["message"] == "Settings updated"
    data = data_of(response)
    assert data["stable_diffusion"] == {"base_url": "http://localhost:7860", "default_model": "default-model"}
    assert data["ollama"]["default_model"] == "llama3:8b" and data["storage"] == {"type": "local", "path": "/storage"}
    row = PersonaSettings.objects.get()
    assert row.updated_by == staff and row.data["stable_diffusion"] == {"base_url": "http://localhost:7860"}
    assert data_of(owner_api.get(SETTINGS)) == data

    staff_api.put(SETTINGS, {"ollama": {"default_model": "mistral"}}, format="json")
    assert PersonaSettings.objects.count() == 1  # one row, replaced
    assert data_of(owner_api.get(SETTINGS))["stable_diffusion"]["base_url"] == settings.AI_IMAGE_BASE_URL


@pytest.mark.parametrize("body", [
    {"redis": {"url": "redis://x"}},
    {"ollama": {"api_key": "secret"}},
    {"storage": {"type": "ftp"}},
    {"stable_diffusion": {"base_url": "not a url"}},
    {"ollama": "llama3"},
])
def test_a_bad_settings_document_is_a_validation_error(staff_api, body):
    response = staff_api.put(SETTINGS, body, format="json")
    assert response.status_code == 400 and error_of(response) == "VALIDATION_ERROR"
    assert not PersonaSettings.objects.exists()


def test_settings_need_credentials(api):
    assert api.get(SETTINGS).status_code == 401
    assert api.put(SETTINGS, {}, format="json").status_code == 401


def test_saved_engine_settings_are_the_engines_the_apps_call(staff_api, settings):
    from config.ai import registry

    settings.AI_LLM_PROVIDER, settings.AI_LLM_MODEL = "none", ""
    body = {"ollama": {"base_url": "http://ollama.example.com:11434", "default_model": "llama3:8b"},
            "stable_diffusion": {"base_url": "http://a1111.example.com:7860", "default_model": "sdxl"}}

    assert staff_api.put(SETTINGS, body, format="json").status_code == 200
    model = registry.language_model()
    assert (model.provider, model.model, model.base_url) == ("ollama", "llama3:8b", "http://ollama.example.com:11434")
    generator = registry.image_generator()
    assert (generator.provider, generator.base_url) == ("automatic1111", "http://a1111.example.com:7860")

    # A second save is seen at once (the cache is invalidated), and emptying a section hands back to the environment.
    staff_api.put(SETTINGS, {"ollama": {"base_url": "http://ollama.example.com:11434", "default_model": "mistral"}},
                  format="json")
    assert registry.language_model().model == "mistral"
    with pytest.raises(EngineUnavailable):
        registry.image_generator()


def test_engine_settings_are_stored_encrypted(staff):
    from config.ai import overrides, services
    from config.ai.models import EngineOverride

    services.save_overrides(staff, {"AI_LLM_API_KEY": "sk-ant-very-secret"})

    assert "very-secret" not in EngineOverride.objects.get().encrypted_value
    assert overrides.setting("AI_LLM_API_KEY") == "sk-ant-very-secret"


def test_a_private_engine_url_is_refused_by_the_outbound_policy(staff_api, settings):
    settings.OUTBOUND_ALLOW_PRIVATE, settings.OUTBOUND_ALLOWED_HOSTS = False, []

    response = staff_api.put(SETTINGS, {"ollama": {"base_url": "http://169.254.169.254/latest"}}, format="json")

    assert response.status_code == 400 and error_of(response) == "VALIDATION_ERROR"
    assert not PersonaSettings.objects.exists()


def test_settings_show_what_the_engines_page_saved(owner_api, staff, settings):
    from config.ai import services

    settings.AI_LLM_BASE_URL, settings.AI_LLM_MODEL = "http://env-ollama:11434", "env-model"
    services.save_overrides(staff, {"AI_LLM_PROVIDER": "ollama", "AI_LLM_BASE_URL": "http://ollama.example.com:11434",
                                    "AI_LLM_MODEL": "llama3:8b", "AI_LLM_API_KEY": "sk-hidden"})

    response = owner_api.get(SETTINGS)

    assert data_of(response)["ollama"] == {"base_url": "http://ollama.example.com:11434", "default_model": "llama3:8b"}
    assert "sk-hidden" not in response.content.decode()


def test_a_put_changes_the_language_model_the_registry_builds(staff_api, settings):
    from config.ai import registry

    settings.AI_LLM_PROVIDER, settings.AI_LLM_MODEL, settings.AI_LLM_BASE_URL = "anthropic", "claude-env", ""
    settings.AI_LLM_API_KEY = "sk-env"
    before = registry.language_model()

    staff_api.put(SETTINGS, {"ollama": {"base_url": "http://gpu.example.com:11434", "default_model": "llama3:8b"}},
                  format="json")
    after = registry.language_model()
    staff_api.put(SETTINGS, {"ollama": {"base_url": "http://gpu2.example.com:11434", "default_model": "qwen2"}},
                  format="json")
    again = registry.language_model()

    assert before.provider == "anthropic"
    assert (after.provider, after.model, after.base_url) == ("ollama", "llama3:8b", "http://gpu.example.com:11434")
    assert (again.model, again.base_url) == ("qwen2", "http://gpu2.example.com:11434")


def test_a_private_url_is_refused_in_the_personas_envelope(staff_api, settings):
    settings.OUTBOUND_ALLOW_PRIVATE, settings.OUTBOUND_ALLOWED_HOSTS = False, []

    response = staff_api.put(SETTINGS, {"stable_diffusion": {"base_url": "http://10.0.0.5:7860"}}, format="json")

    body = response.json()
    assert response.status_code == 400 and body["success"] is False
    assert body["error"]["code"] == "VALIDATION_ERROR" and "private address" in json.dumps(body)
    assert not EngineOverride.objects.exists()
