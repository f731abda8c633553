"""Seed 001 "Authentication": register, login, refresh, me."""

import pytest

from config.accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def register(api, **body):
    return api.post("/api/v1/auth/register", {"email": "jane@example.com", "password": "securepass123",
                                              "full_name": "Jane Doe", **body}, format="json")


def test_register_creates_an_active_user_and_answers_201(api):
    response = register(api)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "full_name", "is_active", "created_at"}
    assert body["email"] == "jane@example.com" and body["is_active"] is True
    assert User.objects.get(email="jane@example.com").check_password("securepass123")


def test_register_with_a_taken_email_is_409(api, owner):
    response = register(api, email=owner.email.upper())
    assert response.status_code == 409
    assert response.json() == {"detail": "A user with this email already exists."}


@pytest.mark.parametrize("body", [{"password": "short"}, {"email": "not-an-email"}, {"password": "12345678901"},
                                  {"email": ""}])
def test_register_validation_errors_are_422_with_detail(api, body):
    response = register(api, **body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)


def test_malformed_json_is_400(api):
    response = api.post("/api/v1/auth/register", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_login_returns_a_bearer_token_pair(api, owner):
    response = api.post("/api/v1/auth/login", {"email": owner.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["access_token"] and body["refresh_token"]


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_login_with_bad_credentials_is_401(api, owner, password):
    response = api.post("/api/v1/auth/login", {"email": owner.email, "password": password}, format="json")
    assert response.status_code == 401 if password else 422


def test_login_of_a_disabled_account_is_401(api, owner):
    owner.is_active = False
    owner.save()
    response = api.post("/api/v1/auth/login", {"email": owner.email, "password": PASSWORD}, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid email or password, or account disabled."}


def test_me_returns_the_profile_with_an_access_token(api, owner, jwt_for):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")
    response = api.get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json()["email"] == owner.email


def test_me_refuses_a_user_deactivated_after_a_request_with_the_same_token(api, owner, jwt_for):
    # Guards any cache of the token's user: deactivation counts from the next request.
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")
    assert api.get("/api/v1/auth/me").status_code == 200
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert api.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize("header", ["", "Bearer not-a-jwt", "Basic abc"])
def test_me_without_a_valid_token_is_401(api, header):
    if header:
        api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_refresh_rotates_and_a_reused_refresh_token_is_refused(api, owner):
    tokens = api.post("/api/v1/auth/login", {"email": owner.email, "password": PASSWORD}, format="json").json()
    first = api.post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json")
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    reuse = api.post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json")
    assert reuse.status_code == 401
    assert reuse.json() == {"detail": "Invalid or expired refresh token."}
    again = api.post("/api/v1/auth/refresh", {"refresh_token": rotated["refresh_token"]}, format="json")
    assert again.status_code == 200


def test_refresh_with_garbage_is_401(api):
    response = api.post("/api/v1/auth/refresh", {"refresh_token": "garbage"}, format="json")
    assert response.status_code == 401


def test_an_access_token_is_not_a_refresh_token(api, owner, jwt_for):
    response = api.post("/api/v1/auth/refresh", {"refresh_token": jwt_for(owner)}, format="json")
    assert response.status_code == 401


def test_token_lifetimes_are_15_minutes_and_30_days(settings):
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds() == 15 * 60
    assert settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].days == 30
