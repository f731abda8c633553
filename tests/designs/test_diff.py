"""Version diffs and safe ids for model output (designs/diff.py)."""

import copy

from designs.diff import assign_ids, diff


def obj(object_id, *, width=1.0, color=None, editable=True, **extra):
    properties = {"design_type": "furniture", "features": []}
    if color:
        properties["color"] = color
    return {"id": object_id, "type": "block", "material": "oak", "position": {"x": 0.0, "y": 0.0, "z": 0.0},
            "dimensions": {"width": width, "height": 1.0, "depth": 1.0, "units": "meters"}, "editable": editable,
            "properties": properties, **extra}


def test_added_removed_and_changed_objects_are_listed_by_id():
    before = [obj("obj_001"), obj("obj_002"), obj("obj_003")]
    after = [obj("obj_001", width=2.0, color="white"), obj("obj_003"), obj("obj_004")]

    assert diff(before, after) == {
        "added": ["obj_004"],
        "removed": ["obj_002"],
        "changed": [{"id": "obj_001", "fields": {"dimensions.width": {"from": 1.0, "to": 2.0},
                                                 "properties.color": {"from": None, "to": "white"}}}],
    }


def test_identical_versions_have_an_empty_diff():
    objects = [obj("obj_001"), obj("obj_002")]

    assert diff(objects, copy.deepcopy(objects)) == {"added": [], "removed": [], "changed": []}


def test_float_noise_below_a_nanometre_is_not_a_change():
    moved = obj("obj_001")
    moved["position"]["x"] = 1e-12

    assert diff([obj("obj_001")], [moved])["changed"] == []


def test_a_flag_turning_from_true_to_1_is_a_change():
    flipped = obj("obj_001")
    flipped["editable"] = 1

    assert diff([obj("obj_001")], [flipped])["changed"][0]["fields"] == {"editable": {"from": True, "to": 1}}


def test_lists_are_compared_whole():
    tagged = obj("obj_001")
    tagged["properties"]["features"] = ["electric"]

    assert diff([obj("obj_001")], [tagged])["changed"][0]["fields"] == {
        "properties.features": {"from": [], "to": ["electric"]}}


def test_known_ids_are_kept_and_new_objects_numbered_from_next_number():
    previous = [obj("obj_001"), obj("obj_002")]
    output = [obj("obj_002", width=3.0), obj("obj_001"), obj("chair")]

    objects, next_number = assign_ids(previous, output, 7)

    assert [o["id"] for o in objects] == ["obj_002", "obj_001", "obj_007"]
    assert objects[0]["dimensions"]["width"] == 3.0
    assert next_number == 8


def test_missing_duplicate_and_unknown_ids_get_fresh_ones():
    previous = [obj("obj_001")]
    no_id = obj("obj_001")
    del no_id["id"]
    output = [obj("obj_001"), obj("obj_001"), no_id, obj("obj_099")]

    objects, next_number = assign_ids(previous, output, 2)

    assert [o["id"] for o in objects] == ["obj_001", "obj_002", "obj_003", "obj_004"]
    assert next_number == 5


def test_fresh_ids_skip_numbers_already_in_use():
    objects, next_number = assign_ids([obj("obj_001"), obj("obj_003")], [obj("obj_001"), obj("x"), obj("y")], 3)

    assert [o["id"] for o in objects] == ["obj_001", "obj_004", "obj_005"]
    assert next_number == 6


def test_a_locked_object_the_model_changed_is_restored():
    locked = obj("obj_001", editable=False)
    changed = obj("obj_001", width=9.0, editable=True)

    objects, _ = assign_ids([locked], [changed], 2)

    assert objects == [locked]


def test_a_locked_object_the_model_dropped_comes_back():
    locked = obj("obj_002", editable=False)

    objects, next_number = assign_ids([obj("obj_001"), locked], [obj("obj_001")], 3)

    assert objects == [obj("obj_001"), locked]
    assert next_number == 3


def test_the_inputs_are_not_modified():
    previous = [obj("obj_001")]
    output = [obj("obj_001"), obj("obj_001")]
    before = copy.deepcopy(output)

    assign_ids(previous, output, 2)

    assert output == before
