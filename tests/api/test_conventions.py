"""config/api: request ids, the five envelopes, 500s, rate limits, pagination."""

import pytest
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import envelopes
from config.api.pagination import limit_params, page_params
from config.api.ratelimit import rate_limit
from config.errors import ApplicationError, NotFound, ValidationFailed


class Boom(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("secret internal detail: password=hunter2")


def envelope_view(envelope):
    class View(APIView):
        permission_classes = [AllowAny]
        error_envelope = envelope

        def get(self, request):
            raise NotFound("Nothing here.", details={"id": 7})

    return View.as_view()


class Limited(APIView):
    permission_classes = [AllowAny]

    @rate_limit("auth", key="ip")
    def get(self, request):
        return Response({"ok": True})


class Paged(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        page, size, window = page_params(request.query_params)
        return Response({"page": page, "size": size, "offset": window.offset, "limit": window.limit})


urlpatterns = [
    path("boom", Boom.as_view()),
    path("limited", Limited.as_view()),
    path("paged", Paged.as_view()),
    *[path(f"env/{e.name}", envelope_view(e)) for e in
      (envelopes.DETAIL, envelopes.STAGING, envelopes.DESIGNS, envelopes.PERSONAS, envelopes.FLOORPLANS)],
]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_every_response_has_a_request_id(client):
    response = client.get("/paged")
    assert response["X-Request-ID"].startswith("req_")


def test_a_valid_incoming_request_id_is_echoed(client):
    assert client.get("/paged", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"


def test_an_unsafe_incoming_request_id_is_replaced(client):
    assert client.get("/paged", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"].startswith("req_")


def test_a_crash_is_a_500_that_reveals_nothing(client, caplog):
    response = client.get("/boom")
    assert response.status_code == 500
    assert "hunter2" not in response.content.decode()
    assert response.json() == {"detail": "An internal error occurred."}
    assert "hunter2" in caplog.text  # logged for operators, with the request id
    assert response["X-Request-ID"] in caplog.text


@pytest.mark.parametrize(("name", "expected"), [
    ("detail", {"detail": "Nothing here."}),
    ("staging", {"error": {"code": "NOT_FOUND", "message": "Nothing here.", "details": {"id": 7}}}),
    ("floorplans", {"error": {"code": "NOT_FOUND", "message": "Nothing here.", "details": {"id": 7}}}),
])
def test_envelopes_render_as_their_documents_say(client, name, expected):
    response = client.get(f"/env/{name}")
    assert response.status_code == 404
    body = response.json()
    if name == "staging":
        assert body["error"].pop("request_id") == response["X-Request-ID"]
    assert body == expected


def test_designs_and_personas_envelopes_carry_a_timestamp(client):
    designs = client.get("/env/designs").json()
    assert designs["detail"] == "Nothing here." and designs["error_code"] == "NOT_FOUND" and designs["timestamp"]
    personas = client.get("/env/personas").json()
    assert personas["success"] is False and personas["error"]["code"] == "NOT_FOUND" and personas["timestamp"]


def test_envelopes_translate_platform_codes():
    info = envelopes.ErrorInfo("RATE_LIMITED", "slow down", 429)
    assert envelopes.DESIGNS.render(info)[1]["error_code"] == "RATE_LIMIT_ERROR"
    assert envelopes.STAGING.render(info)[1]["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert envelopes.DETAIL.render(envelopes.ErrorInfo("VALIDATION_ERROR", "bad", 400))[0] == 422


def test_the_n_plus_first_request_is_429_with_headers(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "auth": "3/m"}
    answers = [client.get("/limited") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[0]["X-RateLimit-Limit"] == "3" and answers[0]["X-RateLimit-Remaining"] == "2"
    limited = answers[-1]
    assert int(limited["Retry-After"]) >= 1
    assert limited["X-RateLimit-Remaining"] == "0" and int(limited["X-RateLimit-Reset"]) > 1_600_000_000
    assert limited.json() == {"detail": "Rate limit exceeded."}


def test_limits_come_from_settings_and_can_be_switched_off(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "auth": "1/m"}
    settings.RATELIMIT_ENABLE = False
    assert all(client.get("/limited").status_code == 200 for _ in range(3))


def test_page_params_validate_bounds(client):
    assert client.get("/paged?page=3&page_size=10").json() == {"page": 3, "size": 10, "offset": 20, "limit": 10}
    assert client.get("/paged?page_size=101").status_code == 422
    assert client.get("/paged?page=zero").status_code == 422


def test_limit_params_defaults_and_bounds():
    window = limit_params({})
    assert (window.offset, window.limit) == (0, 20)
    with pytest.raises(ValidationFailed):
        limit_params({"limit": "0"})
    with pytest.raises(ValidationFailed):
        limit_params({"offset": "-1"})


def test_application_error_keeps_code_and_status():
    error = ApplicationError("x", code="CUSTOM", status=418)
    assert (error.code, error.status, error.message) == ("CUSTOM", 418, "x")
