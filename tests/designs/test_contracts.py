"""The designs API's JSON Schemas (designs/contracts.py and designs/schemas/)."""

import copy
import uuid

import pytest

from config.ai import registry
from config.ai.errors import EngineUnavailable
from designs import contracts, physics, rules
from designs.contracts import ContractViolation


@pytest.fixture
def response(monkeypatch):
    """A generated design assembled into a v2 response as seeds/002 shows it."""
    monkeypatch.setattr(registry, "embedder", lambda: (_ for _ in ()).throw(EngineUnavailable("off")))
    prompt = "Modern electric vehicle with aerodynamic design"
    draft = rules.generate(prompt, style="futuristic", constraints=["maximum 4 seats"])
    checked = physics.check(draft.objects, bounding_box={"width": 50.0, "height": 20.0, "depth": 50.0,
                                                          "units": "meters"})
    spec_id = str(uuid.uuid4())
    return {
        "spec_id": spec_id,
        "spec_json": {
            "spec_id": spec_id,
            "objects": checked.objects,
            "scene": {"name": draft.name, "description": prompt, "total_objects": len(checked.objects),
                      "bounding_box": checked.bounding_box},
            "version": {"version": "1.0", "created_at": "2024-01-15T10:30:00Z",
                        "modified_at": "2024-01-15T10:30:00Z", "author": "system"},
            "metadata": {
                "original_spec": {"design_type": draft.design_type, "category": draft.category,
                                  "materials": [{"type": name} for name in draft.materials],
                                  "features": draft.features},
                "generation_method": "rule_based", "style": "futuristic",
                "constraints": ["maximum 4 seats"],
            },
        },
        "preview_url": f"/preview/{spec_id}",
        "created_at": "2024-01-15T10:30:00Z",
        "processing_time": 0.012,
    }


def test_a_generated_spec_in_a_v2_response_is_valid(response):
    contracts.validate("generate_v2.response", response)
    contracts.validate("spec", response["spec_json"])


@pytest.mark.parametrize(
    ("breakage", "path"),
    [
        (lambda r: r.pop("spec_id"), "(root)"),
        (lambda r: r["spec_json"].update(spec_id="not-a-uuid"), "spec_json.spec_id"),
        (lambda r: r["spec_json"]["objects"][0].update(id="wheel"), "spec_json.objects.0.id"),
        (lambda r: r["spec_json"]["objects"][0]["dimensions"].update(units="cm"), "spec_json.objects.0.dimensions"),
        (lambda r: r["spec_json"]["objects"][0]["dimensions"].update(width=0), "spec_json.objects.0.dimensions"),
        (lambda r: r["spec_json"]["objects"][0]["position"].update(y=-1.0), "spec_json.objects.0.position.y"),
        (lambda r: r["spec_json"]["objects"][0].pop("editable"), "spec_json.objects.0"),
        (lambda r: r["spec_json"]["objects"][0]["properties"].update(design_type="spaceship"),
         "spec_json.objects.0.properties.design_type"),
        (lambda r: r["spec_json"]["metadata"].update(generation_method="magic"), "spec_json.metadata"),
        (lambda r: r["spec_json"]["version"].update(created_at="yesterday"), "spec_json.version.created_at"),
        (lambda r: r["spec_json"].update(objects=[]), "spec_json.objects"),
        (lambda r: r.update(processing_time=-1), "processing_time"),
    ],
)
def test_a_broken_v2_response_is_not_valid(response, breakage, path):
    broken = copy.deepcopy(response)
    breakage(broken)

    with pytest.raises(ContractViolation) as caught:
        contracts.validate("generate_v2.response", broken)

    assert any(error.startswith(path) for error in caught.value.errors), caught.value.errors


def test_the_documents_error_bodies_are_valid_and_unknown_codes_are_not():
    for code in ("VALIDATION_ERROR", "AUTHENTICATION_ERROR", "RATE_LIMIT_ERROR", "INTERNAL_ERROR", "NOT_FOUND"):
        contracts.validate("error", {"detail": "Invalid request format", "error_code": code,
                                     "timestamp": "2024-01-15T10:30:00Z"})

    assert contracts.errors("error", {"detail": "x", "error_code": "TEAPOT", "timestamp": "2024-01-15T10:30:00Z"})


def test_the_v1_response_carries_the_original_spec_with_dimensions():
    body = {"spec": {"design_type": "vehicle", "category": "car", "materials": [{"type": "steel"}],
                     "features": ["electric"],
                     "dimensions": {"width": 4.6, "height": 1.45, "depth": 1.8, "units": "meters"}},
            "success": True, "message": "Generated"}

    contracts.validate("generate_v1.response", body)
    assert contracts.errors("generate_v1.response", {**body, "success": False})
    del body["spec"]["dimensions"]
    assert contracts.errors("generate_v1.response", body)


def test_schemas_are_loaded_once():
    assert contracts.load_schema("spec") is contracts.load_schema("spec")
    assert contracts.load_schema("spec")["$schema"] == "https://json-schema.org/draft/2020-12/schema"
