"""Design drafts from the configured language model, held to a strict JSON Schema.

The model answers ``schemas/llm_draft.schema.json``; the base class validates
the answer and asks once for a repair (Ollama may ignore ``format``), then
raises ``EngineOutputInvalid``. Object ``properties`` come back as key/value
pairs and become the document's open map here.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from config.ai import registry
from config.ai.llm.base import LLMRequest, Message
from config.ai.usage import CallRecord
from designs.rules import Classification, Draft

SCHEMA_PATH = Path(__file__).with_name("schemas") / "llm_draft.schema.json"
SCHEMA_NAME = "design_spec"
MAX_TOKENS = 4096

SYSTEM = """You design physical objects as structured 3D specifications.
Answer only with the JSON the schema describes. Conventions:
- every size in metres; position is the centre of the object's base; y points up; the ground is y = 0;
- objects are boxes: one spans x +- width/2, y .. y + height, z +- depth/2;
- solid objects must not overlap (touching is fine) and nothing goes below the ground;
- ids look like obj_001 and are unique;
- colours are CSS colour names or #rrggbb.
When a previous version is given, change only what the request asks: keep every object's id, copy objects marked
editable=false exactly, and give new objects new ids."""


@dataclass(frozen=True)
class ModelDraft:
    draft: Draft
    usage: CallRecord
    # Extra requests beyond the first: the repair round trip and transient retries.
    repairs: int


# Annotations for the repo's own validators; providers' strict modes accept only the schema proper.
ANNOTATIONS = ("$schema", "$id", "$comment")


@cache
def draft_schema() -> dict:
    """The schema sent to the model: ``schemas/llm_draft.schema.json`` without its annotations."""
    schema = json.loads(SCHEMA_PATH.read_text())
    return {key: value for key, value in schema.items() if key not in ANNOTATIONS}


def draft_with_model(prompt: str, *, style: str, constraints: list[str], context: dict,
                     classification: Classification | None, previous_spec: dict | None) -> ModelDraft:
    """Ask the configured model for a draft.

    Raises ``EngineUnavailable`` (no model, unreachable, timed out) and
    ``EngineOutputInvalid`` (invalid twice); the caller falls back or fails.
    """
    model = registry.language_model()
    request = LLMRequest(
        messages=(Message("user", _request_text(prompt, style, constraints, context, classification, previous_spec)),),
        system=SYSTEM, schema=draft_schema(), schema_name=SCHEMA_NAME, max_tokens=MAX_TOKENS,
    )
    result = model.complete(request)
    return ModelDraft(draft=_draft(result.data), usage=result.usage, repairs=max(0, result.usage.attempts - 1))


def _request_text(prompt: str, style: str, constraints: list[str], context: dict,
                  classification: Classification | None, previous_spec: dict | None) -> str:
    parts = [f"Request: {prompt}"]
    if style:
        parts.append(f"Style: {style}")
    if constraints:
        parts.append("Constraints:\n" + "\n".join(f"- {item}" for item in constraints))
    extra = {key: value for key, value in context.items() if key != "spec_id"}
    if extra:
        parts.append(f"Context: {json.dumps(extra, ensure_ascii=False, sort_keys=True)}")
    if classification is not None:
        parts.append(f"Recognised as: {classification.design_type} / {classification.category}")
    if previous_spec is not None:
        previous = {"objects": previous_spec["objects"],
                    "design_type": previous_spec["metadata"]["original_spec"]["design_type"],
                    "category": previous_spec["metadata"]["original_spec"]["category"]}
        parts.append(f"Previous version (edit it):\n{json.dumps(previous, ensure_ascii=False)}")
    return "\n\n".join(parts)


def _draft(data: dict) -> Draft:
    objects = []
    for item in data["objects"]:
        properties = {pair["key"]: pair["value"] for pair in item["properties"]}
        properties.update(design_type=data["design_type"], features=list(data["features"]), color=item["color"],
                          solid=item["solid"])
        objects.append({
            "id": item["id"], "type": item["type"], "material": item["material"],
            "position": dict(item["position"]), "dimensions": dict(item["dimensions"]),
            "editable": item["editable"], "properties": properties,
        })
    return Draft(design_type=data["design_type"], category=data["category"], name=data["name"], objects=objects,
                 materials=list(data["materials"]), features=list(data["features"]), classifier="language_model",
                 notes=[])
