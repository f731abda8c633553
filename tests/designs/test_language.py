"""The language-model path: strict schema in the request, repair, fallback, physics on the answer.

Stand-in OpenAI-compatible and Anthropic servers check the request shapes the
real APIs document. Generation runs as a job, executed in-process here.
"""

import copy
import json

import pytest

from designs.contracts import validate
from designs.language import draft_schema
from designs.models import DesignRequest, DesignVersion
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db(transaction=True)

V2 = "/api/v1/generate"


def part(object_id, kind, *, x=0.0, y=0.0, z=0.0, w=0.05, h=0.72, d=0.05, color="white", editable=True):
    return {"id": object_id, "type": kind, "material": "oak", "color": color, "solid": True, "editable": editable,
            "position": {"x": x, "y": y, "z": z},
            "dimensions": {"width": w, "height": h, "depth": d, "units": "meters"},
            "properties": [{"key": "finish", "value": "matte"}]}


def table(**top) -> dict:
    legs = [part(f"obj_00{i + 2}", "leg", x=x, z=z) for i, (x, z) in
            enumerate([(-0.85, -0.4), (0.85, -0.4), (-0.85, 0.4), (0.85, 0.4)])]
    return {"name": "Oak dining table", "design_type": "furniture", "category": "table", "materials": ["oak"],
            "features": ["dining"],
            "objects": [part("obj_001", "table_top", y=0.72, w=1.8, h=0.04, d=0.9, color="tan", **top), *legs]}


def strict(schema: dict) -> None:
    """OpenAI strict mode: every object closes its properties and requires all of them."""
    if schema.get("type") == "object":
        assert schema["additionalProperties"] is False
        assert sorted(schema["required"]) == sorted(schema["properties"])
        for child in schema["properties"].values():
            strict(child)
    if schema.get("type") == "array":
        strict(schema["items"])


@pytest.fixture
def model(openai_stand_in, settings, inline_jobs):
    settings.AI_LLM_TIMEOUT = 5.0
    return openai_stand_in


def generate(designer, prompt="oak dining table for six, 1.8 m long, white legs", **extra):
    return designer.post(V2, {"prompt": prompt, **extra}, format="json")


def test_the_request_carries_the_strict_schema_and_the_answer_is_used(designer, model):
    model.reply(openai_chat_reply(table()))

    response = generate(designer)

    assert response.status_code == 200, response.content
    sent = model.requests[0]
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer test-key"
    response_format = sent.body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    assert response_format["json_schema"]["schema"] == draft_schema()
    strict(response_format["json_schema"]["schema"])
    assert "oak dining table" in sent.body["messages"][-1]["content"]
    body = response.json()
    validate("generate_v2.response", body)
    spec = body["spec_json"]
    assert spec["metadata"]["generation_method"] == "lm_adapter"
    assert spec["metadata"]["model"] == "openai:vision-test"
    top = spec["objects"][0]
    assert top["properties"] == {"finish": "matte", "design_type": "furniture", "features": ["dining"],
                                 "color": "tan", "solid": True}
    version = DesignVersion.objects.get()
    assert (version.generator, version.input_tokens, version.output_tokens, version.repairs) == (
        "lm_adapter", 900, 120, 0)
    assert version.job.status == "completed"
    audit = DesignRequest.objects.get()  # written once, after the job, not again by the view
    assert (audit.status_code, audit.spec_id, audit.version_label) == (200, version.spec_id, "1.0")


def test_invalid_json_is_repaired_once(designer, model):
    broken = openai_chat_reply({})
    broken["choices"][0]["message"]["content"] = "{not json"
    model.reply(broken)
    model.reply(openai_chat_reply(table()))

    response = generate(designer)

    assert response.status_code == 200
    assert response.json()["spec_json"]["metadata"]["generation_method"] == "lm_adapter"
    repair = model.requests[1].body["messages"]
    assert repair[-2] == {"role": "assistant", "content": "{not json"}
    assert "could not be used" in repair[-1]["content"]
    assert DesignVersion.objects.get().repairs == 1


def test_twice_invalid_falls_back_to_the_rules_with_the_reason(designer, model):
    model.reply(openai_chat_reply({"name": "missing everything"}))
    model.reply(openai_chat_reply({"name": "still missing"}))

    response = generate(designer)

    assert response.status_code == 200
    metadata = response.json()["spec_json"]["metadata"]
    assert metadata["generation_method"] == "rule_based"
    assert "invalid output twice" in metadata["fallback_reason"]
    validate("generate_v2.response", response.json())


def test_twice_invalid_without_fallback_is_500(designer, model, settings, owner):
    settings.DESIGNS_FALLBACK_TO_RULES = False
    model.reply(openai_chat_reply({"name": "x"}))
    model.reply(openai_chat_reply({"name": "y"}))

    response = generate(designer)

    assert response.status_code == 500
    body = response.json()
    validate("error", body)
    assert body["error_code"] == "INTERNAL_ERROR"
    assert body["detail"].startswith("LM inference failed: ")
    assert "vision-test" in body["detail"] and "127.0.0.1" not in body["detail"]
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0  # refunded with the failed job
    audit = DesignRequest.objects.get()
    assert (audit.status_code, audit.error_code, audit.spec_id) == (500, "INTERNAL_ERROR", None)


def test_an_unreachable_model_without_fallback_is_500(designer, settings, inline_jobs, owner):
    settings.DESIGNS_FALLBACK_TO_RULES = False
    settings.AI_LLM_PROVIDER, settings.AI_LLM_MODEL = "openai", "m"
    settings.AI_LLM_BASE_URL, settings.AI_LLM_MAX_RETRIES, settings.AI_LLM_TIMEOUT = "http://127.0.0.1:9/v1", 0, 2.0

    response = generate(designer)

    assert response.status_code == 500
    assert response.json()["detail"].startswith("LM inference failed: ")


def test_small_faults_in_the_answer_are_corrected_and_listed(designer, model):
    answer = table()
    answer["objects"][1]["position"]["y"] = -0.01  # a leg sunk 1 cm into the floor
    answer["objects"][1]["dimensions"]["height"] = -0.72  # and its height negative
    model.reply(openai_chat_reply(answer))

    response = generate(designer)

    spec = response.json()["spec_json"]
    assert spec["metadata"]["generation_method"] == "lm_adapter"
    leg = next(obj for obj in spec["objects"] if obj["id"] == "obj_002")
    assert leg["position"]["y"] >= 0 and leg["dimensions"]["height"] == 0.72
    assert any("obj_002" in line for line in spec["metadata"]["corrections"])


def test_an_impossible_answer_is_rejected_and_the_rules_answer(designer, model):
    answer = table()
    answer["objects"][2] = part("obj_003", "leg", x=0.0, y=0.5, w=1.0, h=0.5, d=0.5)  # half inside the top
    model.reply(openai_chat_reply(answer))

    metadata = generate(designer).json()["spec_json"]["metadata"]

    assert metadata["generation_method"] == "rule_based"
    assert "physically impossible" in metadata["fallback_reason"]


def test_an_edit_sends_the_previous_version_and_keeps_ids(designer, model):
    model.reply(openai_chat_reply(table()))
    first = generate(designer).json()
    edited = table()
    for obj in edited["objects"][1:]:
        obj["color"] = "black"
    chair = part("obj_002", "chair", x=0.0, z=1.0, w=0.45, h=0.9, d=0.45)  # reuses an id: must be renumbered
    edited["objects"].append(chair)
    model.reply(openai_chat_reply(edited))

    response = generate(designer, "legs black, add a chair", context={"spec_id": first["spec_id"]})

    assert response.status_code == 200, response.content
    assert "Previous version" in model.requests[1].body["messages"][-1]["content"]
    objects = response.json()["spec_json"]["objects"]
    ids = [obj["id"] for obj in objects]
    assert len(ids) == len(set(ids)) == 6
    assert ids[:5] == ["obj_001", "obj_002", "obj_003", "obj_004", "obj_005"]
    version = DesignVersion.objects.get(minor=1)
    assert version.diff["added"] == [ids[5]]
    assert {change["id"] for change in version.diff["changed"]} == {"obj_002", "obj_003", "obj_004", "obj_005"}


def test_anthropic_gets_the_schema_as_a_forced_tool(designer, stand_in, settings, inline_jobs):
    settings.AI_LLM_PROVIDER, settings.AI_LLM_MODEL = "anthropic", "claude-test"
    settings.AI_LLM_BASE_URL, settings.AI_LLM_API_KEY, settings.AI_LLM_MAX_RETRIES = stand_in.url, "sk-test", 0
    stand_in.reply({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
                    "content": [{"type": "tool_use", "id": "toolu_1", "name": "design_spec", "input": table()}],
                    "stop_reason": "tool_use", "stop_sequence": None,
                    "usage": {"input_tokens": 50, "output_tokens": 40}})

    response = generate(designer)

    assert response.status_code == 200, response.content
    sent = stand_in.requests[0]
    assert sent.path == "/v1/messages"
    assert "anthropic-version" in sent.headers
    assert sent.body["tools"][0]["input_schema"] == draft_schema()
    assert sent.body["tool_choice"] == {"type": "tool", "name": "design_spec"}
    assert response.json()["spec_json"]["metadata"]["model"] == "anthropic:claude-test"


def test_objects_marked_not_editable_survive_an_edit_untouched(designer, model):
    locked = table()
    locked["objects"][0]["editable"] = False
    model.reply(openai_chat_reply(locked))
    first = generate(designer).json()
    changed = copy.deepcopy(locked)
    changed["objects"][0]["color"] = "red"
    model.reply(openai_chat_reply(changed))

    second = generate(designer, "make the top red", context={"spec_id": first["spec_id"]}).json()

    before = json.dumps(first["spec_json"]["objects"][0], sort_keys=True)
    assert json.dumps(second["spec_json"]["objects"][0], sort_keys=True) == before


def test_a_broker_that_refuses_the_task_answers_at_once(designer, openai_stand_in, monkeypatch, owner):
    from config.jobs import services as jobs

    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(jobs, "async_task", refuse)

    response = generate(designer)

    assert response.status_code == 500
    assert response.json()["detail"] == "LM inference failed: the task queue is unavailable."
    assert openai_stand_in.requests == []
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0  # the cancelled job's unit is refunded
