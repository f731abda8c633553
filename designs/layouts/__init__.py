"""Per-category layouts: prompt facts to boxes, and the re-layout of dependent parts after an edit.

``build`` picks the category's layout; ``relayout`` puts the parts that depend
on others (legs under a top, chairs around it, floors under a roof, shelves in
a carcass, wheels beside a body) back in place after an edit moved things.
"""

from collections.abc import Callable

from designs.layouts import appliances, buildings, craft, decor, electronics, seating, storage, vehicles
from designs.layouts.parts import Layout
from designs.parsing import PromptFacts

_BUILDERS: dict[tuple[str, str], Callable[[PromptFacts], Layout]] = {
    ("building", "residential"): lambda facts: buildings.building(facts, "residential"),
    ("building", "commercial"): lambda facts: buildings.building(facts, "commercial"),
    ("building", "industrial"): lambda facts: buildings.building(facts, "industrial"),
    ("vehicle", "car"): vehicles.car,
    ("vehicle", "truck"): vehicles.truck,
    ("vehicle", "motorcycle"): vehicles.motorcycle,
    ("vehicle", "aircraft"): craft.aircraft,
    ("vehicle", "boat"): craft.boat,
    ("electronics", "computer"): electronics.computer,
    ("electronics", "phone"): electronics.phone,
    ("electronics", "iot_device"): electronics.iot_device,
    ("electronics", "circuit"): electronics.circuit,
    ("appliance", "kitchen"): appliances.kitchen,
    ("appliance", "laundry"): appliances.laundry,
    ("appliance", "hvac"): appliances.hvac,
    ("appliance", "smart_home"): appliances.smart_home,
    ("furniture", "chair"): seating.chair,
    ("furniture", "table"): seating.table,
    ("furniture", "storage"): storage.storage,
    ("furniture", "decorative"): decor.decorative,
}

# Each re-layout only touches the roles it knows, so running all of them is safe for any design.
_RELAYOUTS: tuple[Callable[[list[dict]], None], ...] = (
    seating.relayout_table, seating.relayout_chair, storage.relayout_storage, buildings.relayout_floors,
    vehicles.relayout_wheels,
)


def build(design_type: str, category: str, facts: PromptFacts) -> Layout:
    """The parts of a ``design_type``/``category`` design sized from ``facts``."""
    return _BUILDERS[design_type, category](facts)


def relayout(objects: list[dict]) -> None:
    """Put dependent parts of ``objects`` back in place, in place; objects with ``editable: false`` stay put."""
    for step in _RELAYOUTS:
        step(objects)
