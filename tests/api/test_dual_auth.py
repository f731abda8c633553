"""The designs' "key and JWT" authentication, on a probe view."""

import pytest
from django.test import override_settings
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.accounts import services
from config.api import envelopes
from config.api.authentication import APIKeyAndJWTAuthentication


class Probe(APIView):
    authentication_classes = [APIKeyAndJWTAuthentication]
    error_envelope = envelopes.DESIGNS

    def get(self, request):
        return Response({"user": request.user.email})


urlpatterns = [path("probe", Probe.as_view())]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_key_and_jwt_of_the_same_user_pass(api, owner, jwt_for):
    _, raw = services.create_api_key(owner, name="k")
    api.credentials(HTTP_X_API_KEY=raw, HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")
    assert api.get("/probe").json() == {"user": owner.email}


def test_key_alone_is_refused_in_the_designs_envelope(api, owner):
    _, raw = services.create_api_key(owner, name="k")
    api.credentials(HTTP_X_API_KEY=raw)
    response = api.get("/probe")
    assert response.status_code == 401
    body = response.json()
    assert body["error_code"] == "AUTHENTICATION_ERROR" and "timestamp" in body
    assert "Authorization: Bearer" in body["detail"]


def test_jwt_alone_is_refused_with_the_documented_message(api, owner, jwt_for):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")
    response = api.get("/probe")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or missing API key. Include X-API-Key header."


def test_key_and_jwt_of_two_users_are_refused(api, owner, other_user, jwt_for):
    _, raw = services.create_api_key(owner, name="k")
    api.credentials(HTTP_X_API_KEY=raw, HTTP_AUTHORIZATION=f"Bearer {jwt_for(other_user)}")
    assert api.get("/probe").status_code == 401


def test_a_revoked_key_fails_even_with_a_good_jwt(api, owner, jwt_for):
    key, raw = services.create_api_key(owner, name="k")
    services.revoke_api_key(owner, key_id=key.pk)
    api.credentials(HTTP_X_API_KEY=raw, HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")
    assert api.get("/probe").status_code == 401


@override_settings(DESIGNS_REQUIRE_KEY_AND_JWT=False)
def test_the_setting_relaxes_to_either_one(api, owner, jwt_for):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")
    assert api.get("/probe").status_code == 200
