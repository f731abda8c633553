"""Prompts as people write them, through the rules engine (no language model): type, name and sizes.

The corpus (``prompt_corpus.json``) names each prompt's expected design type,
category, design name, and the overall size along each axis the prompt states
(x the long front, y up, z front to back), to within 5 %. A newcomer's
"Three-seat grey fabric sofa, 2.1 m wide" once became a 2.5 m by 2.1 m "chair":
width must bind to the long side, and "sofa" must be a sofa.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from designs import rules

CORPUS = json.loads((Path(__file__).parent / "prompt_corpus.json").read_text())


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


@pytest.mark.parametrize("case", CORPUS, ids=[case["prompt"] for case in CORPUS])
def test_a_prompt_becomes_the_design_it_names_at_the_size_it_states(case):
    draft = rules.generate(case["prompt"])

    assert (draft.design_type, draft.category, draft.name) == (case["type"], case["category"], case["name"])
    size = overall_size(draft.objects)
    for axis, metres in case["size"].items():
        assert size[axis] == pytest.approx(metres, rel=0.05), (axis, size)


def test_the_corpus_covers_every_design_type():
    assert len(CORPUS) >= 50
    kinds = Counter(case["type"] for case in CORPUS)
    assert set(kinds) == {"furniture", "building", "vehicle", "electronics", "appliance"}
    assert min(kinds.values()) >= 7
    assert sum(bool(case["size"]) for case in CORPUS) >= 30
    # Parts too: circuit boards measured in millimetres.
    assert any(case["category"] == "circuit" and case["size"] for case in CORPUS)
