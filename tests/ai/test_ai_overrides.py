"""config.ai.overrides: the cached source of engine settings, and its invalidation across processes."""

import pytest
from django.core.cache import cache

from config.ai import overrides, services
from config.ai.errors import EngineUnavailable
from config.ai.models import EngineOverride
from config.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_a_saved_value_wins_over_the_setting_and_removing_it_hands_back(staff, settings):
    settings.AI_LLM_MODEL = "from-env"

    services.save_overrides(staff, {"AI_LLM_MODEL": "saved"})
    assert overrides.setting("AI_LLM_MODEL") == "saved"

    services.save_overrides(staff, {"AI_LLM_MODEL": None})
    assert overrides.setting("AI_LLM_MODEL") == "from-env"


def test_another_processs_save_is_seen_once_the_local_copy_expires(staff, monkeypatch):
    assert overrides.current() == {}
    # Another process: its rows and its new version reach the shared cache, not this thread's copy.
    EngineOverride.objects.create(name="AI_LLM_MODEL", encrypted_value=overrides.crypto.encrypt("elsewhere"))
    cache.set(overrides.VERSION_KEY, "another-process", timeout=None)
    assert overrides.current() == {}  # this thread's copy, for LOCAL_SECONDS

    monkeypatch.setattr(overrides, "LOCAL_SECONDS", 0)
    assert overrides.current() == {"AI_LLM_MODEL": "elsewhere"}


def test_a_reader_that_cached_old_rows_during_a_save_cannot_hide_it(staff):
    overrides.current()
    old_version = cache.get(overrides.VERSION_KEY)
    services.save_overrides(staff, {"AI_LLM_MODEL": "new"})
    # A slow reader that loaded the rows before the save stores them under the version it read.
    cache.set(overrides.VALUES_KEY.format(version=old_version), {}, timeout=None)
    overrides.invalidate_local()

    assert overrides.current() == {"AI_LLM_MODEL": "new"}


def test_unreadable_secrets_fall_back_to_the_environment(staff, settings):
    settings.AI_LLM_API_KEY = "env-key"
    EngineOverride.objects.create(name="AI_LLM_API_KEY", encrypted_value="not-a-fernet-token")
    overrides.invalidate()

    assert overrides.setting("AI_LLM_API_KEY") == "env-key"


@pytest.mark.parametrize("values", [
    {"AI_LLM_TIMEOUT": "5"},
    {"AI_LLM_PROVIDER": "skynet"},
    {"AI_IMAGE_BASE_URL": "ftp://example.com/"},
])
def test_the_service_refuses_what_the_engines_could_not_use(staff, values):
    with pytest.raises(ValidationFailed):
        services.save_overrides(staff, values)
    assert not EngineOverride.objects.exists()


def test_the_service_refuses_a_private_url_unless_the_policy_allows_it(staff, settings):
    settings.OUTBOUND_ALLOW_PRIVATE, settings.OUTBOUND_ALLOWED_HOSTS = False, []
    with pytest.raises(ValidationFailed, match="loopback"):
        services.save_overrides(staff, {"AI_LLM_BASE_URL": "http://127.0.0.1:11434"})

    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    services.save_overrides(staff, {"AI_LLM_BASE_URL": "http://127.0.0.1:11434"})
    assert overrides.setting("AI_LLM_BASE_URL") == "http://127.0.0.1:11434"


def test_a_saved_url_is_checked_again_when_the_engine_connects(staff, settings, stand_in):
    from config.ai import registry

    settings.AI_LLM_PROVIDER, settings.AI_LLM_MODEL = "ollama", "llava"
    services.save_overrides(staff, {"AI_LLM_BASE_URL": stand_in.url})  # allowed now (embedded mode)
    settings.OUTBOUND_ALLOW_PRIVATE, settings.OUTBOUND_ALLOWED_HOSTS = False, []  # the policy tightened since

    with pytest.raises(EngineUnavailable, match="not allowed"):
        registry.language_model().list_models(2.0)
    assert stand_in.requests == []


def test_a_save_is_audited_by_name_never_by_value(staff):
    from config.audit.models import AuditEvent

    services.save_overrides(staff, {"AI_LLM_API_KEY": "sk-never-logged", "AI_LLM_MODEL": None})

    event = AuditEvent.objects.get(target_type="ai.engineoverride")
    assert event.actor == staff
    assert event.detail == {"set": ["AI_LLM_API_KEY"], "cleared": ["AI_LLM_MODEL"]}
    assert "sk-never-logged" not in str(event.detail)
