"""The staff Engines page at /admin/ai/engines/ (views.engines): save over the environment, test connections."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from config.ai import overrides, registry
from config.ai.models import EngineOverride

URL = "/admin/ai/engines/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def env_without_engines(settings):
    settings.AI_LLM_PROVIDER, settings.AI_LLM_MODEL, settings.AI_LLM_BASE_URL = "none", "", ""
    settings.AI_LLM_API_KEY = ""
    settings.AI_IMAGE_PROVIDER, settings.AI_IMAGE_MODEL, settings.AI_IMAGE_BASE_URL = "none", "", ""
    settings.AI_STATUS_TIMEOUT = 2.0
    return settings


def form(kind: str, fields: tuple[str, ...], values: dict) -> dict:
    """A POST of one engine form: its prefixed fields, and the button pressed (``action``, Save by default)."""
    action = values.pop("action", "save")
    return {"engine": kind, "action": action,
            **{f"{kind}-{name}": values.pop(name, "") for name in fields},
            **{f"{kind}-{name}": value for name, value in values.items()}}


def llm(**values) -> dict:
    return form("language_model", ("provider", "model", "base_url", "api_key"), values)


def image(**values) -> dict:
    return form("image_generation", ("provider", "model", "base_url"), values)


def maps(**values) -> dict:
    return form("maps", ("geocoder_url", "satellite_url", "satellite_key"), values)


def page(response) -> str:
    return response.content.decode()


def test_the_url_name_is_ai_engines():
    assert reverse("ai:engines") == URL


def test_staff_see_one_form_per_engine_kind_with_a_test_button(staff_client, env_without_engines):
    response = staff_client.get(URL)

    assert response.status_code == 200
    html = page(response)
    for text in ("Language model", "Image generation", "Geocoding and satellite maps", "Test connection",
                 'name="language_model-api_key"', 'name="image_generation-base_url"', "Language model"):
        assert text in html
    assert html.count('value="test"') == 3


def test_the_status_page_links_to_the_engines_page(staff_client, env_without_engines):
    assert f'href="{URL}"' in page(staff_client.get("/admin/ai/"))


def test_the_admin_index_links_to_the_engines_page(staff_client, env_without_engines):
    index = page(staff_client.get("/admin/"))
    changelist = staff_client.get("/admin/ai/engineoverride/")

    assert "/admin/ai/engineoverride/" in index
    assert changelist.status_code == 302 and changelist["Location"] == URL


@pytest.mark.parametrize("method", ["get", "post"])
def test_non_staff_are_sent_to_the_admin_login_like_the_status_page(owner, method):
    client = Client()
    client.force_login(owner)

    response = getattr(client, method)(URL, llm(provider="ollama", model="x"))
    status_page = client.get("/admin/ai/")

    assert response.status_code == status_page.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not EngineOverride.objects.exists()


def test_anonymous_visitors_are_sent_to_the_admin_login():
    response = Client().get(URL)

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_saving_overrides_the_environment_for_the_engines(staff_client, env_without_engines):
    response = staff_client.post(URL, llm(provider="ollama", model="llama3:8b", base_url="http://ollama.example.com"))

    assert response.status_code == 302 and response["Location"] == URL
    model = registry.language_model()
    assert (model.provider, model.model, model.base_url) == ("ollama", "llama3:8b", "http://ollama.example.com")
    assert "saved" in page(staff_client.get(URL))


def test_a_blank_field_hands_the_setting_back_to_the_environment(staff_client, env_without_engines):
    staff_client.post(URL, image(provider="automatic1111", base_url="http://a1111.example.com:7860"))
    assert registry.image_generator().base_url == "http://a1111.example.com:7860"

    staff_client.post(URL, image())

    assert not EngineOverride.objects.exists()
    assert registry.image_problem() is not None  # the environment's "none" again


def test_the_key_is_stored_encrypted_and_never_rendered_back(staff_client, env_without_engines):
    secret = "sk-ant-plaintext-secret-42"
    staff_client.post(URL, llm(provider="anthropic", model="claude-test", api_key=secret))

    row = EngineOverride.objects.get(name="AI_LLM_API_KEY")
    assert secret not in row.encrypted_value and "plaintext" not in row.encrypted_value
    assert registry.language_model().api_key == secret
    html = page(staff_client.get(URL))
    assert secret not in html
    assert "Currently set (saved here)" in html


def test_a_blank_key_keeps_the_saved_one_and_the_box_clears_it(staff_client, env_without_engines):
    staff_client.post(URL, llm(provider="anthropic", model="claude-test", api_key="sk-ant-kept"))

    staff_client.post(URL, llm(provider="anthropic", model="claude-other"))
    assert overrides.setting("AI_LLM_API_KEY") == "sk-ant-kept"
    assert overrides.setting("AI_LLM_MODEL") == "claude-other"

    staff_client.post(URL, llm(provider="anthropic", model="claude-other", **{"clear_api_key": "on"}))
    assert not EngineOverride.objects.filter(name="AI_LLM_API_KEY").exists()
    assert "Currently not set" in page(staff_client.get(URL))


def test_a_private_url_is_refused_and_nothing_is_saved(staff_client, env_without_engines, stand_in):
    env_without_engines.OUTBOUND_ALLOW_PRIVATE, env_without_engines.OUTBOUND_ALLOWED_HOSTS = False, []

    for action in ("save", "test"):
        response = staff_client.post(URL, llm(provider="ollama", model="x", base_url=stand_in.url, action=action))
        assert response.status_code == 200
        assert "not allowed: it is a loopback address" in page(response)
    response = staff_client.post(URL, image(provider="automatic1111", base_url="http://169.254.169.254/"))
    assert "link-local address" in page(response)

    assert not EngineOverride.objects.exists()
    assert stand_in.requests == []


def test_test_connection_lists_ollamas_models_without_saving(staff_client, env_without_engines, stand_in):
    stand_in.reply({"models": [
        {"name": "llama3:8b", "model": "llama3:8b", "size": 4661224676, "digest": "365c0bd3c000",
         "modified_at": "2025-01-01T00:00:00Z", "details": {"format": "gguf", "family": "llama"}},
        {"name": "mistral:latest", "model": "mistral:latest", "size": 4109865159, "digest": "f974a74358d6",
         "modified_at": "2025-01-01T00:00:00Z", "details": {"format": "gguf", "family": "llama"}},
    ]})

    response = staff_client.post(URL, llm(provider="ollama", model="llama3:8b", base_url=stand_in.url,
                                          action="test"))

    html = page(response)
    sent = stand_in.requests[0]
    assert (sent.method, sent.path) == ("GET", "/api/tags")
    assert 'data-connection="ok"' in html
    assert "llama3:8b</li>" in html and "mistral:latest</li>" in html
    assert "llama3:8b is among its models" in html
    assert re.search(r"Connected</strong> in \d+ ms", html)
    assert not EngineOverride.objects.exists()


def test_test_connection_lists_automatic1111s_checkpoints(staff_client, env_without_engines, stand_in):
    stand_in.reply([
        {"title": "v1-5-pruned-emaonly.safetensors [6ce0161689]", "model_name": "v1-5-pruned-emaonly",
         "hash": "6ce0161689", "sha256": "6ce01616", "filename": "/models/v1-5-pruned-emaonly.safetensors",
         "config": None},
        {"title": "realisticVision_v60.safetensors [e5d3cbc5f1]", "model_name": "realisticVision_v60",
         "hash": "e5d3cbc5f1", "sha256": "e5d3cbc5", "filename": "/models/realisticVision_v60.safetensors",
         "config": None},
    ])

    response = staff_client.post(URL, image(provider="automatic1111", model="realistic-vision-v6",
                                            base_url=stand_in.url, action="test"))

    html = page(response)
    assert (stand_in.requests[0].method, stand_in.requests[0].path) == ("GET", "/sdapi/v1/sd-models")
    assert "v1-5-pruned-emaonly.safetensors [6ce0161689]</li>" in html
    assert "realisticVision_v60.safetensors [e5d3cbc5f1]</li>" in html
    assert "realistic-vision-v6 is not among its models" in html


def test_test_connection_lists_openai_compatible_models_with_the_key(staff_client, env_without_engines, stand_in):
    stand_in.reply({"object": "list", "data": [{"id": "gpt-test", "object": "model", "created": 0,
                                                 "owned_by": "me"}]})

    response = staff_client.post(URL, llm(provider="openai", model="gpt-test", base_url=f"{stand_in.url}/v1",
                                          api_key="sk-typed", action="test"))

    sent = stand_in.requests[0]
    assert (sent.method, sent.path) == ("GET", "/v1/models")
    assert sent.headers["authorization"] == "Bearer sk-typed"
    assert "gpt-test</li>" in page(response)


def test_test_connection_uses_the_saved_key_when_none_is_typed(staff_client, env_without_engines, stand_in):
    staff_client.post(URL, llm(provider="anthropic", model="claude-test", api_key="sk-ant-saved"))
    stand_in.reply({"data": [{"type": "model", "id": "claude-test", "display_name": "Test",
                              "created_at": "2025-01-01T00:00:00Z"}],
                    "has_more": False, "first_id": "claude-test", "last_id": "claude-test"})

    response = staff_client.post(URL, llm(provider="anthropic", model="claude-test", base_url=stand_in.url,
                                          action="test"))

    sent = stand_in.requests[0]
    assert sent.method == "GET" and sent.path.startswith("/v1/models")
    assert sent.headers.get("x-api-key") == "sk-ant-saved" or sent.headers.get("authorization") == "Bearer sk-ant-saved"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", sent.headers["anthropic-version"])
    assert "claude-test</li>" in page(response)
    assert "sk-ant-saved" not in page(response)


def test_test_connection_shows_the_error_of_an_unreachable_server(staff_client, env_without_engines, stand_in):
    stand_in.stop()

    response = staff_client.post(URL, llm(provider="ollama", model="llama3:8b", base_url=stand_in.url,
                                          action="test"))

    html = page(response)
    assert 'data-connection="failed"' in html
    assert f"ollama is unreachable at {stand_in.url}" in html


def test_test_connection_shows_an_engines_http_error(staff_client, env_without_engines, stand_in):
    stand_in.reply({"error": "Not Found"}, status=404)

    response = staff_client.post(URL, image(provider="automatic1111", base_url=stand_in.url, action="test"))

    assert f"automatic1111 answered HTTP 404 at {stand_in.url}" in page(response)


def test_test_connection_geocodes_and_fetches_a_tile_without_showing_the_key(staff_client, settings, stand_in):
    stand_in.reply([{"lat": "48.8584", "lon": "2.2945", "display_name": "Tour Eiffel, Paris"}])
    stand_in.reply(b"\x89PNG\r\n\x1a\n" + b"\0" * 40, headers={"Content-Type": "image/png"})

    response = staff_client.post(URL, maps(geocoder_url=f"{stand_in.url}/search", satellite_url=f"{stand_in.url}/map",
                                           satellite_key="maps-secret", action="test"))

    geocode, tile = stand_in.requests
    assert geocode.path.startswith("/search?") and "format=json" in geocode.path and "limit=1" in geocode.path
    assert tile.path.startswith("/map?") and "maptype=satellite" in tile.path and "key=maps-secret" in tile.path
    html = page(response)
    assert "Tour Eiffel, Paris" in html and "image/png, 48 bytes" in html
    assert "maps-secret" not in html
