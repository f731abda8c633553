"""Tables and chairs: the furniture whose parts depend on each other.

A table is a top on legs; chairs "for six" stand around it, outside its
footprint, facing it. A chair is a seat on four legs with a back at the rear
edge. ``relayout_table`` and ``relayout_chair`` put legs and chairs back
where they belong after an edit moved or resized the part they depend on.
"""

import math

from designs.layouts.parts import (
    MAIN,
    Layout,
    block,
    extents,
    faces,
    is_locked,
    material_of,
    pair_up,
    reshape,
    spread,
    thickness,
)
from designs.parsing import PromptFacts

SEAT = 0.45  # a dining chair's seat is about 45 cm square at 46 cm high
SEAT_TOP = 0.46
CHAIR_GAP = 0.05  # between a chair's seat and the table edge
CHAIR_PITCH = 0.55  # table length each chair along a side needs
LEG_INSET = 0.04

_TABLES = (
    (("coffee",), "coffee table", (1.1, 0.45, 0.6)),
    (("side", "bedside", "nightstand", "end"), "side table", (0.5, 0.55, 0.5)),
    (("desk", "workbench", "writing"), "desk", (1.4, 0.75, 0.7)),
    (("conference", "meeting", "boardroom"), "conference table", (3.0, 0.75, 1.2)),
    (("dining", "kitchen", "family"), "dining table", (1.6, 0.75, 0.9)),
)


def table(facts: PromptFacts) -> Layout:
    """A top on legs (4 unless the prompt counts them), with chairs around it when asked for."""
    seats = facts.count("seats", "chairs")
    wants_chairs = bool(seats) or facts.has("chairs", "chair", "seating")
    noun, default = next(((noun, size) for words, noun, size in _TABLES if facts.has(*words)),
                         ("dining table" if wants_chairs else "table", (1.4, 0.75, 0.8)))
    length, height, depth = extents(facts, default, lengthwise=True)
    # A round (or square) top is as deep as it is long: one measure ("1.2 m across", "90 cm wide") is
    # its diameter, and with none it is the default top's mean side. Two measures still make an oval.
    stated = [value for value in (facts.length, facts.size, facts.width, facts.depth) if value is not None]
    even = facts.has("round", "circular", "square") and len(stated) <= 1
    if even:
        length = depth = stated[0] if stated else (length + depth) / 2
    if seats and facts.length is None and facts.size is None:
        length = max(length, _seating_length(seats))
        depth = length if even else depth
    main = facts.material or "wood"
    top_thickness = thickness(facts, 0.04)
    parts = [block("table_top", material_of(facts, "top", main), "top", x=(-length / 2, length / 2),
                   y=(height - top_thickness, height), z=(-depth / 2, depth / 2))]
    leg_material = material_of(facts, "legs", main)
    leg = thickness(facts, 0.06)
    parts.extend(block("table_leg", leg_material, "legs", x=(0, leg), y=(0, 1), z=(0, leg))
                 for _ in range(facts.count("legs") or 4))
    if wants_chairs:
        count = seats or 2 * max(1, int((length - 0.1) // CHAIR_PITCH)) + 2
        for number in range(1, count + 1):
            parts.extend(chair_parts(material_of(facts, "chairs", main), f"chair_{number}", facts=facts))
    relayout_table(parts)
    return Layout(noun, parts, main)


def chair(facts: PromptFacts) -> Layout:
    """A dining chair, a stool, an armchair or a sofa, by the prompt's words."""
    main = facts.material or ("fabric" if facts.has("sofa", "couch", "armchair", "loveseat") else "wood")
    if facts.has("sofa", "couch", "loveseat"):
        return Layout("sofa", _sofa(facts, main), main)
    if facts.has("stool", "bench"):
        noun = "bench" if facts.has("bench") else "stool"
        default = (1.2, 0.45, 0.4) if noun == "bench" else (0.38, 0.65, 0.38)
        width, height, depth = extents(facts, default, lengthwise=noun == "bench", principal="y")
        parts = _seat_on_legs(facts, main, width, height, depth)
        return Layout(noun, parts, main)
    armchair = facts.has("armchair", "lounge", "arms", "armrests")
    noun = "armchair" if armchair else "office chair" if facts.has("office", "ergonomic") else "chair"
    default = (0.8, 0.42, 0.8) if armchair else (SEAT, SEAT_TOP, SEAT)
    width, seat_top, depth = extents(facts, default, lengthwise=False)
    back_top = seat_top + (0.45 if armchair else 0.42)
    if facts.height is not None:  # "a 1.2 m tall chair" is the back's top, not the seat's: the back reaches it
        seat_top, back_top = facts.height * 0.5, facts.height
    parts = _seat_on_legs(facts, main, width, seat_top, depth)
    back = thickness(facts, 0.04 if not armchair else 0.12)
    parts.append(block("chair_back", material_of(facts, "back", main), "back", x=(-width / 2, width / 2),
                       y=(seat_top, back_top), z=(-depth / 2, -depth / 2 + back)))
    if armchair:
        for side in (-1, 1):
            outer = side * width / 2
            parts.append(block("armrest", material_of(facts, "arms", main), "arms",
                               x=sorted((outer, outer - side * 0.1)), y=(seat_top, seat_top + 0.22),
                               z=(-depth / 2 + back, depth / 2)))
    relayout_chair(parts)
    return Layout(noun, parts, main)


def chair_parts(material: str, group: str, *, facts: PromptFacts | None = None) -> list[dict]:
    """A dining chair's seat, back and four legs as one group; ``relayout_table`` places them."""
    seat = thickness(facts, 0.04) if facts else 0.04
    parts = [block("chair_seat", material, "chairs", x=(0, SEAT), y=(SEAT_TOP - seat, SEAT_TOP), z=(0, SEAT),
                   group=group),
             block("chair_back", material, "chairs", x=(0, SEAT), y=(SEAT_TOP, SEAT_TOP + 0.42), z=(0, 0.035),
                   group=group)]
    leg = thickness(facts, 0.035) if facts else 0.035
    parts.extend(block("chair_leg", material, "chairs", x=(0, leg), y=(0, 1), z=(0, leg), group=group)
                 for _ in range(4))
    return parts


def relayout_table(objects: list[dict]) -> None:
    """Legs under the top's edges, up to its underside; chair groups around it, facing it."""
    top = _find(objects, "top")
    if top is None:
        return
    x0, x1, y0, _, z0, z1 = faces(top)
    _place_legs(objects, (x0, x1, z0, z1), y0)
    groups: dict[str, list[dict]] = {}
    for obj in objects:
        if obj["properties"].get("role") == "chairs":
            groups.setdefault(obj["properties"].get("group", ""), []).append(obj)
    slots = chair_slots(len(groups), (x0, x1, z0, z1))
    pairs = pair_up(list(groups.values()), slots, here=lambda parts: _centre(parts[0]), there=lambda slot: slot[:2],
                    locked=lambda parts: any(is_locked(part) for part in parts))
    for parts, slot in pairs:
        _place_chair(parts, *slot)


def relayout_chair(objects: list[dict]) -> None:
    """Legs under the seat (or sofa frame) corners, from the floor to its underside."""
    seat = _find(objects, "seat") or _find(objects, "frame")
    if seat is None:
        return
    x0, x1, y0, _, z0, z1 = faces(seat)
    _place_legs(objects, (x0, x1, z0, z1), y0)


def chair_slots(count: int, top: tuple[float, float, float, float]) -> list[tuple[float, float, str]]:
    """(x, z, facing) seat centres for ``count`` chairs around a top spanning (x0, x1, z0, z1).

    Long sides first, one at each end from five chairs on; a side that is full sends chairs to
    the ends, and an end that is full seats the rest in a second row behind the first.
    """
    x0, x1, z0, z1 = top
    side_room = max(1, int((x1 - x0 - 0.1) // CHAIR_PITCH))
    end_room = max(1, int((z1 - z0 - 0.1) // CHAIR_PITCH))
    ends = 0 if count in (1, 2, 4) else 1 if count == 3 else 2
    sides = [math.ceil((count - ends) / 2), (count - ends) // 2]
    ends += sum(max(0, side - side_room) for side in sides)
    sides = [min(side, side_room) for side in sides]
    slots: list[tuple[float, float, str]] = []
    for number, facing, low, high, room in ((sides[0], "-z", x0, x1, side_room), (sides[1], "+z", x0, x1, side_room),
                                            (math.ceil(ends / 2), "+x", z0, z1, end_room),
                                            (ends // 2, "-x", z0, z1, end_room)):
        for index in range(number):
            row, place = divmod(index, room)
            in_row = min(room, number - row * room)
            along = low + (high - low) * (place + 0.5) / in_row
            edge = {"-z": z1, "+z": z0, "+x": x0, "-x": x1}[facing]
            sign = -1 if facing.startswith("+") else 1
            out = edge + sign * (CHAIR_GAP + SEAT / 2 + row * (SEAT + 0.2))
            slots.append((along, out, facing) if facing.endswith("z") else (out, along, facing))
    return slots


def _place_legs(objects: list[dict], area: tuple[float, float, float, float], underside: float) -> None:
    legs = [obj for obj in objects if _is(obj, "legs")]
    spots = _leg_spots(len(legs), area, legs)
    for leg, (x, z) in pair_up(legs, spots, here=_centre, there=lambda spot: (sum(spot[0]) / 2, sum(spot[1]) / 2),
                               locked=is_locked):
        reshape(leg, x=x, y=(0, underside), z=z)


def _centre(obj: dict) -> tuple[float, float]:
    return obj["position"]["x"], obj["position"]["z"]


def _place_chair(parts: list[dict], x: float, z: float, facing: str) -> None:
    """Seat centred at (x, z); the back on the side away from the table; legs under the seat corners."""
    half = SEAT / 2
    seat = next((p for p in parts if p["type"] == "chair_seat"), None)
    seat_y = (seat["position"]["y"], seat["position"]["y"] + seat["dimensions"]["height"]) if seat else (0.42, 0.46)
    if seat:
        reshape(seat, x=(x - half, x + half), y=seat_y, z=(z - half, z + half))
    axis, sign = facing[1], (1 if facing[0] == "+" else -1)
    for back in (p for p in parts if p["type"] == "chair_back"):
        thick = min(back["dimensions"]["width"], back["dimensions"]["depth"])
        rear = (x if axis == "x" else z) - sign * half  # the table is on the +sign side
        span = sorted((rear, rear + sign * thick))
        height = (seat_y[1], seat_y[1] + back["dimensions"]["height"])
        if axis == "x":
            reshape(back, x=span, y=height, z=(z - half, z + half))
        else:
            reshape(back, x=(x - half, x + half), y=height, z=span)
    legs = [p for p in parts if p["type"] == "chair_leg"]
    spots = _leg_spots(len(legs), (x - half, x + half, z - half, z + half), legs, inset=0.02)
    for leg, (lx, lz) in zip(legs, spots, strict=True):
        reshape(leg, x=lx, y=(0, seat_y[0]), z=lz)


def _leg_spots(count: int, area: tuple[float, float, float, float], legs: list[dict], *,
               inset: float = LEG_INSET) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """x and z spans for ``count`` legs under a rectangle: one pedestal, two trestles, or legs
    along the long edges (an odd one in the middle) keeping each leg's own thickness."""
    if not count:
        return []
    x0, x1, z0, z1 = area
    size = min(min(leg["dimensions"]["width"], leg["dimensions"]["depth"]) for leg in legs)
    if count == 1:
        half = min(x1 - x0, z1 - z0) * 0.2
        return [((-half + (x0 + x1) / 2, half + (x0 + x1) / 2), (-half + (z0 + z1) / 2, half + (z0 + z1) / 2))]
    middle_x, middle_z = (x0 + x1) / 2, (z0 + z1) / 2
    if count == 2:  # trestles across the ends
        reach = (z1 - z0) * 0.35
        return [((x0 + inset, x0 + inset + size), (middle_z - reach, middle_z + reach)),
                ((x1 - inset - size, x1 - inset), (middle_z - reach, middle_z + reach))]
    if count == 3:  # two corners at one end, one in the middle of the other
        left, right = (x0 + inset, x0 + inset + size), (x1 - inset - size, x1 - inset)
        return [(left, (z0 + inset, z0 + inset + size)), (left, (z1 - inset - size, z1 - inset)),
                (right, (middle_z - size / 2, middle_z + size / 2))]
    per_side = count // 2
    xs = spread(per_side, x0 + inset + size / 2, x1 - inset - size / 2)
    spots = [((x - size / 2, x + size / 2), (z - size / 2, z + size / 2))
             for z in (z0 + inset + size / 2, z1 - inset - size / 2) for x in xs]
    if count % 2:
        spots.append(((middle_x - size / 2, middle_x + size / 2), (middle_z - size / 2, middle_z + size / 2)))
    return spots


def _seat_on_legs(facts: PromptFacts, main: str, width: float, seat_top: float, depth: float) -> list[dict]:
    seat = thickness(facts, 0.05)
    parts = [block("seat", material_of(facts, "seat", main), "seat", x=(-width / 2, width / 2),
                   y=(seat_top - seat, seat_top), z=(-depth / 2, depth / 2))]
    leg = thickness(facts, 0.04)
    parts.extend(block("chair_leg", material_of(facts, "legs", main), "legs", x=(0, leg), y=(0, 1), z=(0, leg))
                 for _ in range(facts.count("legs") or 4))
    relayout_chair(parts)
    return parts


def _sofa(facts: PromptFacts, main: str) -> list[dict]:
    seats = facts.count("seats", "cushions") or (2 if facts.has("loveseat") else 3)
    # A sofa's width is its long front ("a 2.1 m wide sofa"), as furniture shops measure it.
    width, height, depth = extents(facts, (0.7 * seats + 0.4, 0.85, 0.9), lengthwise=False, principal="x")
    arm, back, frame_top = 0.18, 0.2, 0.4
    parts = [block("sofa_frame", material_of(facts, "frame", main), "frame", x=(-width / 2, width / 2),
                   y=(0.1, frame_top), z=(-depth / 2, depth / 2))]
    parts.extend(block("sofa_leg", material_of(facts, "legs", "wood"), "legs", x=(0, 0.05), y=(0, 1), z=(0, 0.05))
                 for _ in range(4))
    inner = (-width / 2 + arm, width / 2 - arm)
    parts.append(block("sofa_back", material_of(facts, "back", main), "back", x=inner, y=(frame_top, height),
                       z=(-depth / 2, -depth / 2 + back)))
    for side in (-1, 1):
        parts.append(block("armrest", material_of(facts, "arms", main), "arms",
                           x=sorted((side * width / 2, side * (width / 2 - arm))), y=(frame_top, frame_top + 0.25),
                           z=(-depth / 2, depth / 2)))
    step = (inner[1] - inner[0]) / seats
    for index in range(seats):
        left = inner[0] + step * index
        parts.append(block("seat_cushion", material_of(facts, "cushions", main), "cushions",
                           x=(left, left + step), y=(frame_top, frame_top + 0.12), z=(-depth / 2 + back, depth / 2)))
    relayout_chair(parts)
    return parts


def _seating_length(seats: int) -> float:
    ends = 0 if seats in (1, 2, 4) else 1 if seats == 3 else 2
    return math.ceil((seats - ends) / 2) * 0.6 + 0.2


def _find(objects: list[dict], role: str) -> dict | None:
    return next((obj for obj in objects if _is(obj, role)), None)


def _is(obj: dict, role: str) -> bool:
    return obj["properties"].get("role") == role and obj["properties"].get("group", MAIN) == MAIN
