"""The rule-based generator: prompt to design type, then to a laid-out, sized set of objects.

``classify`` compares the prompt with each category's sentences using the
local MiniLM embedder, and falls back to keywords when the embedder is
unavailable. ``generate`` reads the prompt's facts (sizes, counts, materials,
colours), lays the category's parts out from them and returns a ``Draft``;
``edit`` changes a previous spec by rules. Both are deterministic: the same
input gives the same output. Neither runs the physics check; callers do.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np

from designs import layouts
from designs.editing import apply_edit
from designs.generation_errors import EditNotUnderstood, NoDesignType
from designs.layouts.parts import Layout
from designs.parsing import PromptFacts, parse_prompt, tokens_of
from designs.vocabulary import CATEGORY_KEYWORDS, CATEGORY_SENTENCES, DESIGN_TYPES, TYPE_KEYWORDS, display

__all__ = ["Classification", "Draft", "EditNotUnderstood", "NoDesignType", "classify", "edit", "generate"]

# Calibrated on MiniLM: design prompts score 0.43 or more against their category's sentences,
# chatter ("hello there", "asdf qwerty", "tell me a joke", "blue") 0.27 or less.
MIN_SIMILARITY = 0.35
KEYWORD_BONUS = 0.05  # per keyword, up to two: favours the category the prompt names outright
NAME_FEATURES = ("electric", "smart", "solar", "hybrid", "wireless", "foldable", "modular", "portable")

_CATEGORIES = tuple(CATEGORY_SENTENCES)
_SENTENCES = [sentence for category in _CATEGORIES for sentence in CATEGORY_SENTENCES[category]]
_OWNERS = [category for category in _CATEGORIES for _ in CATEGORY_SENTENCES[category]]
_sentence_vectors: dict[str, np.ndarray] = {}
_prompt_scores: dict[tuple[str, str], dict[tuple[str, str], float]] = {}
PROMPT_CACHE = 512  # prompts whose similarities are kept; a retried or edited prompt skips the model


@dataclass(frozen=True)
class Classification:
    """Which design a prompt describes. ``method`` is "minilm" (``score`` a cosine) or "keywords"."""

    design_type: str
    category: str
    method: str
    score: float


@dataclass(frozen=True)
class Draft:
    """A generated or edited design before the physics check: seeds/002 objects plus what the spec's
    metadata needs. ``next_number`` is the first object id number not used by ``objects``."""

    design_type: str
    category: str
    name: str
    objects: list[dict]
    materials: list[str]
    features: list[str]
    classifier: str
    notes: list[str]
    next_number: int = 1


def classify(prompt: str) -> Classification:
    """The design type and category of ``prompt``; raises ``NoDesignType`` when it describes none."""
    from config.ai.errors import EngineUnavailable  # imported here so the module loads without Django

    keywords = _keyword_scores(prompt)
    try:
        similarities = _similarities(prompt)
    except EngineUnavailable:
        best = max(_CATEGORIES, key=lambda key: keywords.get(key, 0.0))
        if keywords.get(best, 0.0) <= 0:
            raise NoDesignType(prompt) from None
        return Classification(*best, method="keywords", score=keywords[best])
    scores = {key: similarities[key] + KEYWORD_BONUS * min(keywords.get(key, 0.0), 2.0) for key in _CATEGORIES}
    # A prompt that names a category's own noun ("sofa", "loveseat") is that category, whatever
    # the embedding's nearest sentence or its score; the embedder decides among the rest.
    named = [key for key in _CATEGORIES if keywords.get(key, 0.0) >= 1.0]
    best = max(named or _CATEGORIES, key=scores.__getitem__)
    if not named and scores[best] < MIN_SIMILARITY:
        raise NoDesignType(prompt)
    return Classification(*best, method="minilm", score=round(similarities[best], 4))


def generate(prompt: str, *, style: str = "", constraints: tuple[str, ...] | list[str] = (),
             context: dict | None = None) -> Draft:
    """A design for ``prompt``: its type from ``classify``, its parts sized from the prompt's facts.

    ``style``, ``constraints`` and the string values of ``context`` add facts ("maximum 4 seats",
    "minimalist") after the prompt's own, which win. Raises ``NoDesignType``.
    """
    kind = classify(prompt)
    # Context values describe the design ("power": "battery"); ids ("spec_id") do not.
    described = [value for key, value in (context or {}).items() if isinstance(value, str) and not key.endswith("id")]
    extra = [style, *constraints, *described]
    facts = parse_prompt(". ".join([prompt, *filter(None, extra)]))
    layout = layouts.build(kind.design_type, kind.category, facts)
    loose = _loose_bindings(facts, layout)
    if loose != facts:
        facts = loose
        layout = layouts.build(kind.design_type, kind.category, facts)
    objects = _finish(layout, facts, kind)
    name = _name(layout, facts, objects)
    notes = [f"Recognised {kind.design_type} ({kind.category}) by {kind.method}, score {kind.score:.2f}."]
    return Draft(
        design_type=kind.design_type, category=kind.category, name=name, objects=objects,
        materials=_materials(objects, layout.material), features=list(facts.features), classifier=kind.method,
        notes=notes, next_number=len(objects) + 1,
    )


def edit(previous_spec: dict, prompt: str, *, next_number: int) -> Draft:
    """``previous_spec`` (a seeds/002 spec) changed as ``prompt`` says, by rules.

    Kept objects keep their ids; ``editable: false`` objects are never changed; new objects are
    numbered from ``next_number`` (or past the highest id in the spec). Raises ``EditNotUnderstood``.
    """
    objects = previous_spec.get("objects") or []
    original = (previous_spec.get("metadata") or {}).get("original_spec") or {}
    first = objects[0]["properties"] if objects else {}
    design_type = original.get("design_type") or first.get("design_type", "")
    category = original.get("category") or first.get("category", "")
    edited, notes, number = apply_edit(objects, prompt, category=category, next_number=next_number)
    name = (previous_spec.get("scene") or {}).get("name") or display(category or design_type)
    if objects and edited and edited[0]["id"] == objects[0]["id"] and edited[0]["material"] != objects[0]["material"]:
        old, new = display(objects[0]["material"]), display(edited[0]["material"])
        name = name.replace(old, new, 1) if name.startswith(old) else name
    features = list(original.get("features") or first.get("features") or [])
    return Draft(
        design_type=design_type, category=category, name=name, objects=edited,
        materials=_materials(edited, edited[0]["material"] if edited else ""), features=features,
        classifier="rules", notes=notes, next_number=number,
    )


def _similarities(prompt: str) -> dict[tuple[str, str], float]:
    from config.ai import registry

    engine = registry.embedder()
    key = str(getattr(engine, "model", type(engine).__name__))
    if (key, prompt) in _prompt_scores:
        return _prompt_scores[key, prompt]
    if key not in _sentence_vectors:  # embedded once per process and engine
        _sentence_vectors[key] = np.asarray(engine.embed(_SENTENCES).vectors, dtype=np.float32)
    query = np.asarray(engine.embed([prompt]).vectors[0], dtype=np.float32)
    scores = _sentence_vectors[key] @ query
    best: dict[tuple[str, str], float] = {}
    for owner, score in zip(_OWNERS, scores.tolist(), strict=True):
        best[owner] = max(best.get(owner, -1.0), score)
    if len(_prompt_scores) >= PROMPT_CACHE:
        _prompt_scores.clear()
    _prompt_scores[key, prompt] = best
    return best


def _keyword_scores(prompt: str) -> dict[tuple[str, str], float]:
    """One point per category keyword in the prompt (phrases first), half a point per type word."""
    tokens = tokens_of(prompt)
    words = [*tokens, *(token[:-1] for token in tokens if token.endswith("s"))]
    text = " " + " ".join(tokens) + " "
    scores: dict[tuple[str, str], float] = {}
    for category, keywords in CATEGORY_KEYWORDS.items():
        for keyword in keywords:
            if (" " in keyword and f" {keyword} " in text) or (" " not in keyword and keyword in words):
                scores[category] = scores.get(category, 0.0) + 1.0
    for design_type, keywords in TYPE_KEYWORDS.items():
        if any(keyword in words for keyword in keywords):
            first = (design_type, DESIGN_TYPES[design_type][0])
            scores[first] = scores.get(first, 0.0) + 0.5
    return scores


def _loose_bindings(facts: PromptFacts, layout: Layout) -> PromptFacts:
    """"a blue chair", "a leather sofa": a colour or material bound to a part the design does not
    have describes the design itself, so it becomes the prompt's main colour or material."""
    roles = {part["properties"]["role"] for part in layout.parts}
    colors = {part: value for part, value in facts.part_colors.items() if part in roles}
    materials = {part: value for part, value in facts.part_materials.items() if part in roles}
    loose_color = next((value for part, value in facts.part_colors.items() if part not in roles), None)
    return dataclasses.replace(facts, part_colors=colors, part_materials=materials,
                               color=facts.color or loose_color)


def _finish(layout: Layout, facts: PromptFacts, kind: Classification) -> list[dict]:
    """Ids, colours and the seeds/002 properties (design type, features) on every part."""
    objects = []
    for number, part in enumerate(layout.parts, start=1):
        own = dict(part["properties"])
        role = own.pop("role")
        preset = own.pop("color", None)  # a part's own colour (red tail lights) unless the prompt names one
        color = facts.part_colors.get(role) or preset
        if color is None and facts.color and part["material"] == layout.material:
            color = facts.color  # "a red car" paints the body and cabin, not the tyres
        properties = {"design_type": kind.design_type, "category": kind.category, "features": list(facts.features)}
        if color:
            properties["color"] = color
        properties.update({"solid": own.pop("solid", True), "role": role, **own})
        objects.append({**part, "id": f"obj_{number:03d}", "properties": properties})
    return objects


def _name(layout: Layout, facts: PromptFacts, objects: list[dict]) -> str:
    """"Oak dining table", "Electric car": the prompt's material (or a notable feature) and the noun."""
    lead = facts.material or (objects[0]["material"] if objects[0]["material"] in facts.materials else None)
    lead = lead or next((feature for feature in facts.features if feature in NAME_FEATURES), None)
    if lead and lead.replace("_", " ") not in layout.noun.lower():
        return display(f"{lead} {layout.noun}")
    return display(layout.noun)


def _materials(objects: list[dict], main: str) -> list[str]:
    found = [main] if main else []
    for obj in objects:
        if obj["material"] not in found:
            found.append(obj["material"])
    return found
