"""/health and /ready."""

import pytest

pytestmark = pytest.mark.django_db


def test_health_is_always_healthy(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "healthy"}


def test_ready_checks_database_redis_and_storage(client, settings):
    response = client.get("/ready")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"] == "ok" and checks["storage"] == "ok"
    assert checks["redis"] == ("ok" if settings.REDIS_URL else "not used")
    ai = response.json()["ai"]
    assert ai["language_model"] == "not configured" and ai["classic_vision"] == "ready"


def test_ready_is_503_naming_redis_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"] == "error" and body["detail"] == "Unavailable: redis"


def test_ready_is_503_when_storage_is_unwritable(client, settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get("/ready")
    assert response.status_code == 503 and response.json()["checks"]["storage"] == "error"


def test_openapi_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/auth/login" in schema.json()["paths"]
    for page in ("/docs", "/redoc"):
        html = client.get(page).content.decode()
        assert "cdn." not in html and "/static/drf_spectacular_sidecar/" in html
