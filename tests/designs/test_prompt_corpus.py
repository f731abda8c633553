"""Prompts as people write them, through the rules engine (no language model): type, name and sizes.

The corpus (``prompt_corpus.json``) names each prompt's kind, expected design type,
category, design name, and the overall size along each axis the prompt states
(x the long front, y up, z front to back), to within 5 %. A newcomer's
"Three-seat grey fabric sofa, 2.1 m wide" once became a 2.5 m by 2.1 m "chair":
width must bind to the long side, and "sofa" must be a sofa.

A kind is the design type, or "part" for a component rather than a whole product
(circuit boards, sensor modules). A part no design type covers (a bolt, a gear)
has no type: it must be refused, not drawn as the nearest thing the rules know.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from designs import physics, rules
from designs.rules import NoDesignType
from designs.vocabulary import DESIGN_TYPES

CORPUS = json.loads((Path(__file__).parent / "prompt_corpus.json").read_text())
DRAWN = [case for case in CORPUS if case["type"]]
REFUSED = [case for case in CORPUS if not case["type"]]
KINDS = {*DESIGN_TYPES, "part"}


def overall_size(objects: list[dict]) -> dict[str, float]:
    """The design's bounding box: x, y and z extents over every object."""
    low, high = {"x": [], "y": [], "z": []}, {"x": [], "y": [], "z": []}
    for obj in objects:
        p, d = obj["position"], obj["dimensions"]
        for axis, size, base in (("x", d["width"], p["x"] - d["width"] / 2), ("y", d["height"], p["y"]),
                                 ("z", d["depth"], p["z"] - d["depth"] / 2)):
            low[axis].append(base)
            high[axis].append(base + size)
    return {axis: max(high[axis]) - min(low[axis]) for axis in low}


@pytest.mark.parametrize("case", DRAWN, ids=[case["prompt"] for case in DRAWN])
def test_a_prompt_becomes_the_design_it_names_at_the_size_it_states(case):
    draft = rules.generate(case["prompt"])

    assert (draft.design_type, draft.category, draft.name) == (case["type"], case["category"], case["name"])
    size = overall_size(draft.objects)
    for axis, metres in case["size"].items():
        assert size[axis] == pytest.approx(metres, rel=0.05), (axis, size)
    assert physics.check(draft.objects).corrections == []


@pytest.mark.parametrize("case", REFUSED, ids=[case["prompt"] for case in REFUSED])
def test_a_part_no_design_type_covers_is_refused(case):
    with pytest.raises(NoDesignType):
        rules.generate(case["prompt"])


def test_the_corpus_covers_every_kind_with_stated_sizes():
    assert len(DRAWN) >= 50
    assert len({case["prompt"] for case in CORPUS}) == len(CORPUS)
    assert all(case["kind"] in (case["type"], "part") for case in DRAWN)
    assert {case["type"] for case in DRAWN} == set(DESIGN_TYPES)
    kinds = Counter(case["kind"] for case in DRAWN)
    assert set(kinds) == KINDS
    assert min(kinds.values()) >= 8
    sized = Counter(case["kind"] for case in DRAWN if case["size"])
    assert min(sized[kind] for kind in KINDS) >= 5
    # Parts too: circuit boards measured in millimetres and inches.
    assert any(case["category"] == "circuit" and case["size"] for case in DRAWN)
