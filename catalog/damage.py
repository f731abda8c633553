"""Visible damage to the product itself, found by the configured language model looking at the photo.

The analysis' ``defects`` are photo problems measured from the pixels (blur,
exposure, resolution, busy background, cropping): they say nothing about the
product. Damage (a scratch, a dent, a tear) needs eyes on what the photo shows,
so it is asked of a language model with vision, and only when one is
configured. Each finding is kept apart from the photo problems and carries its
source (``language_model``) and the model that reported it; the model gives no
calibrated confidence, so none is reported. Without a model there are no
findings, never invented ones.
"""

from dataclasses import dataclass

from PIL import Image

from catalog.describe import photo_input
from config.ai import registry
from config.ai.llm.base import LLMRequest, Message

SOURCE = "language_model"
DAMAGE_TYPES = ["scratch", "dent", "crack", "chip", "stain", "tear", "discoloration", "missing_part", "other"]
SEVERITIES = ["low", "medium", "high"]

# Strict-mode JSON Schema (every property required, no others), as describe's.
DAMAGE_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "damage_type": {"type": "string", "enum": DAMAGE_TYPES},
                    "severity": {"type": "string", "enum": SEVERITIES},
                    "description": {"type": "string"},
                },
                "required": ["damage_type", "severity", "description"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["findings"],
    "additionalProperties": False,
}

SYSTEM_PROMPT = """You inspect one product photo for physical damage to the product itself:
scratches, dents, cracks, chips, stains, tears, discoloration or missing parts.
Report only damage you can see on the product. Do not report photo problems (blur, lighting,
background, framing, resolution): they are not damage. If you see no damage, answer an empty list.
Answer with JSON only: findings, each with damage_type, severity (low, medium, high) and a
one-sentence description saying where on the product the damage is."""


@dataclass(frozen=True)
class DamageFinding:
    damage_type: str
    severity: str
    description: str


@dataclass(frozen=True)
class DamageReport:
    """What the model saw (possibly nothing), which model it was, and what the call cost."""

    findings: list[DamageFinding]
    model: str
    usage: dict


def find_damage(image: Image.Image) -> DamageReport:
    """Ask the configured language model for visible damage to the product in ``image``.

    Raises ``EngineUnavailable`` when no language model is configured or it cannot be
    reached, and ``EngineOutputInvalid`` when the answer does not fit the schema.
    """
    model = registry.language_model()
    result = model.complete(LLMRequest(
        system=SYSTEM_PROMPT,
        messages=(Message("user", text="Inspect this product photo for damage.", images=(photo_input(image),)),),
        schema=DAMAGE_SCHEMA, schema_name="product_damage", max_tokens=600, temperature=0.0,
    ))
    findings = [DamageFinding(item["damage_type"], item["severity"], " ".join(item["description"].split()))
                for item in result.data["findings"]]
    return DamageReport(findings=findings, model=result.usage.model, usage=result.usage.as_dict())
