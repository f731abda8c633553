"""A version's change in words above the raw diff (designs.summary)."""

from designs.summary import summarise


def obj(object_id: str, kind: str) -> dict:
    return {"id": object_id, "type": kind}


OBJECTS = [obj("obj_1", "sofa_frame"), *(obj(f"obj_{n}", "sofa_leg") for n in range(2, 6)), obj("obj_6", "cushion")]


def test_sizes_in_metres_and_one_colour_for_many_legs():
    diff = {"added": [], "removed": [], "changed": [
        {"id": "obj_1", "fields": {"dimensions.width": {"from": 1.8, "to": 2.2}}},
        *({"id": f"obj_{n}", "fields": {"color": {"from": "#8b5a2b", "to": "black"}}} for n in range(2, 6)),
    ]}

    assert summarise(diff, OBJECTS) == "sofa frame width 1.8 → 2.2 m, sofa legs black"


def test_materials_moves_additions_and_removals():
    previous = [*OBJECTS, obj("obj_7", "rug")]
    diff = {"added": ["obj_8", "obj_9"], "removed": ["obj_7"], "changed": [
        {"id": "obj_6", "fields": {"material": {"from": "fabric", "to": "velvet"},
                                   "position.x": {"from": 0, "to": 0.2}}},
    ]}
    current = [*OBJECTS, obj("obj_8", "plant"), obj("obj_9", "plant")]

    assert summarise(diff, current, previous) == "cushion velvet, cushion moved, added 2 plants, removed rug"


def test_nothing_changed_says_nothing():
    assert summarise({"added": [], "removed": [], "changed": []}, OBJECTS) == ""
