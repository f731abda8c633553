"""Connecting through the platform's consent page: OAuth authorization code with state and PKCE (Mastodon).

The stand-in Mastodon instance registers apps (``/api/v1/apps``), plays the consent
page (``consent``: what ``/oauth/authorize`` redirects back with) and checks the
token request as Mastodon does: the app's secret, the redirect URI and the PKCE
verifier against the challenge it was shown.
"""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from config.crypto import encrypt
from personas.models import OAuthAttempt, OAuthRegistration, PlatformAccount
from tests.factories import UserFactory
from tests.personas.factories import CharacterFactory
from tests.personas.standins import error_of, mastodon_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

CALLBACK = "/personas/oauth/mastodon/callback"


def start(api, character, server_url) -> str:
    response = api.post("/api/v1/platforms/mastodon/connect",
                        {"character_id": str(character.pk), "server_url": server_url}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]["authorization_url"]


@pytest.fixture
def browser(client, owner):
    client.force_login(owner)
    return client


def test_without_auth_data_the_answer_is_the_consent_url_with_state_and_pkce(persona_api, character, mastodon):
    url = start(persona_api, character, mastodon.url)

    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    attempt = OAuthAttempt.objects.get()
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{mastodon.url}/oauth/authorize"
    assert query["state"] == attempt.state and len(attempt.state) >= 40
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == settings.SITE_URL + CALLBACK and query["response_type"] == "code"
    registration = OAuthRegistration.objects.get()
    assert query["client_id"] == registration.client_id and mastodon.apps[registration.client_id]
    assert "secret" not in registration.client_secret_encrypted  # stored encrypted


def test_the_app_is_registered_once_per_instance(persona_api, character, mastodon):
    start(persona_api, character, mastodon.url)
    start(persona_api, character, mastodon.url + "/")

    assert len(mastodon.apps) == 1 and OAuthRegistration.objects.count() == 1
    assert OAuthAttempt.objects.count() == 2


def test_the_callback_stores_the_account_and_returns_to_the_character(persona_api, browser, owner, character,
                                                                      mastodon):
    back = mastodon.consent(start(persona_api, character, mastodon.url))

    response = browser.get(CALLBACK, back)

    account = PlatformAccount.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/personas/{character.pk}/"
    assert (account.character, account.auth_type, account.connection_status) == (character, "oauth", "connected")
    assert account.account_username == "ava" and account.server_url == mastodon.url
    assert mastodon.token not in account.credentials_encrypted
    assert not OAuthAttempt.objects.exists()  # used once
    token_request = mastodon.calls("/oauth/token")[0].form
    assert token_request["grant_type"] == ["authorization_code"] and token_request["code_verifier"]


def test_a_wrong_verifier_is_refused_by_the_platform_and_nothing_is_stored(persona_api, browser, character,
                                                                          mastodon):
    back = mastodon.consent(start(persona_api, character, mastodon.url))
    OAuthAttempt.objects.update(code_verifier_encrypted=encrypt("not-the-verifier-the-challenge-was-made-from"))

    response = browser.get(CALLBACK, back, follow=True)

    assert not PlatformAccount.objects.exists()
    assert "code verifier is invalid" in response.content.decode()


@pytest.mark.parametrize("spoil", ["reused", "unknown", "expired", "another_user", "another_platform"])
def test_a_state_that_is_not_this_persons_fresh_attempt_connects_nothing(persona_api, browser, character,
                                                                         mastodon, spoil):
    back = mastodon.consent(start(persona_api, character, mastodon.url))
    path = CALLBACK
    if spoil == "reused":
        browser.get(CALLBACK, back)
        PlatformAccount.objects.all().delete()
        back = {**back, "code": mastodon.consent(start(persona_api, character, mastodon.url))["code"]}
    elif spoil == "unknown":
        back = {**back, "state": "made-up"}
    elif spoil == "expired":
        OAuthAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    elif spoil == "another_user":
        OAuthAttempt.objects.update(owner=UserFactory(), character=CharacterFactory())
    else:
        path = "/personas/oauth/bluesky/callback"

    response = browser.get(path, back, follow=True)

    assert not PlatformAccount.objects.exists()
    assert "expired or was already used" in response.content.decode()


def test_declining_on_the_consent_page_connects_nothing_and_says_so(persona_api, browser, character, mastodon):
    back = mastodon.consent(start(persona_api, character, mastodon.url), approve=False)

    response = browser.get(CALLBACK, back, follow=True)

    assert not PlatformAccount.objects.exists() and not OAuthAttempt.objects.exists()
    assert "did not grant access: The resource owner denied the request." in response.content.decode()
    assert not mastodon.calls("/oauth/token")


def test_mastodon_needs_its_instance(persona_api, character):
    response = persona_api.post("/api/v1/platforms/mastodon/connect", {"character_id": str(character.pk)},
                                format="json")
    assert error_of(response, 400, "VALIDATION_ERROR")["details"] == {"server_url": ["This field is required."]}


def test_a_platform_without_a_consent_page_says_how_it_connects(persona_api, character):
    response = persona_api.post("/api/v1/platforms/bluesky/connect", {"character_id": str(character.pk)},
                                format="json")
    assert "app password" in error_of(response, 400, "PLATFORM_CONNECTION_FAILED")["message"]


def test_another_users_character_is_not_found(persona_api, mastodon):
    response = persona_api.post("/api/v1/platforms/mastodon/connect",
                                {"character_id": str(CharacterFactory().pk), "server_url": mastodon.url},
                                format="json")
    assert error_of(response, 404, "CHARACTER_NOT_FOUND")
    assert not OAuthAttempt.objects.exists()


def test_the_connections_page_sends_the_person_to_their_instance(browser, character, mastodon):
    page = browser.get("/personas/connections/").content.decode()
    assert "Sign in with Mastodon" in page

    response = browser.post("/personas/connections/mastodon/authorize",
                            {"mastodon-oauth-character": str(character.pk), "mastodon-oauth-server_url": mastodon.url})

    assert response.status_code == 200
    link = response.context["url"]
    assert link.startswith(f"{mastodon.url}/oauth/authorize?") and f'href="{link.replace("&", "&amp;")}"' in \
        response.content.decode()
    assert OAuthAttempt.objects.get().character == character


def test_attempts_nobody_came_back_from_are_forgotten_by_the_ten_minute_task(persona_api, character, mastodon):
    from personas import tasks

    start(persona_api, character, mastodon.url)
    start(persona_api, character, mastodon.url)
    OAuthAttempt.objects.filter(pk=OAuthAttempt.objects.first().pk).update(
        created_at=timezone.now() - timedelta(minutes=11))

    tasks.refresh_tokens()

    assert OAuthAttempt.objects.count() == 1
