"""Plan revisions by the language model: the agent's feedback (and drawing) in, moves or resizes out.

The model sees the rooms on the plan as plain numbers, the agent's words and,
when they drew over the plan, their drawing as an image. It answers with a
schema-checked list of moves (merge revision) or new room sizes (final
revision) plus the document's ``changesApplied`` sentences; applying them is
``floorplans.plans``' and storing them ``floorplans.services``' job.
"""

from dataclasses import dataclass

from PIL import Image

from config.ai.errors import EngineOutputInvalid, EngineThrottled, EngineUnavailable
from config.ai.llm.base import ImageInput, LLMRequest, Message
from floorplans.analysis import language_model, usage_of
from floorplans.errors import AnalysisFailed
from floorplans.plans import Move, Resize

# What the agent can do without a model, said with ANALYSIS_FAILED when none is configured.
MOVE_BY_HAND = "Move rooms with PATCH position or correct measurements with PUT .../analysis instead."
RESIZE_BY_HAND = "Correct the room measurements with PUT .../analysis, then finalize again."

MOVES_SCHEMA = {
    "type": "object",
    "properties": {
        "moves": {"type": "array", "items": {
            "type": "object",
            "properties": {"roomId": {"type": "string"}, "dx": {"type": "number"}, "dy": {"type": "number"}},
            "required": ["roomId", "dx", "dy"], "additionalProperties": False}},
        "changesApplied": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["moves", "changesApplied"],
    "additionalProperties": False,
}
RESIZES_SCHEMA = {
    "type": "object",
    "properties": {
        "resizes": {"type": "array", "items": {
            "type": "object",
            "properties": {"roomId": {"type": "string"}, "width": {"type": "number"}, "height": {"type": "number"}},
            "required": ["roomId", "width", "height"], "additionalProperties": False}},
        "changesApplied": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["resizes", "changesApplied"],
    "additionalProperties": False,
}
MOVE_SYSTEM = "You adjust room positions on a floor plan as the agent asks. Answer only moves."
RESIZE_SYSTEM = "You correct room sizes on a floor plan as the agent asks. Answer only resizes."


@dataclass(frozen=True)
class PlanRevision:
    moves: tuple[Move, ...]
    resizes: tuple[Resize, ...]
    changes: list[str]
    usage: dict


def ask_moves(rooms: list[dict], *, feedback: str, annotation: Image.Image | None = None) -> PlanRevision:
    """How to shift the merged rooms as the agent asks; ``AnalysisFailed`` without a usable answer.

    ``rooms`` are ``{"roomId", "label", "position", "width", "height"}`` in feet.
    """
    data, usage = _ask(rooms, feedback, annotation, MOVE_SYSTEM, MOVES_SCHEMA, "moves", MOVE_BY_HAND)
    moves = tuple(Move(str(m["roomId"]), float(m["dx"]), float(m["dy"])) for m in data["moves"])
    return PlanRevision(moves, (), list(data["changesApplied"]), usage)


def ask_resizes(rooms: list[dict], *, feedback: str, annotation: Image.Image | None = None) -> PlanRevision:
    """Which rooms to resize, and to what, as the agent asks; ``AnalysisFailed`` without a usable answer."""
    data, usage = _ask(rooms, feedback, annotation, RESIZE_SYSTEM, RESIZES_SCHEMA, "resizes", RESIZE_BY_HAND)
    resizes = tuple(Resize(str(r["roomId"]), float(r["width"]), float(r["height"])) for r in data["resizes"])
    return PlanRevision((), resizes, list(data["changesApplied"]), usage)


def _ask(rooms: list[dict], feedback: str, annotation: Image.Image | None, system: str, schema: dict, name: str,
         hint: str) -> tuple[dict, dict]:
    model = language_model(hint)
    text = f"Rooms (feet; x east, y south; position = north-west corner): {rooms}\n\nAgent's feedback: {feedback}"
    images: tuple[ImageInput, ...] = ()
    if annotation is not None:
        text += "\nTheir drawing over the plan is attached: circled areas and drawn corrections."
        images = (ImageInput.from_pil(annotation),)
    try:
        result = model.complete(LLMRequest((Message("user", text, images=images),), system=system, schema=schema,
                                           schema_name=name, max_tokens=1000))
    except EngineThrottled:
        raise  # the provider's throttle reaches the agent as RATE_LIMITED (services._answer_of)
    except (EngineUnavailable, EngineOutputInvalid) as exc:
        raise AnalysisFailed(f"The language model gave no usable revision: {exc.message}") from None
    return result.data, usage_of(result)
