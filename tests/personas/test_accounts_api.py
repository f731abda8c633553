"""/api/v1/platforms: connect (official APIs only), list, status, disconnect, sync; credentials stay secret."""

import pytest

from personas.models import PersonaEvent, PlatformAccount
from tests.personas.factories import CharacterFactory
from tests.personas.standins import (  # noqa: F401
    bluesky_auth,
    bluesky_fixture,
    connect,
    error_of,
    mastodon_auth,
    mastodon_fixture,
)

pytestmark = pytest.mark.django_db


def post_connect(client, platform, character, auth_data):
    return client.post(f"/api/v1/platforms/{platform}/connect",
                       {"character_id": str(character.pk), "auth_data": auth_data}, format="json")


def test_connecting_mastodon_verifies_the_token_and_answers_201(owner_api, owner, character, mastodon):
    response = post_connect(owner_api, "mastodon", character, mastodon_auth(mastodon))
    assert response.status_code == 201
    body = response.json()
    account = PlatformAccount.objects.get()
    assert body["message"] == "Platform connected successfully"
    assert body["data"] == {"account_id": str(account.pk), "platform": "mastodon", "connection_status": "connected",
                            "account_username": "ava"}
    assert mastodon.paths() == ["GET /api/v1/accounts/verify_credentials"]
    assert account.follower_count == 42 and account.server_url == mastodon.url
    assert PersonaEvent.objects.get(owner=owner).type == "account_connected"


def test_credentials_are_stored_encrypted_and_never_answered(owner_api, character, mastodon, bluesky):
    post_connect(owner_api, "mastodon", character, mastodon_auth(mastodon))
    post_connect(owner_api, "bluesky", character, bluesky_auth(bluesky))
    stored = " ".join(PlatformAccount.objects.values_list("credentials_encrypted", flat=True))
    secrets = [mastodon.token, bluesky.app_password, bluesky.access_jwt, bluesky.refresh_jwt]
    assert all(secret not in stored for secret in secrets)
    answers = [owner_api.get("/api/v1/platforms/accounts").content.decode()]
    for account in PlatformAccount.objects.all():
        answers.append(owner_api.get(f"/api/v1/platforms/accounts/{account.pk}/status").content.decode())
    assert all(secret not in answer for secret in secrets for answer in answers)
    assert "credentials" not in "".join(answers)


@pytest.mark.parametrize("auth_data", [
    {"auth_type": "browser_session", "username": "ava"},
    {"auth_type": "api_key", "username": "ava", "password": "hunter2"},
])
def test_passwords_and_browser_sessions_are_refused(owner_api, character, bluesky, auth_data):
    response = post_connect(owner_api, "bluesky", character, {"server_url": bluesky.url, **auth_data})
    error = error_of(response, 400, "PLATFORM_CONNECTION_FAILED")
    assert "official platform APIs only" in error["message"] and "app password" in error["message"]
    assert bluesky.requests == [] and not PlatformAccount.objects.exists()


def test_an_unknown_platform_is_a_validation_error(owner_api, character):
    error_of(post_connect(owner_api, "myspace", character, {"auth_type": "oauth"}), 400, "VALIDATION_ERROR")


def test_missing_fields_are_a_validation_error(owner_api, character, mastodon):
    response = post_connect(owner_api, "mastodon", character, {"auth_type": "oauth", "server_url": mastodon.url})
    assert error_of(response, 400, "VALIDATION_ERROR")["details"] == {"missing": ["access_token"]}


def test_a_platform_that_connects_by_consent_page_refuses_pasted_tokens(owner_api, character):
    response = post_connect(owner_api, "instagram", character, {"auth_type": "oauth", "access_token": "t"})
    error_of(response, 400, "PLATFORM_CONNECTION_FAILED")


def test_refused_credentials_are_a_400(owner_api, character, bluesky):
    response = post_connect(owner_api, "bluesky", character, {**bluesky_auth(bluesky), "app_password": "nope"})
    error_of(response, 400, "PLATFORM_CONNECTION_FAILED")
    assert not PlatformAccount.objects.exists()


def test_an_unreachable_platform_is_a_503(owner_api, character):
    auth = {"auth_type": "oauth", "server_url": "http://127.0.0.1:9", "access_token": "t"}
    error_of(post_connect(owner_api, "mastodon", character, auth), 503, "PLATFORM_CONNECTION_FAILED")


def test_another_users_character_is_not_found(owner_api, other_user, mastodon):
    stranger = CharacterFactory(owner=other_user, name="Stranger")
    error_of(post_connect(owner_api, "mastodon", stranger, mastodon_auth(mastodon)), 404, "CHARACTER_NOT_FOUND")


def test_the_list_has_the_documented_shape_and_filters(owner_api, owner, other_user, character, mastodon, bluesky):
    masto = connect(owner, character, mastodon)
    connect(owner, character, bluesky)
    stranger = CharacterFactory(owner=other_user, name="Stranger")
    connect(other_user, stranger, mastodon)
    body = owner_api.get("/api/v1/platforms/accounts").json()
    assert body["success"] is True and len(body["data"]["accounts"]) == 2
    row = owner_api.get("/api/v1/platforms/accounts", {"platform": "mastodon"}).json()["data"]["accounts"]
    assert row == [{"id": str(masto.pk), "character_id": str(character.pk), "character_name": character.name,
                    "platform": "mastodon", "account_username": "ava", "account_url": f"{mastodon.url}/@ava",
                    "is_connected": True, "connection_status": "connected", "follower_count": 42,
                    "last_synced_at": None}]
    owner_api.post(f"/api/v1/platforms/accounts/{masto.pk}/disconnect")
    connected = owner_api.get("/api/v1/platforms/accounts", {"is_connected": "true"}).json()["data"]["accounts"]
    assert [a["platform"] for a in connected] == ["bluesky"]
    mine = owner_api.get("/api/v1/platforms/accounts", {"character_id": str(stranger.pk)}).json()["data"]
    assert mine["accounts"] == []


def test_status_shows_the_connection_and_token_expiry(owner_api, owner, character, bluesky):
    account = connect(owner, character, bluesky)
    data = owner_api.get(f"/api/v1/platforms/accounts/{account.pk}/status").json()["data"]
    assert data["connection_status"] == "connected" and data["is_connected"] is True and data["detail"] == ""
    assert data["follower_count"] == 7 and data["token_expires_at"] and data["last_synced_at"] is None


def test_another_users_account_is_not_found(owner_api, other_user, mastodon):
    stranger = CharacterFactory(owner=other_user, name="Stranger")
    account = connect(other_user, stranger, mastodon)
    for method, suffix in (("get", "status"), ("post", "disconnect"), ("post", "sync")):
        response = getattr(owner_api, method)(f"/api/v1/platforms/accounts/{account.pk}/{suffix}")
        error_of(response, 404, "NOT_FOUND")
    error_of(owner_api.get("/api/v1/platforms/accounts/not-a-uuid/status"), 404, "NOT_FOUND")


def test_disconnect_wipes_the_credentials(owner_api, owner, character, mastodon):
    account = connect(owner, character, mastodon)
    response = owner_api.post(f"/api/v1/platforms/accounts/{account.pk}/disconnect")
    assert response.status_code == 200 and response.json()["data"]["connection_status"] == "disconnected"
    account.refresh_from_db()
    assert account.credentials_encrypted == "" and account.connection_status == "disconnected"
    assert PersonaEvent.objects.filter(owner=owner, type="account_disconnected").count() == 1
    error_of(owner_api.post(f"/api/v1/platforms/accounts/{account.pk}/sync"), 400, "PLATFORM_CONNECTION_FAILED")


def test_sync_reads_followers_and_notifications_live(owner_api, owner, character, mastodon):
    account = connect(owner, character, mastodon)
    mastodon.followers_count = 50
    mastodon.notify("follow", account_id="31")
    response = owner_api.post(f"/api/v1/platforms/accounts/{account.pk}/sync")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["follower_count"] == 50 and data["new_actions"] == 1 and data["last_synced_at"]
    assert account.metrics.get().value == 50


def test_a_token_refused_during_sync_puts_the_character_in_error(owner_api, owner, character, mastodon):
    account = connect(owner, character, mastodon)
    mastodon.token = "rotated-by-the-user"
    error_of(owner_api.post(f"/api/v1/platforms/accounts/{account.pk}/sync"), 400, "PLATFORM_CONNECTION_FAILED")
    character.refresh_from_db()
    assert character.status == "error" and "refused" in character.status_reason


def test_the_api_needs_a_signed_in_user(api):
    error_of(api.get("/api/v1/platforms/accounts"), 401, "UNAUTHORIZED")


def test_a_server_that_is_not_mastodon_is_a_400(owner_api, character, mastodon):
    mastodon.fail_next("/api/v1/accounts/verify_credentials", 200, b"<html>Welcome to nginx</html>")
    error = error_of(post_connect(owner_api, "mastodon", character, mastodon_auth(mastodon)), 400,
                     "PLATFORM_CONNECTION_FAILED")
    assert "did not answer like a Mastodon server" in error["message"]
