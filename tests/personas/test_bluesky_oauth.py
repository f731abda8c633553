"""Connecting Bluesky through AT Protocol OAuth: discovery, PAR, PKCE, DPoP and nonces, then DPoP-bound posting.

The stand-in PDS is its own authorization server (``atproto_standin``); it
refuses every shape the real one refuses, so each test below fails if the
client stops sending what the profile requires.
"""

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from config.crypto import decrypt_json, encrypt
from personas.connectors import AuthExpired, PublishRequest, atproto_oauth
from personas.errors import PlatformConnectionFailed
from personas.models import OAuthAttempt, PlatformAccount
from personas.services import accounts
from personas.services import oauth as oauth_service
from tests.personas.atproto_standin import atproto_fixture  # noqa: F401
from tests.personas.standins import error_of

pytestmark = pytest.mark.django_db

CALLBACK = "/personas/oauth/bluesky/callback"
METADATA = "/personas/oauth/bluesky/client-metadata.json"


@pytest.fixture
def server(atproto, client):
    """The stand-in, having fetched StageCraft's client metadata document as a real server would."""
    atproto.client_metadata = client.get(METADATA).json()
    return atproto


@pytest.fixture
def browser(client, owner):
    client.force_login(owner)
    return client


def start(api, character, **extra):
    return api.post("/api/v1/platforms/bluesky/connect", {"character_id": str(character.pk), **extra}, format="json")


def consent(api, character, server) -> dict:
    response = start(api, character)
    assert response.status_code == 200, response.content
    return server.consent(response.json()["data"]["authorization_url"])


def connected(api, browser, character, server) -> PlatformAccount:
    response = browser.get(CALLBACK, consent(api, character, server))
    assert response.status_code == 302 and response["Location"] == f"/personas/{character.pk}/"
    return PlatformAccount.objects.get()


def claims_of(proof: str) -> dict:
    return jwt.decode(proof, options={"verify_signature": False})


def test_the_client_metadata_document_describes_a_public_dpop_client(client, settings):
    settings.SITE_URL = "https://stagecraft.example"

    response = client.get(METADATA)

    document = response.json()
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert document["client_id"] == "https://stagecraft.example" + METADATA
    assert document["redirect_uris"] == ["https://stagecraft.example" + CALLBACK]
    assert document["application_type"] == "web" and document["client_name"] == "StageCraft"
    assert document["grant_types"] == ["authorization_code", "refresh_token"]
    assert document["response_types"] == ["code"] and document["scope"] == "atproto transition:generic"
    assert document["token_endpoint_auth_method"] == "none" and document["dpop_bound_access_tokens"] is True


def test_connect_answers_the_consent_url_of_a_pushed_request(persona_api, character, server):
    response = start(persona_api, character)

    url = response.json()["data"]["authorization_url"]
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{server.url}/oauth/authorize"
    assert query == {"client_id": atproto_oauth.client_id(), "request_uri": next(iter(server.pushed))}
    pushed = server.pushed[query["request_uri"]]
    attempt = OAuthAttempt.objects.get()
    assert pushed["state"] == attempt.state and pushed["code_challenge_method"] == "S256"
    assert pushed["scope"] == "atproto transition:generic" and pushed["redirect_uri"].endswith(CALLBACK)
    saved = decrypt_json(attempt.atproto_encrypted)
    assert saved["issuer"] == server.url and saved["dpop_nonce"] == server.auth_nonce
    assert "PRIVATE KEY" not in attempt.atproto_encrypted and "PRIVATE KEY" in saved["dpop_key"]


def test_the_pushed_request_is_retried_once_with_the_servers_nonce(persona_api, character, server):
    start(persona_api, character)

    first, second = server.calls("/oauth/par")
    assert "nonce" not in claims_of(first.headers["dpop"])
    assert claims_of(second.headers["dpop"])["nonce"] == server.auth_nonce
    assert claims_of(second.headers["dpop"])["htu"] == f"{server.url}/oauth/par"


def test_a_handle_goes_to_the_server_as_login_hint(owner, character, server):
    oauth_service.start_oauth(owner, platform="bluesky", character_id=character.pk, login_hint="ava.test")

    assert next(iter(server.pushed.values()))["login_hint"] == "ava.test"


def test_the_api_passes_a_handle_as_login_hint(persona_api, character, server):
    assert start(persona_api, character, login_hint="ava.test").status_code == 200
    assert next(iter(server.pushed.values()))["login_hint"] == "ava.test"


def test_the_connections_page_offers_bluesky_consent_only_on_a_public_https_site(browser, character, settings):
    settings.SITE_URL = "https://stagecraft.example"
    page = browser.get("/personas/connections/").content.decode()
    assert 'formaction="/personas/connections/bluesky/authorize"' in page
    settings.SITE_URL = "http://localhost:8000"
    page = browser.get("/personas/connections/").content.decode()
    assert 'formaction="/personas/connections/bluesky/authorize"' not in page and "not-configured-bluesky" in page


def test_app_password_credentials_with_oauth_type_say_how_to_consent(persona_api, character):
    response = persona_api.post("/api/v1/platforms/bluesky/connect", {
        "character_id": str(character.pk), "auth_data": {"auth_type": "oauth", "access_token": "x"}}, format="json")
    assert response.status_code == 400 and "send no auth_data" in response.json()["error"]["message"]


def test_the_callback_stores_a_dpop_bound_oauth_account(persona_api, browser, character, server):
    account = connected(persona_api, browser, character, server)

    assert (account.auth_type, account.connection_status, account.character) == ("oauth", "connected", character)
    assert account.platform_user_id == server.did and account.account_username == server.handle
    assert account.server_url == server.url and not OAuthAttempt.objects.exists()
    credentials = decrypt_json(account.credentials_encrypted)
    assert credentials["access_token"] in server.tokens and credentials["refresh_token"] in server.refresh_tokens
    assert credentials["token_endpoint"] == f"{server.url}/oauth/token" and credentials["did"] == server.did
    assert credentials["access_token"] not in account.credentials_encrypted
    token_call = [seen for seen in server.calls("/oauth/token") if seen.form.get("code")][-1]
    assert token_call.form["grant_type"] == ["authorization_code"] and token_call.form["code_verifier"]
    verify = server.calls("/xrpc/com.atproto.repo.describeRepo")[-1]
    assert verify.headers["authorization"] == f"DPoP {credentials['access_token']}"


def test_without_a_public_https_site_the_answer_says_to_use_an_app_password(persona_api, character, server,
                                                                           settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    response = start(persona_api, character)

    assert "public https address" in error_of(response, 400, "PLATFORM_CONNECTION_FAILED")["message"]
    assert not server.calls("/oauth/par") and not OAuthAttempt.objects.exists()


def _spoil_proof(monkeypatch, **change):
    original = atproto_oauth.DPoPKey.proof

    def proof(self, method, url, *, nonce="", access_token=""):
        if change.get("missing"):
            return ""
        if change.get("foreign_key"):  # signed by another key than the one in its header
            other = atproto_oauth.DPoPKey.generate()
            token = original(other, method, url, nonce=nonce, access_token=access_token)
            head = original(self, method, url, nonce=nonce, access_token=access_token).split(".")[0]
            return ".".join([head, *token.split(".")[1:]])
        return original(self, change.get("method", method), change.get("url", url), nonce=nonce,
                        access_token=change.get("token", access_token))

    monkeypatch.setattr(atproto_oauth.DPoPKey, "proof", proof)


@pytest.mark.parametrize(("spoil", "words"), [
    ({"missing": True}, "DPoP proof required"),
    ({"foreign_key": True}, "Invalid DPoP proof signature"),
    ({"url": "https://elsewhere.example/oauth/par"}, "htm/htu mismatch"),
    ({"method": "GET"}, "htm/htu mismatch"),
])
def test_a_pushed_request_with_a_bad_proof_is_refused_and_nothing_is_kept(persona_api, character, server,
                                                                          monkeypatch, spoil, words):
    _spoil_proof(monkeypatch, **spoil)

    response = start(persona_api, character)

    assert words in error_of(response, 400, "PLATFORM_CONNECTION_FAILED")["message"]
    assert not server.pushed and not OAuthAttempt.objects.exists()


def test_a_server_whose_nonce_changes_again_on_retry_is_a_clear_refusal(persona_api, character, server):
    server.rotate_nonce_every_time = True

    response = start(persona_api, character)

    assert "requires nonce in DPoP proof" in error_of(response, 400, "PLATFORM_CONNECTION_FAILED")["message"]
    assert len(server.calls("/oauth/par")) == 2 and not OAuthAttempt.objects.exists()


def test_an_authorization_server_that_is_not_who_it_says_is_refused(persona_api, character, server):
    server.issuer_claim = "https://bsky.social"

    response = start(persona_api, character)

    assert "calls itself" in error_of(response, 400, "PLATFORM_CONNECTION_FAILED")["message"]
    assert not server.calls("/oauth/par")


def test_an_unreachable_server_is_a_503(persona_api, character, settings):
    settings.SITE_URL = "https://stagecraft.example"
    settings.PERSONAS_BLUESKY_AUTH_BASE = "http://127.0.0.1:9"

    response = start(persona_api, character)

    assert "could not be reached" in error_of(response, 503, "PLATFORM_CONNECTION_FAILED")["message"]


def _finish_refused(owner, back) -> PlatformConnectionFailed:
    with pytest.raises(PlatformConnectionFailed) as caught:
        oauth_service.finish_oauth(owner, platform="bluesky", state=back["state"], code=back["code"],
                                   iss=back["iss"])
    assert caught.value.status == 400 and not PlatformAccount.objects.exists()
    return caught.value


def test_a_callback_from_another_issuer_connects_nothing(persona_api, owner, character, server):
    back = consent(persona_api, character, server)

    refusal = _finish_refused(owner, {**back, "iss": "https://evil.example"})

    assert "issuer" in refusal.message and not server.calls("/oauth/token")


def test_a_wrong_verifier_is_refused_at_the_token_endpoint(persona_api, owner, character, server):
    back = consent(persona_api, character, server)
    OAuthAttempt.objects.update(code_verifier_encrypted=encrypt("not-the-verifier-the-challenge-was-made-from"))

    refusal = _finish_refused(owner, back)

    assert "Invalid code_verifier" in refusal.message


def test_the_token_request_is_retried_with_the_servers_new_nonce(persona_api, browser, character, server):
    back = consent(persona_api, character, server)
    server.auth_nonce = "a-fresh-nonce"  # the one the attempt kept is stale by now

    browser.get(CALLBACK, back)

    first, second = [seen for seen in server.calls("/oauth/token")]
    assert claims_of(first.headers["dpop"])["nonce"] != "a-fresh-nonce"
    assert claims_of(second.headers["dpop"])["nonce"] == "a-fresh-nonce"
    assert PlatformAccount.objects.get().auth_type == "oauth"


def test_a_resource_proof_whose_ath_is_not_the_tokens_hash_connects_nothing(persona_api, browser, character,
                                                                          server, monkeypatch):
    back = consent(persona_api, character, server)
    _spoil_proof(monkeypatch, token="some-other-token")

    response = browser.get(CALLBACK, back, follow=True)

    assert not PlatformAccount.objects.exists()
    assert "DPoP ath mismatch" in response.content.decode()


def test_the_callback_page_shows_the_refusal(persona_api, browser, character, server):
    back = consent(persona_api, character, server)

    response = browser.get(CALLBACK, {**back, "iss": "https://evil.example"}, follow=True)

    assert "not the Bluesky server this connection started with" in response.content.decode()
    assert not PlatformAccount.objects.exists()


def test_a_post_is_published_through_dpop_bound_requests(persona_api, browser, character, server):
    account = connected(persona_api, browser, character, server)
    server.pds_nonce = "pds-nonce-2"  # the connector must pick up the PDS's new nonce

    published = accounts.ready_connector(account).publish(
        PublishRequest(text="Sunrise miles. #trailrunning", idempotency_key="post-1"))

    assert [post["value"]["text"] for post in server.posts()] == ["Sunrise miles. #trailrunning"]
    assert published.platform_post_id == server.posts()[0]["uri"]
    create = server.calls("/xrpc/com.atproto.repo.createRecord")[-1]
    token = decrypt_json(account.credentials_encrypted)["access_token"]
    proof = claims_of(create.headers["dpop"])
    assert create.headers["authorization"] == f"DPoP {token}" and proof["nonce"] == "pds-nonce-2"
    assert proof["htm"] == "POST" and proof["htu"] == f"{server.url}/xrpc/com.atproto.repo.createRecord"
    assert proof["ath"] == base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()


def test_an_expiring_token_is_refreshed_with_the_refresh_token_before_posting(persona_api, browser, character,
                                                                              server):
    server.access_lifetime = timedelta(minutes=5)  # inside the refresh window
    account = connected(persona_api, browser, character, server)
    old = decrypt_json(account.credentials_encrypted)

    accounts.ready_connector(account).publish(PublishRequest(text="After the refresh.", idempotency_key="post-2"))

    account.refresh_from_db()
    fresh = decrypt_json(account.credentials_encrypted)
    refresh_call = [seen for seen in server.calls("/oauth/token") if seen.form.get("grant_type") == ["refresh_token"]]
    assert refresh_call and refresh_call[-1].form["refresh_token"] == [old["refresh_token"]]
    assert fresh["access_token"] != old["access_token"] and fresh["dpop_key"] == old["dpop_key"]
    assert fresh["handle"] == server.handle and account.token_expires_at is not None
    create = server.calls("/xrpc/com.atproto.repo.createRecord")[-1]
    assert create.headers["authorization"] == f"DPoP {fresh['access_token']}"


def test_a_refused_refresh_puts_the_account_in_error(persona_api, browser, character, server):
    server.access_lifetime = timedelta(minutes=5)
    account = connected(persona_api, browser, character, server)
    server.refresh_tokens.clear()  # revoked

    with pytest.raises(AuthExpired):
        accounts.ready_connector(account)

    account.refresh_from_db()
    assert account.connection_status == "error" and "Invalid refresh token" in account.status_detail


def test_app_password_sessions_still_use_bearer_tokens(owner, character, server):
    account = accounts.connect_account(owner, platform="bluesky", character_id=character.pk, auth_data={
        "auth_type": "api_key", "server_url": server.url, "identifier": server.handle,
        "app_password": server.app_password})

    assert account.auth_type == "api_key"
    assert server.calls("/xrpc/app.bsky.actor.getProfile")[-1].headers["authorization"].startswith("Bearer ")
