"""Room analysis by a vision language model: the request, the schema, the checks.

The four direction photos (and on a revision the previous analysis, the
agent's feedback and their annotation drawing) go to the configured language
model with a JSON Schema of seed 004's ``analysis`` object. The answer is
schema-checked by the engine, then checked for geometric sense by
``geometry.parse_analysis`` before anything is stored.
"""

import json
from dataclasses import dataclass

from PIL import Image

from config.ai import registry
from config.ai.errors import EngineOutputInvalid, EngineThrottled, EngineUnavailable
from config.ai.llm.base import ImageInput, LanguageModel, LLMRequest, LLMResult, Message
from floorplans.errors import AnalysisFailed
from floorplans.geometry.measures import GeometryError
from floorplans.geometry.parsing import parse_analysis

OPENING = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["door", "window", "closet", "opening"]},
        "position": {"type": "number", "description": "feet from the wall's west end (north/south walls) "
                                                      "or north end (east/west walls) to the opening's near edge"},
        "width": {"type": "number", "description": "feet"},
    },
    "required": ["type", "position", "width"],
    "additionalProperties": False,
}
WALL = {"type": "array", "items": OPENING}
ANALYSIS_SCHEMA = {
    "type": "object",
    "properties": {
        "dimensions": {
            "type": "object",
            "properties": {"width": {"type": "number", "description": "east-west extent, feet"},
                           "height": {"type": "number", "description": "north-south extent, feet"},
                           "confidence": {"type": "number", "minimum": 0, "maximum": 1}},
            "required": ["width", "height", "confidence"],
            "additionalProperties": False,
        },
        "ceilingHeight": {"type": "number"},
        "walls": {
            "type": "object",
            "properties": {"north": WALL, "east": WALL, "south": WALL, "west": WALL},
            "required": ["north", "east", "south", "west"],
            "additionalProperties": False,
        },
        "referenceObject": {
            "type": "object",
            "properties": {"type": {"type": "string"}, "knownSize": {"type": "number"},
                           "scaleFactor": {"type": "number"}},
            "required": ["type", "knownSize", "scaleFactor"],
            "additionalProperties": False,
        },
        "shape": {"type": "string", "enum": ["rectangle", "L-shape"]},
        "changesApplied": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["dimensions", "ceilingHeight", "walls", "referenceObject", "shape", "changesApplied"],
    "additionalProperties": False,
}

SYSTEM = (
    "You measure rooms for residential floor plans from four photos taken from the room's centre facing north, "
    "east, south and west (compass headings given). Estimate dimensions in feet using reference objects of known "
    "size (interior doors are 80 in tall, outlets 12-16 in above the floor, countertops 36 in). List every door, "
    "window, closet and open passage on each wall with its position and width in feet. Positions on the north and "
    "south walls are measured from the west end; on the east and west walls from the north end. On a revision, "
    "apply the agent's corrections and list each change in changesApplied; on a first analysis leave it empty."
)


@dataclass(frozen=True)
class AnalysisOutcome:
    analysis: dict
    confidence: float
    changes: list[str]
    usage: dict


MANUAL_HINT = "Enter the measurements by hand instead."


def language_model(hint: str = MANUAL_HINT) -> LanguageModel:
    """The configured model, or ``AnalysisFailed`` at once saying what the agent can do by hand."""
    try:
        return registry.language_model()
    except EngineUnavailable as exc:
        raise AnalysisFailed(f"No vision model is configured ({exc.message}) {hint}",
                             details={"reason": "not_configured"}) from None


def usage_of(result: LLMResult) -> dict:
    """What a model call cost, for the job step's data."""
    usage = result.usage
    return {"provider": usage.provider, "model": usage.model, "latency_ms": usage.latency_ms,
            "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens}


def measure_room(photos: dict[str, tuple[Image.Image, float | None]], *, previous: dict | None = None,
                 feedback: str = "", annotation: Image.Image | None = None) -> AnalysisOutcome:
    """Ask the vision model for the room's analysis; raise ``AnalysisFailed`` with the reason.

    ``photos`` maps each direction to its image and compass heading. On a
    revision the ``previous`` analysis, the agent's ``feedback`` and their
    ``annotation`` drawing over the plan go along too.
    """
    model = language_model()
    images = tuple(ImageInput.from_pil(photo, image_format="JPEG") for photo, _ in photos.values())
    lines = [f"Photo {i + 1}: facing {direction}" + (f" (compass {heading:.0f}°)" if heading is not None else "")
             for i, (direction, (_, heading)) in enumerate(photos.items())]
    messages = [Message("user", "\n".join(lines), images=images)]
    if previous is not None or feedback or annotation is not None:
        annotation_images = (ImageInput.from_pil(annotation),) if annotation is not None else ()
        text = (f"Previous analysis:\n{json.dumps(previous) if previous is not None else '(none yet)'}\n\n"
                f"Corrections from the agent:\n{feedback or '(none)'}")
        if annotation is not None:
            text += "\nTheir drawing over the plan is attached."
        messages.append(Message("user", text, images=annotation_images))
    try:
        result = model.complete(LLMRequest(messages, system=SYSTEM, schema=ANALYSIS_SCHEMA,
                                           schema_name="room_analysis", max_tokens=2000))
    except EngineThrottled:
        raise  # the provider's throttle reaches the agent as RATE_LIMITED (services._answer_of)
    except (EngineUnavailable, EngineOutputInvalid) as exc:
        raise AnalysisFailed(f"The vision model gave no usable analysis: {exc.message}") from None
    data = dict(result.data)
    changes = data.pop("changesApplied", [])
    try:
        parsed = parse_analysis(data)
    except GeometryError as exc:
        raise AnalysisFailed(f"The vision model's room does not add up: {exc}") from None
    return AnalysisOutcome(parsed.to_dict(), float(data["dimensions"]["confidence"]), list(changes),
                           usage_of(result))
