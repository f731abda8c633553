"""The OpenAPI schema documents every floor plan answer with its real shape."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema: dict, node: dict) -> dict:
    """The component a (possibly nullable) reference points to."""
    while "$ref" in node or "allOf" in node or "oneOf" in node:
        if "$ref" not in node:
            node = next(part for part in node.get("allOf") or node["oneOf"] if "$ref" in part)
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def floorplan_answers(schema: dict):
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/floorplan/"):
            continue
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith("2"):
                    yield f"{method.upper()} {path} {status}", response


def test_every_success_answer_has_a_named_schema_with_properties(schema):
    answers = dict(floorplan_answers(schema))
    assert len(answers) == 20
    for name, response in answers.items():
        for content_type, body in response["content"].items():
            if content_type != "application/json":
                assert body["schema"] == {"type": "string", "format": "binary"}, name  # the exports
                continue
            assert "$ref" in body["schema"], name
            assert resolve(schema, body["schema"])["properties"], name


def test_the_session_answer_documents_rooms_analysis_and_house_bounds(schema):
    session = schema["components"]["schemas"]["Session"]["properties"]
    room = resolve(schema, session["rooms"]["items"])["properties"]
    analysis = resolve(schema, room["analysis"])
    assert {"dimensions", "walls", "shape", "ceilingHeight", "referenceObject"} <= set(analysis["properties"])
    assert "satelliteImageUrl" in resolve(schema, session["houseBounds"])["properties"]
    assert set(resolve(schema, session["satelliteStatus"])["enum"]) >= {"processing", "done", "failed"}


def test_the_export_documents_its_scale_paper_and_dpi_choices(schema):
    operation = schema["paths"]["/api/floorplan/sessions/{session_id}/export/{export_format}"]["get"]
    enums = {param["name"]: set(param["schema"].get("enum") or ()) for param in operation["parameters"]}
    assert enums["scale"] == {"quarter", "eighth"} and enums["paper"] == {"letter", "tabloid"}
    assert enums["export_format"] == {"svg", "dxf", "pdf", "png", "ifc"}
    dpi = next(param for param in operation["parameters"] if param["name"] == "dpi")
    assert dpi["schema"]["type"] == "integer" and "72 to 600" in dpi["description"]


def test_the_scan_import_documents_both_bodies_its_rooms_and_refusals(schema):
    operation = schema["paths"]["/api/floorplan/sessions/{session_id}/scans"]["post"]
    bodies = operation["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(bodies)
    assert set(resolve(schema, bodies["application/json"]["schema"])["properties"]) == {"type", "label", "scan"}
    assert set(resolve(schema, bodies["multipart/form-data"]["schema"])["properties"]) == {"type", "label", "file"}
    rooms = resolve(schema, operation["responses"]["201"]["content"]["application/json"]["schema"])["properties"]
    room = resolve(schema, rooms["rooms"]["items"])["properties"]
    assert "lidar" in resolve(schema, room["analysisSource"])["enum"]
    assert "UNSUPPORTED_SCAN_SHAPE" in operation["responses"]["400"]["description"]
    assert "SCAN_TOO_LARGE" in operation["responses"]["413"]["description"]
