"""Decorative pieces: vases, lamps, mirrors, sculptures and planters, as stacked blocks."""

from designs.layouts.parts import Layout, block, box, extents, material_of
from designs.parsing import PromptFacts


def decorative(facts: PromptFacts) -> Layout:
    """The piece the prompt names (a vase unless it names another), standing on the floor."""
    if facts.has("lamp", "light", "lighting"):
        return _lamp(facts)
    if facts.has("mirror"):
        return _mirror(facts)
    if facts.has("sculpture", "statue", "ornament", "figure"):
        return _sculpture(facts)
    if facts.has("planter", "plant", "pot"):
        return _planter(facts)
    return _vase(facts)


def _vase(facts: PromptFacts) -> Layout:
    main = facts.material or "ceramic"
    width, height, depth = extents(facts, (0.2, 0.35, 0.2), lengthwise=False, proportional=True, principal="y")
    shoulder = height * 0.7
    parts = [box("vase_body", material_of(facts, "body", main), "body", w=width, h=shoulder, d=depth),
             box("vase_neck", main, "neck", w=width * 0.45, h=height - shoulder, d=depth * 0.45, y=shoulder)]
    return Layout("vase", parts, main)


def _lamp(facts: PromptFacts) -> Layout:
    main = facts.material or "metal"
    table_lamp = facts.has("table", "desk", "bedside")
    width, height, _ = extents(facts, (0.3, 0.6, 0.3) if table_lamp else (0.4, 1.6, 0.4), lengthwise=False,
                               proportional=True, principal="y")
    base, shade = height * 0.03, height * 0.25
    stem = height - base - shade
    parts = [box("lamp_base", material_of(facts, "base", main), "base", w=width * 0.75, h=base, d=width * 0.75),
             box("lamp_stem", main, "stand", w=0.03, h=stem, d=0.03, y=base),
             box("lamp_shade", material_of(facts, "shade", "fabric"), "shade", w=width, h=shade, d=width,
                 y=base + stem)]
    return Layout("table lamp" if table_lamp else "floor lamp", parts, main)


def _mirror(facts: PromptFacts) -> Layout:
    main = facts.material or "wood"
    width, height, _ = extents(facts, (0.6, 1.7, 0.05), lengthwise=False, principal="y")
    frame, foot = 0.04, 0.35
    parts = [block("mirror_stand", material_of(facts, "stand", main), "stand", x=(-width / 2, width / 2),
                   y=(0, 0.05), z=(-foot / 2, foot / 2)),
             block("mirror_frame", material_of(facts, "frame", main), "frame", x=(-width / 2, width / 2),
                   y=(0.05, height), z=(-frame / 2, frame / 2)),
             block("mirror_glass", "glass", "glass", x=(-width / 2 + frame, width / 2 - frame),
                   y=(0.05 + frame, height - frame), z=(frame / 2, frame / 2 + 0.006))]
    return Layout("floor mirror", parts, main)


def _sculpture(facts: PromptFacts) -> Layout:
    main = facts.material or "marble"
    width, height, depth = extents(facts, (0.4, 1.2, 0.4), lengthwise=False, proportional=True, principal="y")
    plinth = height * 0.4
    parts = [box("plinth", material_of(facts, "base", "stone"), "base", w=width, h=plinth, d=depth)]
    y, size = plinth, 0.8
    for index, share in enumerate((0.3, 0.2, 0.1)):
        parts.append(box("sculpture_form", main, "body", w=width * size, h=height * share, d=depth * size,
                         x=(-1) ** index * width * 0.05, y=y))
        y += height * share
        size *= 0.7
    return Layout("sculpture", parts, main)


def _planter(facts: PromptFacts) -> Layout:
    main = facts.material or "terracotta"
    width, height, depth = extents(facts, (0.4, 0.4, 0.4), lengthwise=False, proportional=True, principal="y")
    parts = [box("planter_pot", material_of(facts, "body", main), "body", w=width, h=height, d=depth),
             box("plant_foliage", "foliage", "plant", w=width * 1.2, h=height * 1.5, d=depth * 1.2, y=height,
                 solid=False, color="forestgreen")]
    return Layout("planter", parts, main)
