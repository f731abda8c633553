"""From a request to a checked design: the rules or the language model, then physics.

No HTTP and no writes here: ``services`` stores what these functions return,
and ``tasks.run_generation`` runs the language-model path as a django-q2 job.
"""

import logging
import re
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.utils import timezone

from config.ai import registry
from config.ai.errors import EngineOutputInvalid, EngineUnavailable
from config.timestamps import iso8601
from designs import diff, language, physics, rules
from designs.choices import Generator
from designs.errors import GenerationFailed, NoChangeRecognised, NoDesignTypeRecognised

logger = logging.getLogger("stagecraft.designs")

OBJECT_NUMBER = re.compile(r"^obj_(\d+)$")


@dataclass(frozen=True)
class DesignInput:
    """What a generate request asked for."""

    prompt: str
    context: dict = field(default_factory=dict)
    style: str = ""
    constraints: list[str] = field(default_factory=list)

    def as_params(self) -> dict:
        return {"prompt": self.prompt, "context": self.context, "style": self.style,
                "constraints": list(self.constraints)}


@dataclass(frozen=True)
class Previous:
    """The version an edit starts from."""

    spec_json: dict
    last_object_number: int


@dataclass(frozen=True)
class Outcome:
    """A checked design, ready to store."""

    draft: rules.Draft
    objects: list[dict]
    bounding_box: dict
    corrections: list[str]
    generator: str
    last_object_number: int
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    repairs: int = 0
    fallback_reason: str = ""


def uses_language_model() -> bool:
    """True when designs go to the configured language model rather than straight to the rules."""
    if settings.DESIGNS_GENERATOR == "rules":
        return False
    try:
        registry.language_model()
    except EngineUnavailable:
        return False
    return True


def classify(prompt: str) -> rules.Classification:
    """The design type and category of a new design; ``NoDesignTypeRecognised`` (400) when none fits."""
    try:
        return rules.classify(prompt)
    except rules.NoDesignType as exc:
        raise NoDesignTypeRecognised(str(exc)) from None


def rule_based(request: DesignInput, previous: Previous | None) -> Outcome:
    """Generate (or edit) by the rules; deterministic for a given request and previous version."""
    if previous is None:
        draft = rules.generate(request.prompt, style=request.style, constraints=request.constraints,
                               context=request.context)
    else:
        try:
            draft = rules.edit(previous.spec_json, request.prompt, next_number=previous.last_object_number + 1)
        except rules.EditNotUnderstood as exc:
            raise NoChangeRecognised(str(exc)) from None
        if not any(diff.diff(previous.spec_json["objects"], draft.objects).values()):
            raise NoChangeRecognised()
    return _checked(draft, draft.objects, Generator.RULE_BASED, previous)


def with_language_model(request: DesignInput, classification: rules.Classification | None,
                        previous: Previous | None) -> Outcome:
    """Ask the language model; on failure fall back to the rules (with the reason) or raise ``GenerationFailed``."""
    try:
        answer = language.draft_with_model(
            request.prompt, style=request.style, constraints=request.constraints, context=request.context,
            classification=classification, previous_spec=previous.spec_json if previous else None)
        objects, _ = diff.assign_ids(previous.spec_json["objects"] if previous else [], answer.draft.objects,
                                     (previous.last_object_number if previous else 0) + 1)
        outcome = _checked(answer.draft, objects, Generator.LM_ADAPTER, previous)
    except (EngineUnavailable, EngineOutputInvalid, physics.PhysicsRejected) as exc:
        reason = _reason(exc)
        if not settings.DESIGNS_FALLBACK_TO_RULES:
            raise GenerationFailed(f"LM inference failed: {reason}") from None
        return replace(rule_based(request, previous), fallback_reason=reason)
    usage = answer.usage
    return replace(outcome, model=f"{usage.provider}:{usage.model}", input_tokens=usage.input_tokens,
                   output_tokens=usage.output_tokens, repairs=answer.repairs)


def _checked(draft: rules.Draft, objects: list[dict], generator: str, previous: Previous | None) -> Outcome:
    try:
        checked = physics.check(objects)
    except physics.PhysicsRejected:
        if generator == Generator.LM_ADAPTER:
            raise
        # The rules only ever lay out sane designs; a rejection is a bug worth a 500.
        raise GenerationFailed("The rule-based generator produced a physically impossible design.") from None
    last = max([previous.last_object_number if previous else 0, *(object_number(obj["id"]) for obj in checked.objects)])
    return Outcome(draft=draft, objects=checked.objects, bounding_box=checked.bounding_box,
                   corrections=list(checked.corrections), generator=generator, last_object_number=last)


def _reason(exc: Exception) -> str:
    """Why the model's answer was not used, safe to show the user (no hosts or keys)."""
    if isinstance(exc, physics.PhysicsRejected):
        return "the model's design is physically impossible: " + "; ".join(exc.reasons)
    if isinstance(exc, EngineUnavailable):
        logger.warning("Language model unavailable for a design: %s", exc)
        return "the language model did not answer (connection failed or timed out)"
    return str(exc)


def object_number(object_id: str) -> int:
    match = OBJECT_NUMBER.match(object_id)
    return int(match.group(1)) if match else 0


def assemble(spec_id: str, outcome: Outcome, request: DesignInput, *, label: str, created_at, author: str) -> dict:
    """The document's ``spec_json`` for a checked outcome."""
    now = timezone.now()
    draft = outcome.draft
    metadata = {
        "original_spec": {"design_type": draft.design_type, "category": draft.category,
                          "materials": [{"type": material} for material in draft.materials],
                          "features": list(draft.features)},
        "generation_method": outcome.generator,
        "style": request.style,
        "constraints": list(request.constraints),
        "classifier": draft.classifier,
        "corrections": outcome.corrections,
    }
    if outcome.model:
        metadata["model"] = outcome.model
    if outcome.fallback_reason:
        metadata["fallback_reason"] = outcome.fallback_reason
    return {
        "spec_id": spec_id,
        "objects": outcome.objects,
        "scene": {"name": draft.name, "description": request.prompt, "total_objects": len(outcome.objects),
                  "bounding_box": outcome.bounding_box},
        "version": {"version": label, "created_at": iso8601(created_at), "modified_at": iso8601(now),
                    "author": author},
        "metadata": metadata,
    }

