"""Road vehicles: cars, trucks and motorcycles.

x runs from the rear (-) to the front (+). Car and truck wheels stand beside
the body or chassis, never inside it, on axles spread between the overhangs;
``relayout_wheels`` re-spaces them after an edit added wheels or resized
the body.
"""

import math

from designs.layouts.parts import MAIN, Layout, block, extents, faces, is_locked, material_of, pair_up, reshape, spread
from designs.parsing import PromptFacts

OVERHANG = 0.18  # share of the length in front of the front axle and behind the rear one
ROAD_HEIGHT, ROAD_WIDTH = 4.0, 2.55  # the usual legal limits (EU) for a road vehicle's height and width

# (body nouns, use words, noun, (length, height, width), ground clearance). A body the prompt names
# wins over a use word anywhere in it: a "family sedan" is a sedan, a "compact minivan" a minivan.
_CARS = (
    (("suv", "jeep", "crossover", "4x4", "offroad"), (), "SUV", (4.7, 1.7, 1.9), 0.22),
    (("coupe", "roadster", "supercar"), ("sports", "racing", "race"), "sports car", (4.4, 1.2, 1.9), 0.12),
    (("hatchback",), ("compact", "city", "mini"), "hatchback", (4.0, 1.5, 1.75), 0.15),
    (("minivan", "mpv"), ("family",), "minivan", (5.0, 1.8, 1.95), 0.16),
    (("sedan", "saloon"), (), "sedan", (4.8, 1.45, 1.82), 0.15),
)
# (words, noun, (length, height, width), wheel diameter, cab length, wheels)
_TRUCKS = (
    (("pickup", "ute"), "pickup truck", (5.5, 1.9, 2.0), 0.8, 2.6, 4),
    (("van", "delivery"), "delivery van", (5.2, 2.5, 2.0), 0.7, 1.3, 4),
)
_LORRY = ("truck", (7.5, 3.4, 2.5), 1.0, 2.2, 6)


def car(facts: PromptFacts) -> Layout:
    """A body on four wheels (or the prompt's count) with a cabin on top and lights front and rear."""
    named = [kind for kind in _CARS if facts.has(*kind[0])] or [kind for kind in _CARS if facts.has(*kind[1])]
    noun, default, clearance = named[0][2:] if named else ("car", (4.6, 1.45, 1.8), 0.15)
    seats = facts.count("seats")
    if seats and seats > 5 and noun == "car":
        noun, default = "minivan", (5.0, 1.8, 1.95)
    length, height, width = _road_sized(facts, default)
    if "aerodynamic" in facts.features and facts.height is None:
        height *= 0.92  # a lower roof line
    main = facts.material or "steel"
    wheel, tyre = min(0.25 * height + 0.3, height * 0.55), 0.12 * width
    body_top = max(0.55 * height, wheel + 0.05)
    half = width / 2 - tyre
    parts = [block("car_body", material_of(facts, "body", main), "body", x=(-length / 2, length / 2),
                   y=(clearance, body_top), z=(-half, half)),
             block("cabin", material_of(facts, "cabin", main), "cabin", x=(-0.3 * length, 0.2 * length),
                   y=(body_top, height), z=(-half * 0.92, half * 0.92), glazed=True)]
    parts.extend(_wheels(facts, 4, wheel, tyre))
    for end, kind, color in ((1, "headlight", "white"), (-1, "tail_light", "red")):
        face = end * length / 2
        for side in (-1, 1):
            parts.append(block(kind, "glass", "lights", x=sorted((face, face + end * 0.03)),
                               y=(body_top - 0.16, body_top - 0.06), z=sorted((side * half * 0.45, side * half * 0.8)),
                               color=color))
    below = (clearance - min(0.1, clearance * 0.6), clearance)
    axle = length / 2 - OVERHANG * length - wheel / 2 - 0.05
    if {"electric", "hybrid"} & set(facts.features):
        parts.append(block("battery_pack", "lithium_ion", "battery", x=(-axle, axle), y=below,
                           z=(-half * 0.8, half * 0.8)))
    if "electric" not in facts.features:
        parts.append(block("exhaust", "steel", "exhaust", x=(-length / 2, -length / 2 + 0.5), y=below,
                           z=(half * 0.4, half * 0.6)))
    if "solar" in facts.features:
        parts.append(block("solar_roof", "glass", "solar_panels", x=(-0.25 * length, 0.15 * length),
                           y=(height, height + 0.01), z=(-half * 0.8, half * 0.8)))
    relayout_wheels(parts)
    return Layout(noun, parts, main)


def truck(facts: PromptFacts) -> Layout:
    """A chassis on wheels carrying a cab in front and a cargo box (or a pickup's bed) behind it."""
    noun, default, wheel, cab, count = next(((noun, size, wheel, cab, count)
                                             for words, noun, size, wheel, cab, count in _TRUCKS if facts.has(*words)),
                                            _LORRY)
    length, height, width = _road_sized(facts, default)
    stretch = length / default[0]
    wheel, cab = wheel * min(stretch, 1.5), cab * stretch
    tyre = 0.12 * width
    main = facts.material or "steel"
    deck = wheel + 0.05  # cab and cargo clear the wheel tops, so they may be as wide as the truck
    half = width / 2
    parts = [block("chassis", material_of(facts, "chassis", "steel"), "chassis", x=(-length / 2, length / 2),
                   y=(wheel * 0.4, deck), z=(-half + tyre, half - tyre)),
             block("cab", material_of(facts, "cab", main), "cab", x=(length / 2 - cab, length / 2),
                   y=(deck, min(height, deck + 2.2)), z=(-half, half))]
    cargo_top = deck + 0.5 if noun == "pickup truck" else height
    parts.append(block("cargo_bed" if noun == "pickup truck" else "cargo_box", material_of(facts, "cargo", main),
                       "cargo", x=(-length / 2, length / 2 - cab), y=(deck, cargo_top), z=(-half, half)))
    parts.extend(_wheels(facts, count, wheel, tyre))
    relayout_wheels(parts)
    return Layout(noun, parts, main)


def motorcycle(facts: PromptFacts) -> Layout:
    """Two wheels in line with an engine (or battery) frame between them, tank, seat, fork and handlebar."""
    length, height, width = extents(facts, (2.1, 1.15, 0.8), lengthwise=True, proportional=True)
    main = facts.material or "steel"
    wheel = 0.3 * length
    frame_top = wheel + 0.1
    electric = "electric" in facts.features
    inner = (-length / 2 + wheel, length / 2 - wheel)
    fork = length / 2 - wheel / 2
    parts = [block("wheel", material_of(facts, "wheels", "rubber"), "wheels", x=(end, end + wheel), y=(0, wheel),
                   z=(-0.08, 0.08)) for end in (-length / 2, length / 2 - wheel)]
    parts += [
        block("battery" if electric else "engine", material_of(facts, "frame", main), "frame", x=inner,
              y=(0.45 * wheel, frame_top), z=(-0.15, 0.15)),
        block("fuel_tank" if not electric else "tank_cover", material_of(facts, "tank", main), "tank",
              x=(0, inner[1]), y=(frame_top, frame_top + 0.2), z=(-0.16, 0.16)),
        block("seat", material_of(facts, "seat", "leather"), "seat", x=(-length / 2 + 0.2, 0),
              y=(frame_top, frame_top + 0.1), z=(-0.14, 0.14)),
        block("fork", "steel", "fork", x=(fork - 0.03, fork + 0.03), y=(wheel, height - 0.04), z=(-0.1, 0.1)),
        block("handlebar", material_of(facts, "handlebars", "steel"), "handlebars", x=(fork - 0.03, fork + 0.03),
              y=(height - 0.04, height), z=(-width / 2, width / 2)),
    ]
    if not electric:
        parts.append(block("exhaust", "steel", "exhaust", x=(inner[0], 0), y=(0.5 * wheel, 0.5 * wheel + 0.1),
                           z=(0.15, 0.22)))
    noun = "scooter" if facts.has("scooter", "moped") else "motorcycle"
    return Layout(noun, parts, main)


def relayout_wheels(objects: list[dict]) -> None:
    """Wheels in left/right pairs beside the body (or chassis), on axles spread along its length."""
    body = next((obj for obj in objects if obj["properties"].get("role") in ("chassis", "body")
                 and obj["properties"].get("group", MAIN) == MAIN), None)
    wheels = [obj for obj in objects if obj["properties"].get("role") == "wheels"]
    if body is None or not wheels or body["type"] not in ("chassis", "car_body"):
        return
    x0, x1, _, _, z0, z1 = faces(body)
    count = math.ceil(len(wheels) / 2)
    # Wheels that cannot stand side by side along the body (after "make it 2 m long") get smaller.
    diameter = min(max(wheels[0]["dimensions"]["width"], wheels[0]["dimensions"]["height"]), (x1 - x0) / count * 0.9)
    front, rear = x1 - OVERHANG * (x1 - x0), x0 + OVERHANG * (x1 - x0)
    axles = spread(count, front, rear)
    if count > 1 and (front - rear) / (count - 1) < diameter:
        axles = spread(count, x1 - diameter / 2, x0 + diameter / 2)  # crowded: use the full length
    spots = [(axles[index // 2], 1 if index % 2 else -1) for index in range(len(wheels))]
    here = lambda wheel: (wheel["position"]["x"], 1 if wheel["position"]["z"] > 0 else -1)  # noqa: E731
    for wheel, (x, side) in pair_up(wheels, spots, here=here, there=lambda spot: spot, locked=is_locked):
        tread = wheel["dimensions"]["depth"]
        z = (z1, z1 + tread) if side > 0 else (z0 - tread, z0)
        reshape(wheel, x=(x - diameter / 2, x + diameter / 2), y=(0, min(diameter, wheel["dimensions"]["height"])), z=z)


def _road_sized(facts: PromptFacts, default: tuple[float, float, float]) -> tuple[float, float, float]:
    """(length, height, width) grown in proportion to what the prompt states, but a longer road vehicle
    is not taller or wider than roads allow: a "16 m semi truck" is 4 m tall, not 7."""
    length, height, width = extents(facts, default, lengthwise=True, proportional=True)
    if facts.height is None:
        height = min(height, max(default[1], ROAD_HEIGHT))
    if facts.width is None and facts.depth is None:
        width = min(width, max(default[2], ROAD_WIDTH))
    return length, height, width


def _wheels(facts: PromptFacts, default: int, diameter: float, tread: float) -> list[dict]:
    count = facts.count("wheels") or default
    count += count % 2  # wheels come in pairs, one each side
    material = material_of(facts, "wheels", "rubber")
    return [block("wheel", material, "wheels", x=(0, diameter), y=(0, diameter), z=(0, tread)) for _ in range(count)]
