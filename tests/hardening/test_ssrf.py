"""SSRF: every URL a user or setting points the server at is fetched only where the outbound policy allows.

The policy (config/net.py) refuses private, loopback, link-local, multicast,
reserved and unspecified addresses unless ``OUTBOUND_ALLOW_PRIVATE``,
``OUTBOUND_ALLOWED_HOSTS`` or ``OUTBOUND_ALLOWED_NETWORKS`` allow them. The
suite's conftest allows private addresses for the stand-in servers (they listen
on 127.0.0.1); the ``policy_on`` fixture here turns the policy back on, so every
stand-in is exactly the kind of internal service an attacker would aim at.
"""

import socket

import httpx
import pytest

from config import net
from config.ai.errors import EngineUnavailable
from tests.personas.standins import (  # noqa: F401 - the fixtures
    bluesky_auth,
    bluesky_fixture,
    mastodon_auth,
    mastodon_fixture,
)

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.216.34"  # a global unicast address: the policy passes it without DNS


@pytest.fixture
def policy_on(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    settings.OUTBOUND_ALLOWED_HOSTS = []
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    return settings


@pytest.fixture
def fake_dns(monkeypatch):
    """Names this test resolves itself: ``fake_dns["rebind.test"] = ["1.2.3.4", "127.0.0.1"]`` answers in turn."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            queue = answers[host]
            address = queue.pop(0) if len(queue) > 1 else queue[0]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def refused(url: str) -> bool:
    try:
        net.check_url(url)
    except net.OutboundRefused:
        return True
    return False


# -- the policy --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:6379/", "http://127.1.2.3/", "http://localhost:11434/api/tags",  # loopback
    "http://10.0.0.5/", "http://172.16.3.4/", "http://192.168.1.1/",  # private (RFC 1918)
    "http://169.254.169.254/latest/meta-data/",  # link-local: the cloud metadata service
    "http://0.0.0.0:8000/", "http://[::]/",  # unspecified
    "http://224.0.0.1/", "http://[ff02::1]/",  # multicast
    "http://240.0.0.1/", "http://100.64.0.1/",  # reserved, shared (carrier NAT)
    "http://[::1]:8000/", "http://[fe80::1]/", "http://[fd00::1]/",  # IPv6 loopback, link-local, unique local
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/",  # IPv4-mapped IPv6
    "http://2130706433/", "http://0x7f000001/", "http://017700000001/",  # 127.0.0.1 spelt as one number
])
def test_non_public_addresses_are_refused(policy_on, url):
    assert refused(url), url


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "ftp://example.com/x",
                                 "http:///nohost", "dict://127.0.0.1:11211/"])
def test_only_http_and_https_urls_with_a_host_are_fetched(settings, url):
    # Whatever the address policy says: OUTBOUND_ALLOW_PRIVATE stays on here.
    assert refused(url)


def test_public_addresses_pass(policy_on):
    assert not refused(f"https://{PUBLIC}/v1")
    assert not refused("https://[2606:4700:4700::1111]/")


def test_a_name_resolving_to_any_private_address_is_refused(policy_on, fake_dns):
    fake_dns["mixed.test"] = [PUBLIC]
    assert not refused("https://mixed.test/")
    fake_dns["sneaky.test"] = ["10.1.2.3"]
    assert refused("https://sneaky.test/")


def test_the_refusal_names_the_host_the_kind_and_the_settings(policy_on):
    with pytest.raises(net.OutboundRefused) as caught:
        net.check_url("http://169.254.169.254/latest/meta-data/")
    message = str(caught.value)
    assert "169.254.169.254" in message and "link-local" in message
    assert "OUTBOUND_ALLOWED_HOSTS" in message and "OUTBOUND_ALLOW_PRIVATE" in message


def test_operators_allow_hosts_networks_or_every_private_address(policy_on, fake_dns):
    fake_dns["ollama.lan"] = ["10.0.5.7"]
    fake_dns["gpu.internal.example"] = ["10.0.6.8"]
    assert refused("http://ollama.lan:11434/") and refused("http://gpu.internal.example:7860/")
    policy_on.OUTBOUND_ALLOWED_HOSTS = ["ollama.lan", ".internal.example"]
    assert not refused("http://ollama.lan:11434/") and not refused("http://gpu.internal.example:7860/")
    assert refused("http://10.0.5.7/")  # the name is allowed, not its address
    policy_on.OUTBOUND_ALLOWED_NETWORKS = ["10.0.5.0/24"]
    assert not refused("http://10.0.5.7/") and refused("http://10.0.6.8/")
    policy_on.OUTBOUND_ALLOW_PRIVATE = True
    assert not refused("http://10.0.6.8/") and not refused("http://169.254.169.254/")


def _settings_with(monkeypatch, **env: str):
    """config/settings.py executed afresh with this environment (nothing else is touched)."""
    import os
    import runpy

    for name in [name for name in os.environ if name.startswith(("OUTBOUND_", "STAGECRAFT_PRODUCTION"))]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import config.settings

    return runpy.run_path(config.settings.__file__)


def test_private_addresses_are_refused_by_default_in_production_and_allowed_embedded(monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("STAGECRAFT_VAR_DIR", str(tmp_path))
    production = {"STAGECRAFT_PRODUCTION": "true", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.com"}
    assert _settings_with(monkeypatch)["OUTBOUND_ALLOW_PRIVATE"] is True
    assert _settings_with(monkeypatch, **production)["OUTBOUND_ALLOW_PRIVATE"] is False
    allowed = _settings_with(monkeypatch, **production, OUTBOUND_ALLOW_PRIVATE="true",
                             OUTBOUND_ALLOWED_NETWORKS="10.0.5.0/24", OUTBOUND_ALLOWED_HOSTS="ollama.lan")
    assert allowed["OUTBOUND_ALLOW_PRIVATE"] is True
    assert allowed["OUTBOUND_ALLOWED_NETWORKS"] == ["10.0.5.0/24"]
    assert allowed["OUTBOUND_ALLOWED_HOSTS"] == ["ollama.lan"]
    with pytest.raises(ImproperlyConfigured, match="OUTBOUND_ALLOWED_NETWORKS"):
        _settings_with(monkeypatch, OUTBOUND_ALLOWED_NETWORKS="10.0.0.0/99")


# -- the transport: connections, redirects, DNS rebinding ---------------------------------------------------


def test_the_transport_refuses_before_sending_anything(policy_on, stand_in):
    with httpx.Client(transport=net.transport()) as client, pytest.raises(net.OutboundRefused):
        client.get(stand_in.url + "/internal")
    assert stand_in.requests == []
    policy_on.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    stand_in.reply({"ok": True})
    with httpx.Client(transport=net.transport()) as client:
        assert client.get(stand_in.url + "/internal").json() == {"ok": True}


def test_the_refusal_is_an_httpx_connect_error_so_callers_handle_it(policy_on):
    with httpx.Client(transport=net.transport()) as client, pytest.raises(httpx.ConnectError):
        client.get("http://127.0.0.1:9/")


def test_every_redirect_hop_is_checked(policy_on, stand_in):
    # The first server is allowed by name; it redirects to the same machine under a name that is not.
    policy_on.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    port = stand_in.url.rsplit(":", 1)[1]
    stand_in.reply(status=302, headers={"Location": f"http://localhost:{port}/latest/meta-data/"})
    stand_in.reply({"secret": "should never be read"})
    client = httpx.Client(transport=net.transport(), follow_redirects=True)
    with client, pytest.raises(net.OutboundRefused, match="loopback"):
        client.get(stand_in.url + "/start")
    assert [request.path for request in stand_in.requests] == ["/start"]


def test_dns_rebinding_is_caught_at_connection_time(policy_on, stand_in, fake_dns):
    # The URL check sees a public address; the lookup made to connect answers loopback.
    port = stand_in.url.rsplit(":", 1)[1]
    fake_dns["rebind.test"] = [PUBLIC, "127.0.0.1"]
    with httpx.Client(transport=net.transport()) as client, pytest.raises(httpx.ConnectError, match="loopback"):
        client.get(f"http://rebind.test:{port}/")
    assert stand_in.requests == []


def test_the_connection_goes_to_the_checked_address(policy_on, stand_in, fake_dns):
    # "pinned.test" exists only in this test's DNS: reaching the stand-in proves the
    # transport connected to the address it checked rather than resolving again.
    policy_on.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    port = stand_in.url.rsplit(":", 1)[1]
    fake_dns["pinned.test"] = ["127.0.0.1"]
    stand_in.reply({"pinned": True})
    with httpx.Client(transport=net.transport()) as client:
        assert client.get(f"http://pinned.test:{port}/").json() == {"pinned": True}
    assert stand_in.requests[0].headers["host"] == f"pinned.test:{port}"


# -- personas: the user's Mastodon / Bluesky server ---------------------------------------------------------


def _connect(client, platform, character, auth_data):
    return client.post(f"/api/v1/platforms/{platform}/connect",
                       {"character_id": str(character.pk), "auth_data": auth_data}, format="json")


@pytest.fixture
def character(owner):
    from personas.models import Character

    return Character.objects.create(owner=owner, name="Maya Rivers", bio="Trail runner.", timezone="UTC")


@pytest.mark.parametrize("server_url", ["{stand_in}", "http://localhost:{port}", "http://[::1]:{port}",
                                        "http://169.254.169.254", "http://10.0.0.5:3000"])
def test_a_mastodon_server_url_on_a_private_address_is_refused(policy_on, owner_api, character, mastodon,
                                                              server_url):
    from personas.models import PlatformAccount

    url = server_url.format(stand_in=mastodon.url, port=mastodon.url.rsplit(":", 1)[1])
    response = _connect(owner_api, "mastodon", character, {**mastodon_auth(mastodon), "server_url": url})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    # An IPv6 literal is outside the URL shape the API takes (config.net.HTTP_URL_PATTERN), so it is
    # refused for its shape before any address is looked at.
    refusal = "server_url: Enter an http(s) URL" if "[" in url else "server_url is not allowed"
    assert error["code"] == "VALIDATION_ERROR" and refusal in error["message"]
    assert mastodon.requests == []
    assert not PlatformAccount.objects.exists()


def test_a_bluesky_server_url_on_a_private_address_is_refused(policy_on, owner_api, character, bluesky):
    response = _connect(owner_api, "bluesky", character, bluesky_auth(bluesky))
    assert response.status_code == 400 and "server_url is not allowed" in response.json()["error"]["message"]
    assert bluesky.requests == []


def test_an_operator_allowed_platform_server_connects(policy_on, owner_api, character, mastodon):
    policy_on.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    response = _connect(owner_api, "mastodon", character, mastodon_auth(mastodon))
    assert response.status_code == 201, response.content


def test_a_stored_server_that_became_private_is_refused_at_connection(settings, owner_api, character, mastodon):
    # Connected while allowed (or before its DNS changed); later calls still go through the policy.
    assert _connect(owner_api, "mastodon", character, mastodon_auth(mastodon)).status_code == 201
    account = character.accounts.get()
    seen = len(mastodon.requests)
    settings.OUTBOUND_ALLOW_PRIVATE = False
    response = owner_api.post(f"/api/v1/platforms/accounts/{account.pk}/sync")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "PLATFORM_CONNECTION_FAILED" and "not allowed" in error["message"]
    assert len(mastodon.requests) == seen


# -- engine base URLs: personas settings (staff) and the AI engines (operator settings) ---------------------


def test_settings_put_refuses_a_private_engine_base_url(policy_on, staff):
    from rest_framework.test import APIClient

    from personas.models import PersonaSettings

    client = APIClient()
    client.force_authenticate(staff)
    for section in ("ollama", "stable_diffusion"):
        response = client.put("/api/v1/settings", {section: {"base_url": "http://169.254.169.254/"}}, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not PersonaSettings.objects.exists()
    policy_on.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    response = client.put("/api/v1/settings", {"ollama": {"base_url": "http://127.0.0.1:11434"}}, format="json")
    assert response.status_code == 200, response.content


def _engines(settings, url: str):
    """Each remote engine configured at ``url``, built as the registry builds it."""
    from config.ai import registry

    settings.AI_LLM_MAX_RETRIES = settings.AI_IMAGE_MAX_RETRIES = 0
    settings.AI_LLM_MODEL = "m"
    for provider, base in (("openai", url + "/v1"), ("anthropic", url), ("ollama", url)):
        settings.AI_LLM_PROVIDER, settings.AI_LLM_BASE_URL, settings.AI_LLM_API_KEY = provider, base, "k"
        yield provider, registry.language_model()
    settings.AI_IMAGE_PROVIDER, settings.AI_IMAGE_BASE_URL = "automatic1111", url
    yield "automatic1111", registry.image_generator()


def test_engines_at_a_private_base_url_are_refused_with_the_reason(policy_on, stand_in):
    from config.ai.image.base import ImageRequest
    from config.ai.llm.base import LLMRequest, Message

    for provider, engine in _engines(policy_on, stand_in.url):
        with pytest.raises(EngineUnavailable) as caught:
            if provider == "automatic1111":
                engine.generate(ImageRequest(prompt="a chair", width=64, height=64, steps=1))
            else:
                engine.complete(LLMRequest([Message("user", "hello")], max_tokens=5))
        assert "not allowed" in caught.value.message and "loopback" in caught.value.message, (provider, caught.value)
    assert stand_in.requests == []


def test_engines_reach_an_allowed_local_server(policy_on, openai_stand_in):
    from config.ai import registry
    from config.ai.llm.base import LLMRequest, Message
    from tests.standin import openai_chat_reply

    policy_on.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    openai_stand_in.reply(openai_chat_reply({"ok": True}))
    result = registry.language_model().complete(LLMRequest([Message("user", "hello")], max_tokens=5))
    assert result.text == '{"ok": true}'
    assert len(openai_stand_in.requests) == 1


# -- floorplans: the satellite services (operator settings) -------------------------------------------------


def test_the_satellite_lookup_refuses_a_private_geocoder(policy_on, openai_stand_in):
    from floorplans import satellite
    from floorplans.errors import SatelliteUnavailable

    policy_on.FLOORPLANS_GEOCODER_URL = "http://169.254.169.254/search"
    policy_on.FLOORPLANS_SATELLITE_URL = "http://169.254.169.254/staticmap"
    with pytest.raises(SatelliteUnavailable, match="not allowed"):
        satellite.house_bounds("1 Main St")


def test_a_satellite_error_does_not_reveal_the_api_key(settings, openai_stand_in, stand_in):
    from floorplans import satellite
    from floorplans.errors import SatelliteUnavailable

    settings.FLOORPLANS_GEOCODER_URL = stand_in.url + "/search"
    settings.FLOORPLANS_SATELLITE_URL = stand_in.url + "/staticmap"
    settings.FLOORPLANS_SATELLITE_KEY = "maps-key-0123456789-secret"
    stand_in.reply([{"lat": "45.5", "lon": "-122.6"}])
    stand_in.reply({"error": "forbidden"}, status=403)
    with pytest.raises(SatelliteUnavailable) as caught:
        satellite.house_bounds("1 Main St")
    assert "maps-key-0123456789-secret" not in str(caught.value) and "403" in str(caught.value)


# -- image URLs given instead of uploads ----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["profile_image", "face_reference_image"])
def test_image_urls_are_refused_and_never_fetched(policy_on, owner_api, stand_in, field):
    policy_on.OUTBOUND_ALLOW_PRIVATE = True  # even where fetching would be allowed, an image URL is not fetched
    body = {"name": "Maya", "bio": "Runner.", "timezone": "UTC"}
    if field == "profile_image":
        body["profile_image"] = stand_in.url + "/me.png"
    else:
        body["appearance"] = {"face_reference_image": stand_in.url + "/me.png"}
    response = owner_api.post("/api/v1/characters", body, format="json")
    assert response.status_code == 400, response.content
    assert "image URLs are not fetched" in response.json()["error"]["message"]
    assert stand_in.requests == []
