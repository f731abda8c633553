"""API keys over REST: list, create (shown once), revoke; and key authentication."""

import pytest

from config.accounts import services
from config.accounts.models import APIKey

pytestmark = pytest.mark.django_db


def test_created_key_is_shown_once_and_stored_only_as_a_hash(owner_api, owner):
    response = owner_api.post("/api/v1/auth/api-keys", {"name": "CRM"}, format="json")
    assert response.status_code == 201
    raw = response.json()["key"]
    assert raw.startswith("sc_") and len(raw) > 40
    stored = APIKey.objects.get(owner=owner)
    assert stored.key_hash == APIKey.hash(raw) and raw not in stored.key_hash
    listing = owner_api.get("/api/v1/auth/api-keys").json()
    assert listing[0]["prefix"] == stored.prefix and listing[0]["name"] == "CRM"
    assert "key" not in listing[0] and "key_hash" not in listing[0]


def test_keys_have_enough_entropy_to_never_repeat(owner):
    raws = {services.create_api_key(owner, name="k")[1] for _ in range(20)}
    assert len(raws) == 20


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
def test_a_key_authenticates_until_it_is_revoked(api, owner, header):
    key, raw = services.create_api_key(owner, name="k")
    api.credentials(**{header: f"Bearer {raw}" if header == "HTTP_AUTHORIZATION" else raw})
    assert api.get("/api/v1/auth/me").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    services.revoke_api_key(owner, key_id=key.pk)
    response = api.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "This API key has been revoked."}


def test_delete_over_rest_revokes_at_once(owner_api, api, owner):
    key, raw = services.create_api_key(owner, name="k")
    assert owner_api.delete(f"/api/v1/auth/api-keys/{key.pk}").status_code == 204
    api.credentials(HTTP_X_API_KEY=raw)
    assert api.get("/api/v1/auth/me").status_code == 401
    assert owner_api.get("/api/v1/auth/api-keys").json() == []


def test_another_users_key_is_404(owner_api, other_user):
    key, _ = services.create_api_key(other_user, name="theirs")
    assert owner_api.delete(f"/api/v1/auth/api-keys/{key.pk}").status_code == 404
    key.refresh_from_db()
    assert key.is_active


def test_a_forged_key_with_a_real_prefix_is_refused(api, owner):
    _key, raw = services.create_api_key(owner, name="k")
    api.credentials(HTTP_X_API_KEY=raw[:-4] + "AAAA")
    assert api.get("/api/v1/auth/me").status_code == 401


def test_regenerate_revokes_the_old_key_and_keeps_the_name(owner, api):
    key, old_raw = services.create_api_key(owner, name="CRM")
    new_key, new_raw = services.regenerate_api_key(owner, key_id=key.pk)
    assert new_key.name == "CRM" and new_raw != old_raw
    api.credentials(HTTP_X_API_KEY=old_raw)
    assert api.get("/api/v1/auth/me").status_code == 401
    api.credentials(HTTP_X_API_KEY=new_raw)
    assert api.get("/api/v1/auth/me").status_code == 200


def test_key_management_needs_a_login(api):
    assert api.get("/api/v1/auth/api-keys").status_code == 401
