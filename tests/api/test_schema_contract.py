"""/api/schema/: each body declared as the one type the view parses, and one rule for operation ids."""

import json
from collections import Counter

import pytest
from django.core.management import call_command

from config.api.schema import OPERATION_ID

METHODS = {"get", "post", "put", "patch", "delete"}
UPLOADS = {"/api/stage", "/api/stage/batch", "/api/stage/room-set", "/api/v1/uploads/direct",
           "/api/floorplan/sessions/{session_id}/rooms/{room_id}/photos/{direction}"}
# A RoomPlan scan comes as the JSON its app exports, or as that file uploaded from a form.
JSON_OR_UPLOAD = {"/api/floorplan/sessions/{session_id}/scans"}


@pytest.fixture(scope="module")
def operations(tmp_path_factory) -> list[tuple[str, str, dict]]:
    path = tmp_path_factory.mktemp("schema") / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    paths = json.loads(path.read_text())["paths"]
    return [(route, method, operation) for route, item in paths.items()
            for method, operation in item.items() if method in METHODS]


def test_json_bodies_are_declared_as_json_only(operations):
    for route, method, operation in operations:
        content = operation.get("requestBody", {}).get("content", {})
        if content and route in JSON_OR_UPLOAD:
            assert list(content) == ["application/json", "multipart/form-data"], route
        elif content and route not in UPLOADS:
            assert list(content) == ["application/json"], f"{method.upper()} {route}: {list(content)}"


def test_uploads_are_declared_as_multipart_only(operations):
    uploads = {route: list(operation["requestBody"]["content"]) for route, method, operation in operations
               if route in UPLOADS and method in ("post", "put")}
    assert uploads == {route: ["multipart/form-data"] for route in UPLOADS}


def test_operation_ids_follow_the_rule(operations):
    wrong = [operation["operationId"] for _, _, operation in operations
             if not OPERATION_ID.match(operation["operationId"])]
    assert wrong == []


def test_operation_ids_are_unique(operations):
    counts = Counter(operation["operationId"] for _, _, operation in operations)
    assert [name for name, count in counts.items() if count > 1] == []


@pytest.mark.django_db
def test_a_json_endpoint_refuses_a_form_body(owner_api):
    response = owner_api.post("/api/v1/products", {"title": "Lamp"}, format="multipart")

    assert response.status_code == 415


@pytest.mark.django_db
def test_an_upload_endpoint_refuses_a_json_body(owner_api):
    response = owner_api.post("/api/v1/uploads/direct", {"product_id": 1}, format="json")

    assert response.status_code == 415
