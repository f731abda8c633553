"""Appliances: a body with doors, controls and handles on its front (+z) face."""

import itertools

from designs.layouts.parts import Layout, block, box, extents, material_of, spread
from designs.parsing import PromptFacts

FRONT = 0.04  # door and panel thickness on the front face
HANDLE = 0.03

# (words, noun, (width, height, depth)): the small appliances that stand on a worktop.
_COUNTERTOP = (
    (("toaster",), "toaster", (0.3, 0.2, 0.18)),
    (("kettle",), "kettle", (0.22, 0.25, 0.16)),
    (("blender",), "blender", (0.18, 0.42, 0.18)),
    (("coffee", "espresso"), "coffee machine", (0.25, 0.38, 0.4)),
)


def kitchen(facts: PromptFacts) -> Layout:
    """A refrigerator (doors stacked), a range (burners on top), a microwave, a dishwasher or a worktop
    appliance (a toaster is not a 1.8 m fridge)."""
    main = facts.material or "stainless_steel"
    small = next(((noun, size) for words, noun, size in _COUNTERTOP if facts.has(*words)), None)
    if small:
        noun, default = small
        width, height, depth = extents(facts, default, lengthwise=False, proportional=True, principal="y")
        parts = [_body(facts, main, width, height, depth),
                 _front("control_panel", "plastic", "controls", width * 0.5, (height * 0.1, height * 0.3), depth,
                        color="black")]
        return Layout(noun, parts, main)
    if facts.has("oven", "stove", "range", "cooker", "hob", "cooktop"):
        return Layout("range cooker", _range(facts, main), main)
    if facts.has("microwave"):
        return Layout("microwave", _microwave(facts, main), main)
    if facts.has("dishwasher"):
        width, height, depth = extents(facts, (0.6, 0.85, 0.6), lengthwise=False, principal="y")
        parts = [_body(facts, main, width, height, depth),
                 _front("kick_plate", main, "base", width, (0, 0.1), depth),
                 _front("door", material_of(facts, "doors", main), "doors", width, (0.1, height - 0.1), depth),
                 _front("control_panel", "plastic", "controls", width, (height - 0.1, height), depth, color="black")]
        parts.append(_handle(main, (-width * 0.3, width * 0.3), (height - 0.2, height - 0.17), depth))
        return Layout("dishwasher", parts, main)
    width, height, depth = extents(facts, (0.7, 1.8, 0.68), lengthwise=False, principal="y")
    parts = [_body(facts, main, width, height, depth)]
    doors = facts.count("doors") or 2
    edges = [0.0, height / 3] if doors == 2 else spread(doors + 1, 0.0, height)[:-1]
    edges.append(height)
    for low, high in itertools.pairwise(edges):
        parts.append(_front("door", material_of(facts, "doors", main), "doors", width, (low, high), depth))
        parts.append(_handle(main, (width / 2 - 0.08, width / 2 - 0.05), (low + 0.1, min(high - 0.1, low + 0.6)),
                             depth))
    return Layout("refrigerator", parts, main)


def laundry(facts: PromptFacts) -> Layout:
    """A front-loading washer or dryer, or a washer with a dryer stacked on it."""
    main = facts.material or "steel"
    width, height, depth = extents(facts, (0.6, 0.85, 0.6), lengthwise=False, principal="y")
    stacked = (facts.has("washer") and facts.has("dryer")) or facts.has("stacked")
    kinds = ["washing_machine", "dryer"] if stacked else ["dryer" if facts.has("dryer") else "washing_machine"]
    parts = []
    for index, kind in enumerate(kinds):
        base = index * height
        white = {"color": "white"} if facts.material is None else {}  # laundry is white unless told otherwise
        parts.append(box(kind, material_of(facts, "body", main), "body", w=width, h=height, d=depth, y=base, **white))
        window = min(width, height) * 0.55
        parts.append(block("door", material_of(facts, "doors", "glass"), "doors", x=(-window / 2, window / 2),
                           y=(base + height * 0.2, base + height * 0.2 + window), z=(depth / 2, depth / 2 + FRONT)))
        parts.append(block("control_panel", "plastic", "controls", x=(-width / 2, width / 2),
                           y=(base + height - 0.12, base + height - 0.02), z=(depth / 2, depth / 2 + 0.02)))
        parts.append(block("dial", "plastic", "controls", x=(width * 0.25, width * 0.25 + 0.06),
                           y=(base + height - 0.1, base + height - 0.04), z=(depth / 2 + 0.02, depth / 2 + 0.045)))
    noun = "washer-dryer stack" if stacked else kinds[0].replace("_", " ")
    return Layout(noun, parts, main)


def hvac(facts: PromptFacts) -> Layout:
    """An outdoor air-conditioning unit on a pad, a furnace with its flue, or an air purifier."""
    main = facts.material or "steel"
    if facts.has("furnace", "boiler", "heater"):
        width, height, depth = extents(facts, (0.55, 1.2, 0.7), lengthwise=False, principal="y")
        parts = [_body(facts, main, width, height, depth),
                 box("flue", "steel", "flue", w=0.15, h=0.6, d=0.15, y=height, z=-depth / 4),
                 _front("control_panel", "plastic", "controls", width * 0.5, (height - 0.2, height - 0.05), depth),
                 _front("vent_grille", main, "vents", width * 0.8, (0.1, 0.4), depth)]
        return Layout("furnace", parts, main)
    if facts.has("purifier", "dehumidifier", "humidifier", "fan"):
        width, height, depth = extents(facts, (0.3, 0.6, 0.3), lengthwise=False, principal="y")
        parts = [_body(facts, main if facts.material else "plastic", width, height, depth),
                 box("outlet_grille", "plastic", "vents", w=width * 0.8, h=0.01, d=depth * 0.8, y=height),
                 _front("display", "glass", "controls", width * 0.4, (height - 0.12, height - 0.04), depth,
                        color="black")]
        return Layout("air purifier", parts, main)
    width, height, depth = extents(facts, (0.9, 0.7, 0.35), lengthwise=False, principal="y")
    pad = 0.1
    parts = [box("concrete_pad", "concrete", "base", w=width + 0.2, h=pad, d=depth + 0.2),
             box("condenser_body", material_of(facts, "body", main), "body", w=width, h=height, d=depth, y=pad)]
    fans = facts.count("fans") or 1
    size = min(height * 0.8, width * 0.8 / fans)
    for x in spread(fans, -width / 2 + width / (2 * fans), width / 2 - width / (2 * fans)):
        parts.append(block("fan_grille", "steel", "fans", x=(x - size / 2, x + size / 2),
                           y=(pad + (height - size) / 2, pad + (height + size) / 2), z=(depth / 2, depth / 2 + 0.02),
                           color="dimgray"))
    return Layout("air conditioner", parts, main)


def smart_home(facts: PromptFacts) -> Layout:
    """A smart speaker (a thermostat or a smart display when the prompt names one)."""
    main = facts.material or "plastic"
    if facts.has("thermostat"):
        width, height, depth = extents(facts, (0.085, 0.085, 0.025), lengthwise=False)
        parts = [box("desk_stand", main, "stand", w=width, h=0.015, d=0.05),
                 box("thermostat_body", material_of(facts, "body", main), "body", w=width, h=height, d=depth,
                     y=0.015),
                 block("display", "glass", "screen", x=(-width * 0.35, width * 0.35), y=(0.015 + height * 0.15,
                                                                                        0.015 + height * 0.85),
                       z=(depth / 2, depth / 2 + 0.002), color="black")]
        return Layout("smart thermostat", parts, main)
    if facts.has("display", "screen", "hub"):
        # "with a 10 inch screen" measures the display as a bare "10 inch" does.
        width = extents(facts, (facts.part_sizes.get("screen", 0.2), 0.14, 0.1), lengthwise=False)[0]
        parts = [box("speaker_base", material_of(facts, "base", "fabric"), "base", w=width * 0.9, h=0.1, d=0.08),
                 box("smart_display", "glass", "screen", w=width, h=width * 0.6, d=0.012, y=0.1, color="black")]
        return Layout("smart display", parts, main)
    width, height, _ = extents(facts, (0.1, 0.15, 0.1), lengthwise=False, proportional=True, principal="y")
    parts = [box("speaker_body", material_of(facts, "body", "fabric"), "body", w=width, h=height, d=width),
             box("control_top", main, "controls", w=width * 0.9, h=0.008, d=width * 0.9, y=height),
             box("light_ring", "acrylic", "led", w=width * 0.5, h=0.002, d=width * 0.5, y=height + 0.008,
                 color="deepskyblue")]
    return Layout("smart speaker", parts, main)


def _range(facts: PromptFacts, main: str) -> list[dict]:
    width, height, depth = extents(facts, (0.6, 0.9, 0.6), lengthwise=False, principal="y")
    guard = 0.06
    parts = [_body(facts, main, width, height, depth),
             block("backguard", main, "controls", x=(-width / 2, width / 2), y=(height, height + 0.1),
                   z=(-depth / 2, -depth / 2 + guard)),
             _front("oven_door", material_of(facts, "doors", "glass"), "doors", width, (0.1, height - 0.2), depth),
             _handle(main, (-width * 0.35, width * 0.35), (height - 0.28, height - 0.25), depth)]
    burners = facts.count("burners") or 4
    columns = 2 if burners > 1 else 1
    rows = -(-burners // columns)
    cell_x, cell_z = width / columns, (depth - guard) / rows
    size = min(cell_x, cell_z) * 0.6
    for index in range(burners):
        row, column = divmod(index, columns)
        x = -width / 2 + cell_x * (column + 0.5)
        z = -depth / 2 + guard + cell_z * (row + 0.5)
        parts.append(box("burner", "iron", "burners", w=size, h=0.015, d=size, x=x, y=height, z=z, color="black"))
    return parts


def _microwave(facts: PromptFacts, main: str) -> list[dict]:
    width, height, depth = extents(facts, (0.5, 0.3, 0.4), lengthwise=False)
    split = width / 2 - width * 0.28
    return [_body(facts, main, width, height, depth),
            block("door", material_of(facts, "doors", "glass"), "doors", x=(-width / 2, split), y=(0, height),
                  z=(depth / 2, depth / 2 + 0.02)),
            block("control_panel", "plastic", "controls", x=(split, width / 2), y=(0, height),
                  z=(depth / 2, depth / 2 + 0.02), color="black")]


def _body(facts: PromptFacts, main: str, width: float, height: float, depth: float) -> dict:
    return box("body", material_of(facts, "body", main), "body", w=width, h=height, d=depth)


def _front(kind: str, material: str, role: str, width: float, span: tuple[float, float], depth: float,
           **extra: object) -> dict:
    return block(kind, material, role, x=(-width / 2, width / 2), y=span, z=(depth / 2, depth / 2 + FRONT), **extra)


def _handle(material: str, x: tuple[float, float], y: tuple[float, float], depth: float) -> dict:
    return block("handle", material, "handles", x=x, y=y, z=(depth / 2 + FRONT, depth / 2 + FRONT + HANDLE))
