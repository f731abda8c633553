"""Electronics: computers, phones, IoT devices and circuit boards.

A bare measure in an electronics prompt ("a 27 inch monitor", "a 6.1 inch
phone", "a laptop with a 16 inch screen") is the screen's diagonal, as shops
quote it. Parts sealed inside an enclosure (a sensor's board and battery) are
marked ``solid: false``: they are meant to be inside another object.
"""

import dataclasses

from designs.layouts.parts import Layout, block, box, extents, material_of, spread
from designs.parsing import PromptFacts


def computer(facts: PromptFacts) -> Layout:
    """A laptop, a server rack, or a desktop: tower, monitors on stands, keyboard and mouse."""
    main = facts.material or "aluminum"
    if facts.has("laptop", "notebook", "macbook", "ultrabook"):
        return Layout("laptop", _laptop(facts, main), main)
    if facts.has("server", "rack"):
        return Layout("server rack", _rack(facts, main), main)
    diagonal = _diagonal(facts, 0.61)  # 24 inches
    screen_w, screen_h = diagonal * 0.87, diagonal * 0.49
    # The bare measure is the screen's, so the tower takes only measures with an axis word.
    width, height, depth = extents(facts, (0.2, 0.45, 0.45), lengthwise=False, principal="none")
    screens = facts.count("screens") or 1
    parts = [box("tower_case", material_of(facts, "enclosure", main), "enclosure", w=width, h=height, d=depth,
                 x=-screens * (screen_w + 0.02) / 2 - width / 2 - 0.1)]
    for x in spread(screens, -(screens - 1) * (screen_w + 0.02) / 2, (screens - 1) * (screen_w + 0.02) / 2):
        parts += [box("monitor_stand", "aluminum", "stand", w=0.25, h=0.02, d=0.2, x=x),
                  box("monitor_neck", "aluminum", "stand", w=0.04, h=0.12, d=0.04, x=x, y=0.02),
                  block("monitor_screen", material_of(facts, "screen", "glass"), "screen",
                        x=(x - screen_w / 2, x + screen_w / 2), y=(0.14, 0.14 + screen_h), z=(-0.035, 0.005),
                        color="black")]
    parts += [box("keyboard", material_of(facts, "keyboard", "plastic"), "keyboard", w=0.44, h=0.025, d=0.14, z=0.22),
              box("mouse", "plastic", "mouse", w=0.06, h=0.035, d=0.1, x=0.32, z=0.22)]
    return Layout("desktop computer", parts, main)


def phone(facts: PromptFacts) -> Layout:
    """A phone or tablet standing upright: body, screen on the front, cameras on the back, side buttons."""
    tablet = facts.has("tablet", "ipad")
    diagonal = _diagonal(facts, 0.279 if tablet else 0.155)
    width, height, depth = extents(facts, (diagonal * (0.72 if tablet else 0.46), diagonal * 0.95,
                                           0.007 if tablet else 0.0078), lengthwise=False, principal="none")
    main = facts.material or "aluminum"
    bezel = 0.002
    parts = [block("phone_body", material_of(facts, "body", main), "body", x=(-width / 2, width / 2), y=(0, height),
                   z=(-depth / 2, depth / 2)),
             block("touchscreen", material_of(facts, "screen", "glass"), "screen",
                   x=(-width / 2 + bezel, width / 2 - bezel), y=(bezel, height - bezel),
                   z=(depth / 2, depth / 2 + 0.0006), color="black")]
    for index in range(facts.count("cameras") or (1 if tablet else 2)):
        top = height - 0.008 - index * 0.014
        parts.append(block("camera_lens", "glass", "camera", x=(-width / 2 + 0.006, -width / 2 + 0.018),
                           y=(top - 0.012, top), z=(-depth / 2 - 0.0015, -depth / 2), color="black"))
    for low, high in ((0.62, 0.68), (0.72, 0.8)):
        parts.append(block("side_button", main, "buttons", x=(width / 2, width / 2 + 0.0008),
                           y=(height * low, height * high), z=(-0.0015, 0.0015)))
    return Layout("tablet" if tablet else "smartphone", parts, main)


def iot_device(facts: PromptFacts) -> Layout:
    """A sealed enclosure with its board and battery inside, sensors and an LED on top, an antenna."""
    wearable = facts.has("wearable", "tracker", "smartwatch", "watch", "band")
    width, height, depth = extents(facts, (0.04, 0.012, 0.04) if wearable else (0.08, 0.03, 0.08), lengthwise=False,
                                   proportional=True)
    sealed = bool({"waterproof", "weatherproof"} & set(facts.features))
    main = facts.material or ("polycarbonate" if sealed else "plastic")
    parts = [box("enclosure", material_of(facts, "enclosure", main), "enclosure", w=width, h=height, d=depth),
             box("circuit_board", "fr4", "board", w=width * 0.85, h=0.0016, d=depth * 0.85, y=height * 0.2,
                 solid=False),
             box("battery", "lithium_ion", "battery", w=width * 0.6, h=height * 0.35, d=depth * 0.5,
                 y=height * 0.45, solid=False)]
    sensors = facts.count("sensors") or 1
    for x in spread(sensors, -width * 0.25, width * 0.25):
        size = min(width * 0.4 / sensors, 0.012)
        parts.append(box("sensor_module", "plastic", "sensors", w=size, h=0.002, d=size, x=x, y=height,
                         z=-depth * 0.15))
    parts.append(box("status_led", "acrylic", "led", w=0.004, h=0.0015, d=0.004, x=width * 0.35, y=height,
                     z=depth * 0.35, color="lime"))
    if not wearable and ("wireless" in facts.features or "smart" in facts.features or facts.has("iot")):
        parts.append(box("antenna", "plastic", "antenna", w=0.006, h=height * 1.5, d=0.006, x=-width * 0.4, y=height,
                         z=depth * 0.4))
    return Layout("wearable tracker" if wearable else "IoT sensor", parts, main)


def circuit(facts: PromptFacts) -> Layout:
    """A board on four standoffs with a microcontroller, pin header, USB connector, capacitors and sensors."""
    if facts.has("arduino"):
        default, noun = (0.0686, 0.0016, 0.0534), "Arduino-style board"
    elif facts.has("raspberry", "pi"):
        default, noun = (0.085, 0.0016, 0.056), "single-board computer"
    else:
        default, noun = (0.1, 0.0016, 0.08), "circuit board"
    # A board keeps its shape when one side is given: "5 cm long" narrows it too, so its length stays
    # its long side. Its thickness is not part of that shape (a "10 mm" board would be huge).
    width, _, depth = extents(dataclasses.replace(facts, height=None), default, lengthwise=True, proportional=True)
    board = min(facts.height or default[1] * facts.scale, 0.0032)
    main = facts.material or "fr4"
    lift = 0.006
    half_w, half_d = width / 2, depth / 2
    parts = [box("pcb", material_of(facts, "board", main), "board", w=width, h=board, d=depth, y=lift,
                 color="darkgreen")]
    for x in (-half_w + 0.0035, half_w - 0.0035):
        for z in (-half_d + 0.0035, half_d - 0.0035):
            parts.append(box("standoff", "brass", "standoffs", w=0.005, h=lift, d=0.005, x=x, z=z))
    top = lift + board
    parts.append(box("microcontroller", "plastic", "chips", w=depth * 0.2, h=0.0015, d=depth * 0.2, y=top,
                     color="black"))
    parts.append(block("pin_header", "plastic", "connectors", x=(-half_w + 0.01, half_w - 0.01), y=(top, top + 0.0085),
                       z=(-half_d + 0.001, -half_d + 0.0035), color="black"))
    ports = facts.count("ports") or 1
    reach = min(depth * 0.04, depth * 0.12 / ports)  # connectors side by side along the edge, never touching
    for z in spread(ports, -depth * 0.15, depth * 0.15):
        parts.append(block("usb_connector", "steel", "connectors", x=(-half_w, -half_w + 0.012), y=(top, top + 0.004),
                           z=(z - reach, z + reach)))
    for x in (width * 0.2, width * 0.3):
        parts.append(box("capacitor", "aluminum", "capacitors", w=0.004, h=0.006, d=0.004, x=x, y=top, z=-depth * 0.1))
    sensors = facts.count("sensors") or 0
    for x in spread(sensors, -width * 0.3, width * 0.3) if sensors else []:
        size = min(0.008, width * 0.5 / sensors)
        parts.append(box("sensor", "plastic", "sensors", w=size, h=0.003, d=size, x=x, y=top, z=depth * 0.32))
    return Layout(noun, parts, main)


def _diagonal(facts: PromptFacts, default: float) -> float:
    """The screen's diagonal: the bare measure of the device ("a 6.1 inch phone") or of its screen
    ("a 27 inch monitor", "with a 16 inch screen"), else ``default``."""
    return facts.size or facts.part_sizes.get("screen") or default


def _laptop(facts: PromptFacts, main: str) -> list[dict]:
    diagonal = _diagonal(facts, 0.356)  # 14 inches
    width, depth, lid = diagonal * 0.9, diagonal * 0.62, diagonal * 0.6
    thick = 0.016 if facts.build == "slim" else 0.02
    return [block("laptop_base", material_of(facts, "base", main), "base", x=(-width / 2, width / 2), y=(0, thick),
                  z=(-depth / 2, depth / 2)),
            block("keyboard", "plastic", "keyboard", x=(-width / 2 + 0.02, width / 2 - 0.02), y=(thick, thick + 0.001),
                  z=(-depth / 2 + 0.03, depth * 0.1), color="black"),
            block("lid", material_of(facts, "enclosure", main), "enclosure", x=(-width / 2, width / 2),
                  y=(thick, thick + lid), z=(-depth / 2, -depth / 2 + 0.006)),
            block("laptop_screen", material_of(facts, "screen", "glass"), "screen",
                  x=(-width / 2 + 0.01, width / 2 - 0.01), y=(thick + 0.01, thick + lid - 0.01),
                  z=(-depth / 2 + 0.006, -depth / 2 + 0.0066), color="black")]


def _rack(facts: PromptFacts, main: str) -> list[dict]:
    # A rack is sized in 2U units of 88.9 mm: "a 2 m tall rack" holds as many as fit above the plinth.
    plinth, unit = 0.1, 0.0889
    units = facts.count("shelves", "floors") or (max(1, round((facts.height - plinth) / unit)) if facts.height else 6)
    parts = [box("rack_plinth", "steel", "base", w=0.6, h=plinth, d=1.0)]
    for index in range(units):
        parts.append(box("server_unit", material_of(facts, "enclosure", main), "enclosure", w=0.6, h=unit, d=1.0,
                         y=plinth + index * unit))
    return parts
