"""The physics check (designs/physics.py): each correction and each rejection."""

import copy
import math

import pytest

from designs.physics import PhysicsRejected, box_of, check


def cube(object_id, *, x=0.0, y=0.0, z=0.0, w=1.0, h=1.0, d=1.0, units="meters", editable=True, solid=True):
    return {
        "id": object_id, "type": "block", "material": "oak", "position": {"x": x, "y": y, "z": z},
        "dimensions": {"width": w, "height": h, "depth": d, "units": units}, "editable": editable,
        "properties": {"design_type": "furniture", "features": [], "solid": solid},
    }


def overlap(a, b):
    return all(min(p[1], q[1]) - max(p[0], q[0]) > 1e-6 for p, q in zip(box_of(a), box_of(b), strict=True))


def rejection(objects, **options):
    with pytest.raises(PhysicsRejected) as caught:
        check(objects, **options)
    return " ".join(caught.value.reasons)


def test_sane_objects_pass_unchanged_with_a_computed_bounding_box():
    objects = [cube("obj_001", x=-0.5), cube("obj_002", x=0.5, h=2.0)]

    result = check(objects)

    assert result.corrections == []
    assert result.objects == objects
    assert result.bounding_box == {"width": 2.0, "height": 2.0, "depth": 1.0, "units": "meters"}


def test_the_input_objects_are_not_modified():
    objects = [cube("obj_001", w=-1.0, y=-0.5), cube("obj_002", x=0.99)]
    before = copy.deepcopy(objects)

    check(objects)

    assert objects == before


def test_a_negative_size_is_made_positive_and_listed():
    result = check([cube("obj_001", w=-2.0)])

    assert result.objects[0]["dimensions"]["width"] == 2.0
    assert result.corrections == ["obj_001 had a negative width (-2); made it positive."]


@pytest.mark.parametrize(("value", "words"), [(0, "zero height"), (0.0, "zero height"),
                                              (math.nan, "not a finite number"), (math.inf, "not a finite number"),
                                              ("tall", "not a number"), (None, "not a number"), (True, "not a number")])
def test_a_zero_or_non_numeric_size_is_rejected(value, words):
    assert words in rejection([cube("obj_001", h=value)])
    assert "obj_001" in rejection([cube("obj_001", h=value)])


@pytest.mark.parametrize(("units", "factor"), [("cm", 0.01), ("mm", 0.001), ("ft", 0.3048), ("feet", 0.3048),
                                               ("inches", 0.0254), ("in", 0.0254), ("m", 1.0), ("Meters", 1.0)])
def test_other_units_are_converted_to_meters(units, factor):
    result = check([cube("obj_001", x=100, w=50, h=200, d=10, units=units)])

    obj = result.objects[0]
    assert obj["dimensions"] == {"width": round(50 * factor, 4), "height": round(200 * factor, 4),
                                 "depth": round(10 * factor, 4), "units": "meters"}
    assert obj["position"]["x"] == round(100 * factor, 4)
    assert result.corrections == [f'obj_001 was in "{units}"; converted to meters.']


def test_missing_units_are_taken_as_meters():
    obj = cube("obj_001")
    del obj["dimensions"]["units"]

    result = check([obj])

    assert result.objects[0]["dimensions"]["units"] == "meters"
    assert result.corrections == ["obj_001 had no units; took them as meters."]


def test_unknown_units_are_rejected():
    assert 'obj_001 uses unknown units "parsecs"' in rejection([cube("obj_001", units="parsecs")])


def test_an_object_below_the_ground_is_lifted():
    result = check([cube("obj_001", y=-0.25)])

    assert result.objects[0]["position"]["y"] == 0.0
    assert result.corrections == ["obj_001 was below the ground (y = -0.25); lifted to y = 0."]


def test_touching_faces_are_not_an_overlap():
    objects = [cube("obj_001"), cube("obj_002", x=1.0), cube("obj_003", y=1.0), cube("obj_004", z=1.0 + 5e-7)]

    assert check(objects).corrections == []


def test_a_small_overlap_moves_the_later_object_apart_along_the_shallowest_axis():
    result = check([cube("obj_001"), cube("obj_002", x=0.99, z=0.5)])

    moved = result.objects[1]
    assert moved["position"] == {"x": 1.0, "y": 0.0, "z": 0.5}
    assert not overlap(result.objects[0], moved)
    assert result.corrections == ["obj_002 overlapped obj_001 by 10.0 mm; moved it +0.0100 m along x."]


def test_an_overlap_within_five_percent_of_the_smaller_object_is_corrected():
    result = check([cube("obj_001", w=2.0, h=2.0, d=2.0), cube("obj_002", x=1.95, w=2.0, h=2.0, d=2.0)])

    assert result.objects[1]["position"]["x"] == 2.0
    assert "obj_002 overlapped obj_001 by 50.0 mm" in result.corrections[0]


def test_the_earlier_object_moves_when_the_later_one_is_not_editable():
    result = check([cube("obj_001"), cube("obj_002", x=0.99, editable=False)])

    assert result.objects[0]["position"]["x"] == -0.01
    assert result.objects[1]["position"]["x"] == 0.99
    assert result.corrections[0].startswith("obj_001 overlapped obj_002")


def test_an_object_is_pushed_up_rather_than_into_the_ground():
    result = check([cube("obj_001", y=0.5, w=3.0, d=3.0), cube("obj_002", y=0.0, h=0.51)])

    assert not overlap(*result.objects)
    assert all(obj["position"]["y"] >= 0 for obj in result.objects)


def test_separating_two_objects_may_push_one_into_a_third_and_that_is_fixed_too():
    result = check([cube("obj_001"), cube("obj_002", x=0.99), cube("obj_003", x=1.995)])

    assert not any(overlap(a, b) for i, a in enumerate(result.objects) for b in result.objects[i + 1:])
    assert len(result.corrections) == 2


def test_objects_that_are_not_solid_may_overlap():
    assert check([cube("obj_001"), cube("obj_002", w=0.5, solid=False)]).corrections == []


def test_a_large_overlap_is_rejected():
    assert "obj_001 and obj_002 overlap by 0.500 m, too much to correct." in rejection(
        [cube("obj_001"), cube("obj_002", x=0.5)])


def test_an_overlap_between_two_locked_objects_is_rejected():
    reasons = rejection([cube("obj_001", editable=False), cube("obj_002", x=0.99, editable=False)])

    assert "obj_001 and obj_002 overlap and neither is editable." in reasons


@pytest.mark.parametrize(("options", "words"), [({"w": 2500.0}, "more than 2 km"), ({"x": -3000.0}, "more than 2 km")])
def test_absurd_sizes_and_positions_are_rejected(options, words):
    assert words in rejection([cube("obj_001", **options)])


def test_more_than_500_objects_are_rejected():
    assert "at most 500" in rejection([cube(f"obj_{n:03d}", x=n * 2.0) for n in range(501)])


def test_a_design_without_objects_is_rejected():
    assert "no objects" in rejection([])


def test_an_object_without_dimensions_is_rejected():
    assert "obj_001 has no dimensions or position." in rejection([{"id": "obj_001", "position": {}}])


def test_every_reason_is_reported_at_once():
    with pytest.raises(PhysicsRejected) as caught:
        check([cube("obj_001", w=0), cube("obj_002", h=math.nan)])

    assert len(caught.value.reasons) == 2


def test_a_bounding_box_that_holds_the_objects_is_kept():
    given = {"width": 50.0, "height": 20.0, "depth": 50.0, "units": "meters"}

    result = check([cube("obj_001")], bounding_box=given)

    assert result.bounding_box == given
    assert result.corrections == []


def test_a_bounding_box_too_small_is_enlarged_and_listed():
    result = check([cube("obj_001", x=2.0, h=3.0)], bounding_box={"width": 1.0, "height": 1.0, "depth": 5.0,
                                                                  "units": "meters"})

    assert result.bounding_box == {"width": 5.0, "height": 3.0, "depth": 5.0, "units": "meters"}
    assert result.corrections == ["The scene bounding box was too small for the objects; enlarged it to 5 x 3 x 5 m."]


def test_a_bounding_box_in_other_units_is_converted():
    result = check([cube("obj_001")], bounding_box={"width": 200, "height": 200, "depth": 200, "units": "cm"})

    assert result.bounding_box == {"width": 2.0, "height": 2.0, "depth": 2.0, "units": "meters"}
    assert result.corrections == ['The scene bounding box was in "cm"; converted to meters.']


def test_an_invalid_bounding_box_is_recomputed():
    result = check([cube("obj_001")], bounding_box={"width": -1, "height": "big", "depth": 1, "units": "meters"})

    assert result.bounding_box == {"width": 1.0, "height": 1.0, "depth": 1.0, "units": "meters"}
    assert result.corrections == ["The scene bounding box was not valid; computed it from the objects."]
