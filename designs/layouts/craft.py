"""Aircraft (planes and drones) and boats.

Planes stand on their landing gear; wings and tailplanes are two halves that
meet the fuselage's sides, so no solid passes through another. x runs from the
tail or stern (-) to the nose or bow (+); wingspan and beam are along z.
"""

from designs.layouts.parts import Layout, block, extents, material_of, spread
from designs.parsing import PromptFacts


def aircraft(facts: PromptFacts) -> Layout:
    """A drone, or a plane: fuselage on landing gear, wings, tailplane, fin, and engines or a propeller."""
    if facts.has("drone", "quadcopter", "multicopter", "uav"):
        return _drone(facts)
    jet = facts.has("jet", "airliner", "passenger", "jumbo", "commercial")
    length, _, span = extents(facts, (38.0, 12.0, 36.0) if jet else (8.5, 2.7, 11.0), lengthwise=True,
                              proportional=True)
    main = facts.material or "aluminum"
    fuselage = (0.1 if jet else 0.14) * length
    gear = min(max(0.08 * length, 0.5), 3.0)
    chord, shift = 0.15 * length, 0.05 * length
    wing_low = gear + fuselage * 0.15
    wing_t = max(0.04 * chord, 0.08)
    half = fuselage / 2
    parts = [block("fuselage", material_of(facts, "fuselage", main), "fuselage", x=(-length / 2, length / 2),
                   y=(gear, gear + fuselage), z=(-half, half))]
    for side in (-1, 1):
        parts.append(block("wing", material_of(facts, "wings", main), "wings", x=(shift - chord / 2, shift + chord / 2),
                           y=(wing_low, wing_low + wing_t), z=sorted((side * half, side * span / 2))))
        parts.append(block("horizontal_stabilizer", material_of(facts, "tail", main), "tail",
                           x=(-length / 2, -length / 2 + chord * 0.6), y=(gear + fuselage * 0.7,
                                                                           gear + fuselage * 0.7 + wing_t),
                           z=sorted((side * half, side * (half + span * 0.18)))))
    parts.append(block("vertical_stabilizer", material_of(facts, "tail", main), "tail",
                       x=(-length / 2, -length / 2 + chord * 0.8), y=(gear + fuselage, gear + fuselage * 2.2),
                       z=(-fuselage * 0.05, fuselage * 0.05)))
    parts.append(block("nose_gear", "steel", "landing_gear", x=(0.35 * length - 0.1, 0.35 * length + 0.1),
                       y=(0, gear), z=(-0.1, 0.1)))
    for side in (-1, 1):
        parts.append(block("main_gear", "steel", "landing_gear", x=(shift - 0.15, shift + 0.15), y=(0, gear),
                           z=sorted((side * half * 0.3, side * half * 0.8))))
    engines = facts.count("engines") or (2 if jet else 1)
    if engines == 1 and not jet:
        parts.append(block("propeller", "carbon_fiber", "rotors", x=(length / 2, length / 2 + 0.1),
                           y=(gear + half - 0.9, gear + half + 0.9), z=(-0.08, 0.08)))
    else:
        pod = min(fuselage * 0.55, wing_low * 0.8)
        per_wing = (engines + 1) // 2
        for index in range(engines):
            side = -1 if index % 2 == 0 else 1
            z = side * spread(per_wing, half + span * 0.12, half + span * 0.3)[index // 2]
            parts.append(block("electric_motor" if "electric" in facts.features else "engine",
                               material_of(facts, "engines", main), "engines",
                               x=(shift - chord / 2 - pod, shift + chord / 2), y=(wing_low - pod, wing_low),
                               z=(z - pod / 2, z + pod / 2)))
    return Layout("airliner" if jet else "light aircraft", parts, main)


def boat(facts: PromptFacts) -> Layout:
    """A hull with a narrower bow, a deck, cabins stacked per deck, and a mast and sail or a motor."""
    kinds = ((("kayak", "canoe"), "kayak", (4.5, 0.35, 0.7)), (("yacht", "superyacht"), "yacht", (18.0, 2.2, 5.5)),
             (("ferry", "ship", "cruise"), "ship", (40.0, 4.0, 10.0)),
             (("sailboat", "sailing", "sail", "sloop"), "sailboat", (10.0, 1.4, 3.3)),
             (("speedboat", "motorboat", "speed", "motor"), "speedboat", (7.0, 1.1, 2.5)))
    noun, default = next(((noun, size) for words, noun, size in kinds if facts.has(*words)), ("boat", (8.0, 1.2, 2.7)))
    length, hull, beam = extents(facts, default, lengthwise=True, proportional=True)
    main = facts.material or ("fiberglass" if noun != "ship" else "steel")
    bow = length / 2 - 0.2 * length
    hull_material = material_of(facts, "hull", main)
    parts = [block("hull", hull_material, "hull", x=(-length / 2, bow), y=(0, hull), z=(-beam / 2, beam / 2)),
             block("bow", hull_material, "hull", x=(bow, length / 2), y=(0, hull), z=(-beam / 4, beam / 4)),
             block("deck", material_of(facts, "deck", "teak" if noun == "yacht" else main), "deck",
                   x=(-length / 2, bow), y=(hull, hull + 0.05), z=(-beam / 2, beam / 2))]
    floor = hull + 0.05
    if noun == "kayak":
        parts.append(block("cockpit_seat", material_of(facts, "seat", "plastic"), "seat", x=(-0.3, 0.2),
                           y=(floor, floor + 0.08), z=(-0.2, 0.2)))
        return Layout(noun, parts, main)
    decks = facts.count("decks", "floors") or {"yacht": 2, "ship": 3}.get(noun, 1)
    cabin_height = min(2.0, 0.25 * length)
    aft, fore, width = -0.3 * length, 0.1 * length, beam * 0.7
    for level in range(decks):
        parts.append(block("cabin", material_of(facts, "cabin", main), "cabin", x=(aft, fore),
                           y=(floor, floor + cabin_height), z=(-width / 2, width / 2), level=level))
        floor += cabin_height
        aft, fore, width = aft * 0.85, fore * 0.85, width * 0.85
    if "solar" in facts.features:
        parts.append(block("solar_panel", "glass", "solar_panels", x=(aft, fore), y=(floor, floor + 0.04),
                           z=(-width / 2, width / 2)))
    if noun == "sailboat" or facts.has("sail", "sails", "mast"):
        mast = (0.12 * length + 0.1, 0.12 * length + 0.25)
        top = hull + 0.05 + 1.3 * length
        parts.append(block("mast", material_of(facts, "mast", "aluminum"), "mast", x=mast, y=(hull + 0.05, top),
                           z=(-0.08, 0.08)))
        parts.append(block("sail", "fabric", "sail", x=(mast[1], mast[1] + 0.25 * length), y=(hull + 1.0, top - 0.3),
                           z=(-0.01, 0.01), color="white"))
    else:
        electric = "electric" in facts.features
        parts.append(block("electric_motor" if electric else "outboard_motor", "aluminum", "engines",
                           x=(-length / 2 - 0.35, -length / 2), y=(0.1, hull + 0.4), z=(-0.2, 0.2)))
    return Layout(noun, parts, main)


def _drone(facts: PromptFacts) -> Layout:
    span, _, _ = extents(facts, (0.45, 0.15, 0.45), lengthwise=False, proportional=True)
    k = span / 0.45
    main = facts.material or "carbon_fiber"
    body, arm_y = 0.06 * k, (0.08 * k, 0.095 * k)
    rotor = 0.07 * k
    tip = span / 2 - rotor
    parts = [block("drone_body", material_of(facts, "body", main), "body", x=(-body, body), y=(0.06 * k, 0.11 * k),
                   z=(-body, body))]
    for side in (-1, 1):
        parts.append(block("landing_skid", "plastic", "landing_gear", x=(-body, body), y=(0, 0.06 * k),
                           z=sorted((side * 0.04 * k, side * 0.05 * k))))
    reach, motor, thin = tip + 0.0125 * k, 0.0125 * k, 0.008 * k
    for axis, sign in (("x", 1), ("x", -1), ("z", 1), ("z", -1)):
        along, across = sorted((sign * body, sign * reach)), (-thin, thin)
        x, z = (sign * tip, 0.0) if axis == "x" else (0.0, sign * tip)
        parts.append(block("arm", material_of(facts, "frame", main), "frame", x=along if axis == "x" else across,
                           y=arm_y, z=across if axis == "x" else along))
        parts.append(block("motor", "aluminum", "engines", x=(x - motor, x + motor),
                           y=(arm_y[1], arm_y[1] + 0.025 * k), z=(z - motor, z + motor)))
        parts.append(block("rotor", "plastic", "rotors", x=(x - rotor, x + rotor),
                           y=(arm_y[1] + 0.025 * k, arm_y[1] + 0.03 * k), z=(z - rotor, z + rotor)))
    parts.append(block("camera", "plastic", "camera", x=(0.01 * k, 0.05 * k), y=(0.02 * k, 0.06 * k),
                       z=(-0.02 * k, 0.02 * k)))
    return Layout("drone", parts, main)
