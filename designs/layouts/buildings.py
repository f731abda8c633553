"""Buildings: floors stacked from the ground, a roof on top, openings on the front face.

Each floor is one box; windows, balconies and railings carry the ``level`` of
the floor they belong to, so ``relayout_floors`` can restack floors after an
edit added or removed one and move each floor's openings and the roof with it.
The front face is +z.
"""

from designs.layouts.parts import MAIN, Layout, block, extents, is_locked, material_of, spread
from designs.parsing import PromptFacts

ON_ROOF = ("roof", "solar_panels", "rooftop_units", "chimney")
FLAT_ROOF = 0.4  # a flat roof's slab on the top floor
EAVES, PITCHED_RISE = 0.5, 1.9  # a pitched roof's eaves slab, and its ridge's top above the top floor
MIN_STOREY = 2.4  # the entrance door's height; windows top out at 2.3 m

# (category, words, noun, (width, depth), floor height, floors, main material, pitched roof)
_KINDS = (
    ("residential", ("apartment", "apartments", "flats", "condo", "block", "tower"), "apartment building",
     (20.0, 15.0), 3.0, 6, "concrete", False),
    ("residential", ("villa", "mansion"), "villa", (16.0, 12.0), 3.2, 2, "stone", True),
    ("residential", ("cottage", "bungalow", "cabin"), "cottage", (9.0, 7.0), 3.0, 1, "brick", True),
    ("residential", (), "house", (10.0, 8.0), 3.0, 2, "brick", True),
    ("commercial", ("skyscraper", "tower", "high-rise"), "office tower", (30.0, 30.0), 3.8, 20, "glass", False),
    ("commercial", ("mall", "shopping"), "shopping mall", (60.0, 40.0), 5.0, 3, "concrete", False),
    ("commercial", ("hotel",), "hotel", (30.0, 18.0), 3.4, 8, "concrete", False),
    ("commercial", ("shop", "store", "cafe", "restaurant", "bank", "supermarket"), "store", (15.0, 12.0), 4.0, 1,
     "brick", False),
    ("commercial", (), "office building", (30.0, 20.0), 3.8, 5, "concrete", False),
    ("industrial", ("warehouse", "depot", "hangar", "distribution"), "warehouse", (40.0, 25.0), 9.0, 1, "steel",
     False),
    ("industrial", ("workshop", "garage"), "workshop", (15.0, 10.0), 5.0, 1, "steel", False),
    ("industrial", (), "factory", (50.0, 30.0), 8.0, 1, "steel", False),
)


def building(facts: PromptFacts, category: str) -> Layout:
    """Floors (the prompt's count or the kind's), a roof, windows, a door and the extras the prompt asks for."""
    _, _, noun, (width, depth), storey, floors, main, pitched = next(
        kind for kind in _KINDS if kind[0] == category and (not kind[1] or facts.has(*kind[1])))
    if facts.height:
        # A building's stated height is to the top of its roof (the ridge of a pitched one), as
        # planners measure it; chimneys and rooftop plant stand above it. A height too low for its
        # floors and roof still gets floors a door fits in, so it comes out taller than stated.
        stacked = facts.height - (PITCHED_RISE if pitched else FLAT_ROOF)
        floors = facts.count("floors") or max(1, round(stacked / storey))
        storey = max(stacked / floors, MIN_STOREY)
    else:
        floors = facts.count("floors") or floors
    width, _, depth = extents(facts, (width, storey * floors, depth), lengthwise=False)
    main = facts.material or main
    walls = material_of(facts, "floors", main)
    half_w, half_d = width / 2, depth / 2
    parts = [block("floor", walls, "floors", x=(-half_w, half_w), y=(level * storey, (level + 1) * storey),
                   z=(-half_d, half_d), level=level) for level in range(floors)]
    for level in range(floors):
        parts.extend(_openings(facts, category, level, storey, half_w, half_d))
    if facts.has("balcony", "balconies") and category == "residential":
        for level in range(1, floors):
            parts.extend(_balcony(facts, main, level, storey, half_d))
    door = (-1.5, 1.5) if category == "commercial" else (-0.55, 0.55)
    if category == "industrial":
        parts.extend(_bays(facts, storey, half_w, half_d))
        parts.append(block("door", material_of(facts, "doors", "steel"), "doors", x=(half_w, half_w + 0.06),
                           y=(0, 2.2), z=(-0.5, 0.5), level=0))
    else:
        leaf = material_of(facts, "doors", "glass" if category == "commercial" else "wood")
        parts.append(block("entrance_door", leaf, "doors", x=door, y=(0, 2.4), z=(half_d, half_d + 0.06), level=0))
    top = floors * storey
    roof = material_of(facts, "roof", "terracotta" if pitched else "concrete" if category != "industrial" else "metal")
    eave = 0.4 if pitched else 0.0
    roof_top = top + (EAVES if pitched else FLAT_ROOF)
    parts.append(block("roof", roof, "roof", x=(-half_w - eave, half_w + eave), y=(top, roof_top),
                       z=(-half_d - eave, half_d + eave)))
    if pitched:
        parts.append(block("roof_ridge", roof, "roof", x=(-half_w, half_w), y=(roof_top, top + PITCHED_RISE),
                           z=(-half_d * 0.45, half_d * 0.45)))
    parts.extend(_roof_extras(facts, category, noun, roof_top, half_w, half_d, pitched))
    if facts.has("garage") and category == "residential":
        parts.append(block("garage", walls, "garage", x=(half_w, half_w + 6.0), y=(0, 2.8), z=(half_d - 6.0, half_d)))
        parts.append(block("garage_door", material_of(facts, "doors", "steel"), "doors", x=(half_w + 0.5, half_w + 5.5),
                           y=(0, 2.3), z=(half_d, half_d + 0.06)))
    relayout_floors(parts)
    return Layout(noun, parts, main)


def relayout_floors(objects: list[dict]) -> None:
    """Floors stacked from the ground in level order, each floor's openings moved with it, the roof on top."""
    floors = sorted((obj for obj in objects if _is(obj, "floors")),
                    key=lambda obj: (obj["properties"].get("level", 0), obj["position"]["y"]))
    if not floors:
        return
    shifts: dict[int, float] = {}
    ground = 0.0
    for floor in floors:
        if not is_locked(floor):
            shifts[floor["properties"].get("level", 0)] = ground - floor["position"]["y"]
            floor["position"]["y"] = round(ground, 4)
        ground = floor["position"]["y"] + floor["dimensions"]["height"]
    for obj in objects:
        level = obj["properties"].get("level")
        if not _is(obj, "floors") and level in shifts and not is_locked(obj):
            obj["position"]["y"] = round(obj["position"]["y"] + shifts[level], 4)
    roof = [obj for obj in objects if obj["properties"].get("role") in ON_ROOF]
    base = min((obj["position"]["y"] for obj in roof if obj["properties"].get("role") == "roof"), default=None)
    if base is not None and abs(base - ground) > 1e-9:
        for obj in roof:
            if not is_locked(obj):
                obj["position"]["y"] = round(obj["position"]["y"] + ground - base, 4)


def level_parts(objects: list[dict], level: int) -> list[dict]:
    """The objects that belong to floor ``level``: the floor, its windows, balcony and railing (not doors)."""
    return [obj for obj in objects if obj["properties"].get("level") == level
            and obj["properties"].get("role") != "doors"]


def _openings(facts: PromptFacts, category: str, level: int, storey: float, half_w: float,
              half_d: float) -> list[dict]:
    glass = material_of(facts, "windows", "glass")
    base = level * storey
    front = (half_d, half_d + 0.05)
    if category == "commercial":
        low = base + (0.8 if level else 2.8)  # the ground floor's band starts above the entrance
        return [block("curtain_wall", glass, "windows", x=(-half_w + 0.5, half_w - 0.5), y=(low, base + storey - 0.4),
                      z=front, level=level)] if low < base + storey - 0.6 else []
    if category == "industrial":
        return [block("clerestory_window", glass, "windows", x=(-half_w + 1.0, half_w - 1.0),
                      y=(base + storey - 1.8, base + storey - 0.6), z=front, level=level)]
    count = facts.count("windows") or max(1, int(2 * half_w // 3.5))
    spots = spread(count, -half_w + 1.5, half_w - 1.5) if half_w > 1.5 else [0.0]
    return [block("window", glass, "windows", x=(x - 0.6, x + 0.6), y=(base + 0.9, base + 2.3), z=front, level=level)
            for x in spots if level or abs(x) > 1.3]  # the front door stands in the ground floor's middle


def _balcony(facts: PromptFacts, main: str, level: int, storey: float, half_d: float) -> list[dict]:
    base = level * storey
    rail = material_of(facts, "balconies", "steel")
    return [block("balcony", main, "balconies", x=(-1.5, 1.5), y=(base, base + 0.15), z=(half_d + 0.05, half_d + 1.25),
                  level=level),
            block("railing", rail, "balconies", x=(-1.5, 1.5), y=(base + 0.15, base + 1.1),
                  z=(half_d + 1.2, half_d + 1.25), level=level)]


def _bays(facts: PromptFacts, storey: float, half_w: float, half_d: float) -> list[dict]:
    count = facts.count("bays") or 2
    room = 2 * half_w - 4.0
    width = min(3.5, room / count - 0.5)
    return [block("loading_bay_door", material_of(facts, "doors", "steel"), "doors", x=(x - width / 2, x + width / 2),
                  y=(0, min(4.5, storey - 1.9)), z=(half_d, half_d + 0.08), level=0)
            for x in spread(count, -half_w + 2.0 + width / 2, half_w - 2.0 - width / 2)]


def _roof_extras(facts: PromptFacts, category: str, noun: str, top: float, half_w: float, half_d: float,
                 pitched: bool) -> list[dict]:
    extras = []
    if "solar" in facts.features:
        # A pitched roof's ridge takes the middle; a flat roof's plant stands at the back.
        z = (half_d * 0.5, half_d) if pitched else (0.0, half_d - 0.5)
        extras.append(block("solar_panels", "glass", "solar_panels", x=(-half_w * 0.7, half_w * 0.7),
                            y=(top, top + 0.08), z=z, color="midnightblue"))
    if category == "commercial":
        extras.extend(block("hvac_unit", "steel", "rooftop_units", x=(x - 1.0, x + 1.0), y=(top, top + 1.5),
                            z=(-half_d + 0.5, -half_d + 2.5)) for x in (-half_w * 0.5, half_w * 0.5))
    if noun == "factory":
        extras.append(block("chimney", "brick", "chimney", x=(half_w - 3.0, half_w - 1.8), y=(top, top + 10.0),
                            z=(-half_d + 1.8, -half_d + 3.0)))
    return extras


def _is(obj: dict, role: str) -> bool:
    return obj["properties"].get("role") == role and obj["properties"].get("group", MAIN) == MAIN
