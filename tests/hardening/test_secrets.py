"""Secrets: never in logs or answers, third-party credentials encrypted at rest, API keys compared in constant time.

One test walks the flows that handle secrets (registration, login, refresh, a
failed login, the login page, API key creation and use, a wrong key, Mastodon
and Bluesky connection through the stand-ins, a refused app password, language
model calls with a provider key, a failing provider, the satellite lookup with
its key) while capturing every log record at DEBUG, then searches the records
(message, arguments, traceback), the answers and a dump of the database for
each secret.
"""

import hmac
import json
import logging
import traceback
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from config.crypto import decrypt_json
from tests.personas.standins import (  # noqa: F401 - the fixtures
    bluesky_auth,
    bluesky_fixture,
    mastodon_auth,
    mastodon_fixture,
)
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db

PASSWORD = "Tr0ub4dor&3-horse-battery-staple"
WRONG_PASSWORD = "n0t-the-r1ght-password-at-all"
PROVIDER_KEY = "sk-proj-PROVIDERKEY0123456789abcdefSECRET"
MAPS_KEY = "AIzaMAPSKEY0123456789abcdefSECRET"
# Tables whose job is to hold our own credentials by design: simplejwt's blacklist
# keeps each refresh token it issued so a rotated one can be refused.
OWN_TOKEN_TABLES = ("token_blacklist.",)


def _record_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args), str(getattr(record, "request", ""))]
    if record.exc_info:
        parts.append("".join(traceback.format_exception(*record.exc_info)))
    if record.exc_text:
        parts.append(record.exc_text)
    parts.append(json.dumps({k: repr(v) for k, v in record.__dict__.items()
                             if k not in logging.LogRecord("", 0, "", 0, "", (), None).__dict__}))
    return "\n".join(parts)


def _database_dump() -> str:
    out = StringIO()
    call_command("dumpdata", format="json", stdout=out)
    rows = json.loads(out.getvalue())
    return json.dumps([row for row in rows if not row["model"].startswith(OWN_TOKEN_TABLES)])


def test_no_secret_reaches_the_logs_the_answers_or_the_database_in_clear(
        caplog, settings, owner, stand_in, mastodon, bluesky):
    from config.ai import registry
    from config.ai.errors import EngineUnavailable
    from config.ai.llm.base import LLMRequest, Message
    from floorplans import satellite
    from floorplans.errors import SatelliteUnavailable
    from personas.models import Character, PlatformAccount

    caplog.set_level(logging.DEBUG)
    secrets: dict[str, str] = {"password": PASSWORD, "wrong password": WRONG_PASSWORD,
                               "provider key": PROVIDER_KEY, "maps key": MAPS_KEY,
                               "Mastodon token": mastodon.token, "Bluesky app password": bluesky.app_password}
    answers: list[str] = []
    api = APIClient()

    def call(method: str, path: str, body=None, *, expect: int, secret_answer: bool = False, **headers):
        response = getattr(api, method)(path, body, format="json", **headers)
        assert response.status_code == expect, (path, response.status_code, response.content[:300])
        if not secret_answer:  # login and key creation answer the new secret, once, by design
            answers.append(response.content.decode())
        return response

    # Auth: register, a wrong password, login, refresh, reuse of the rotated refresh token.
    call("post", "/api/v1/auth/register", {"email": "dana@example.com", "password": PASSWORD,
                                           "full_name": "Dana"}, expect=201)
    call("post", "/api/v1/auth/login", {"email": "dana@example.com", "password": WRONG_PASSWORD}, expect=401)
    tokens = call("post", "/api/v1/auth/login", {"email": "dana@example.com", "password": PASSWORD},
                  expect=200, secret_answer=True).json()
    secrets["access token"], secrets["refresh token"] = tokens["access_token"], tokens["refresh_token"]
    rotated = call("post", "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]},
                   expect=200, secret_answer=True).json()
    secrets["rotated refresh token"] = rotated["refresh_token"]
    call("post", "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}, expect=401)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {rotated['access_token']}"}
    call("get", "/api/v1/auth/me", expect=200, **bearer)

    # The login page, with a wrong and a right password.
    page = Client()
    for password, status in ((WRONG_PASSWORD, 200), (PASSWORD, 302)):
        response = page.post("/accounts/login/", {"username": "dana@example.com", "password": password})
        assert response.status_code == status

    # API keys: created (shown once), listed, used, and a forged key with the right prefix.
    created = call("post", "/api/v1/auth/api-keys", {"name": "ci"}, expect=201, secret_answer=True, **bearer).json()
    secrets["API key"] = created["key"]
    call("get", "/api/v1/auth/api-keys", expect=200, **bearer)
    call("get", "/api/v1/auth/me", expect=200, HTTP_X_API_KEY=created["key"])
    forged = created["key"][:-6] + "AAAAAA"
    secrets["forged API key"] = forged
    call("get", "/api/v1/auth/me", expect=401, HTTP_X_API_KEY=forged)

    # Platforms: Mastodon and Bluesky connected through the stand-ins, then a refused app password.
    character = Character.objects.create(owner=owner, name="Maya", bio="Runner.", timezone="UTC")
    api.force_authenticate(owner)
    body = {"character_id": str(character.pk)}
    call("post", "/api/v1/platforms/mastodon/connect", {**body, "auth_data": mastodon_auth(mastodon)}, expect=201)
    call("post", "/api/v1/platforms/bluesky/connect", {**body, "auth_data": bluesky_auth(bluesky)}, expect=201)
    wrong = {**bluesky_auth(bluesky), "app_password": "wrong-app-pass-1234"}
    secrets["wrong app password"] = wrong["app_password"]
    call("post", "/api/v1/platforms/bluesky/connect", {**body, "auth_data": wrong}, expect=400)
    call("get", "/api/v1/platforms/accounts", expect=200)
    for account in PlatformAccount.objects.all():
        call("get", f"/api/v1/platforms/accounts/{account.pk}/status", expect=200)
        call("post", f"/api/v1/platforms/accounts/{account.pk}/sync", expect=200)
    session = decrypt_json(PlatformAccount.objects.get(platform="bluesky").credentials_encrypted)
    secrets["Bluesky access JWT"], secrets["Bluesky refresh JWT"] = session["access_jwt"], session["refresh_jwt"]

    # A language model with a provider key: one answer, one refusal of the key, one 500.
    settings.AI_LLM_PROVIDER, settings.AI_LLM_MODEL = "openai", "vision-test"
    settings.AI_LLM_BASE_URL, settings.AI_LLM_API_KEY = stand_in.url + "/v1", PROVIDER_KEY
    settings.AI_LLM_MAX_RETRIES = 0
    model = registry.language_model()
    stand_in.reply(openai_chat_reply({"ok": True}))
    model.complete(LLMRequest([Message("user", "hello")], max_tokens=5))
    assert stand_in.requests[-1].headers["authorization"] == f"Bearer {PROVIDER_KEY}"  # it was really sent
    for status in (401, 500):
        stand_in.reply({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}},
                       status=status)
        with pytest.raises(EngineUnavailable) as caught:
            model.complete(LLMRequest([Message("user", "hello")], max_tokens=5))
        answers.append(str(caught.value) + repr(caught.value.details))
    assert PROVIDER_KEY not in repr(model)
    answers.append(json.dumps(registry.status_report(), default=str))

    # The satellite lookup sends its key in the query string; a failure must not quote it.
    settings.FLOORPLANS_GEOCODER_URL = stand_in.url + "/search"
    settings.FLOORPLANS_SATELLITE_URL = stand_in.url + "/staticmap"
    settings.FLOORPLANS_SATELLITE_KEY = MAPS_KEY
    stand_in.reply([{"lat": "45.5", "lon": "-122.6"}])
    stand_in.reply({"error": "denied"}, status=403)
    with pytest.raises(SatelliteUnavailable) as caught:
        satellite.house_bounds("1 Main St")
    answers.append(str(caught.value))
    assert MAPS_KEY in stand_in.requests[-1].path  # it was really sent

    records = [_record_text(record) for record in caplog.records]
    assert records, "nothing was logged: the capture is not working"
    dump = _database_dump()
    for name, secret in secrets.items():
        leaks = [text for text in records if secret in text]
        assert not leaks, f"the {name} is in the log: {leaks[0][:500]}"
        assert not any(secret in answer for answer in answers), f"the {name} is in an API answer"
        assert secret not in dump, f"the {name} is stored in clear in the database"


def test_platform_credentials_are_encrypted_at_rest_and_decrypt_to_the_secret(owner, mastodon, bluesky):
    from personas.models import Character, PlatformAccount
    from personas.services.accounts import connect_account

    character = Character.objects.create(owner=owner, name="Maya", bio="Runner.", timezone="UTC")
    connect_account(owner, platform="mastodon", character_id=character.pk, auth_data=mastodon_auth(mastodon))
    connect_account(owner, platform="bluesky", character_id=character.pk, auth_data=bluesky_auth(bluesky))
    masto = PlatformAccount.objects.get(platform="mastodon")
    sky = PlatformAccount.objects.get(platform="bluesky")
    assert mastodon.token not in masto.credentials_encrypted
    assert decrypt_json(masto.credentials_encrypted)["access_token"] == mastodon.token
    stored = decrypt_json(sky.credentials_encrypted)
    for secret in (stored["access_jwt"], stored["refresh_jwt"]):
        assert secret not in sky.credentials_encrypted
    # Bluesky's app password is exchanged for session tokens; only those are kept.
    assert bluesky.app_password not in json.dumps(stored)
    # A Fernet token, not an encoding of the plain credentials.
    assert sky.credentials_encrypted.startswith("gAAAAA")


def test_api_keys_are_compared_in_constant_time(owner, monkeypatch):
    from config.accounts.models import APIKey
    from config.accounts.services import create_api_key

    key, raw = create_api_key(owner, name="timing")
    compared: list[tuple] = []
    real = hmac.compare_digest

    def recording(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    client = APIClient()
    assert client.get("/api/v1/auth/me", HTTP_X_API_KEY=raw).status_code == 200
    assert compared and {compared[-1][0], compared[-1][1]} == {key.key_hash}
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    compared.clear()
    assert client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401
    assert compared and key.key_hash in compared[-1] and APIKey.hash(forged) in compared[-1]
    # Only the hash is stored.
    assert raw not in json.dumps(list(APIKey.objects.values()), default=str)
