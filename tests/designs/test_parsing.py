"""Prompt facts read by rules (designs/parsing.py): sizes in metres, counts, materials, colours, features."""

import dataclasses

import pytest

from designs.parsing import PromptFacts, parse_counts, parse_prompt, parse_sizes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a 1.8 m table", {"size": 1.8}),
        ("a 180 cm sofa", {"size": 1.8}),
        ("a 1800mm bench", {"size": 1.8}),
        ("a 6 ft table", {"size": 1.8288}),
        ("a 24 inch monitor", {"size": 0.6096}),
        ("2 x 1 x 0.8 m", {"length": 2.0, "depth": 1.0, "height": 0.8}),
        ("200 x 100 x 80 cm", {"length": 2.0, "depth": 1.0, "height": 0.8}),
        ("2m x 1m rug", {"length": 2.0, "depth": 1.0}),
        ("a board 85 mm by 56 mm", {"length": 0.085, "depth": 0.056}),  # the "m" of a second "mm" is not metres
        ("85 by 56 mm", {"length": 0.085, "depth": 0.056}),
        ("a 2 x 3 grid", {}),
        ("1.8 m long", {"length": 1.8}),
        ("75 cm high", {"height": 0.75}),
        ("90 cm wide and 40 cm deep", {"width": 0.9, "depth": 0.4}),
        ("2 m tall", {"height": 2.0}),
        ("75 cm in height", {"height": 0.75}),
        ("a height of 2.4 m", {"height": 2.4}),
        ("6 ft 2 in tall", {"height": 1.8796}),
    ],
)
def test_sizes_are_read_in_metres_by_axis_word(text, expected):
    assert parse_sizes(text) == expected


def test_a_bare_in_after_a_number_is_the_preposition_not_inches():
    facts = parse_prompt("a table for 4 in oak")

    assert facts.size is None
    assert facts.counts == {"seats": 4}
    assert facts.materials == ("oak",)


@pytest.mark.parametrize(
    ("text", "part_sizes"),
    [
        ("a red hatchback on 18 inch wheels", {"wheels": 0.4572}),
        ("a hatchback on 18 inch alloy wheels", {"wheels": 0.4572}),  # after a material word
        ("an oak table with 70 cm legs", {"legs": 0.7}),
        ("a bookcase with 30 cm shelves", {"shelves": 0.3}),
        ("a workstation with two 27\" screens", {"screen": 0.6858}),  # a plural the part table does not list
    ],
)
def test_a_bare_measure_before_a_part_measures_that_part_not_the_design(text, part_sizes):
    facts = parse_prompt(text)

    assert facts.size is None
    assert facts.part_sizes == part_sizes


@pytest.mark.parametrize(("text", "size"), [("a desk with a 1.6 m top", 1.6), ("a 2 m sofa bed", 2.0),
                                            ("a 6 ft leather sofa", 1.8288)])
def test_a_bare_measure_of_the_whole_body_or_before_a_non_part_is_the_design_size(text, size):
    facts = parse_prompt(text)

    assert facts.size == size
    assert facts.part_sizes == {}


def test_an_edit_clause_reads_a_part_measure_as_its_size():
    # The edit already knows its part from the clause ("fit 18 inch wheels"); the measure is its new size.
    assert parse_sizes("fit 18 inch wheels") == {"size": 0.4572}


def test_the_first_size_for_an_axis_wins():
    assert parse_sizes("1.8 m long, later 2 m long")["length"] == 1.8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a dining table for six", {"seats": 6}),
        ("maximum 4 seats", {"seats": 4}),
        ("with two chairs", {"chairs": 2}),
        ("an office with 3 floors", {"floors": 3}),
        ("a 10-storey apartment block", {"floors": 10}),
        ("a two-storey house", {"floors": 2}),
        ("a 6-seater sofa", {"seats": 6}),
        ("a twin engine plane", {"engines": 2}),
        ("a warehouse with 4 loading bays", {"bays": 4}),
        ("a table with 4 solid oak legs", {"legs": 4}),
        ("a bookshelf with five shelves and 2 doors", {"shelves": 5, "doors": 2}),
    ],
)
def test_counts_are_read_with_digits_and_words(text, expected):
    assert parse_counts(text) == expected


@pytest.mark.parametrize("text", ["a 6 ft table", "2 x 1 x 0.8 m cabinet", "a 1.8 m table for the hall"])
def test_measures_are_not_counts(text):
    assert parse_counts(text) == {}


@pytest.mark.parametrize(
    ("text", "material"),
    [
        ("oak table", "oak"), ("walnut desk", "walnut"), ("steel frame", "steel"), ("aluminium case", "aluminum"),
        ("aluminum case", "aluminum"), ("glass vase", "glass"), ("carbon fiber bike", "carbon_fiber"),
        ("carbon fibre bike", "carbon_fiber"), ("carbon-fibre bike", "carbon_fiber"), ("concrete tower", "concrete"),
        ("brick house", "brick"), ("plastic chair", "plastic"), ("fabric sofa", "fabric"),
        ("leather armchair", "leather"), ("marble sculpture", "marble"), ("wooden stool", "wood"),
        ("stainless steel fridge", "stainless_steel"), ("alloy wheels", "aluminum"),
    ],
)
def test_materials_have_one_spelling(text, material):
    assert parse_prompt(text).materials == (material,)


def test_a_colour_next_to_a_part_belongs_to_that_part():
    facts = parse_prompt("oak dining table for six, 1.8 m long, white legs and a black top")

    assert facts.part_colors == {"legs": "white", "top": "black"}
    assert facts.color is None


def test_a_colour_after_a_part_belongs_to_it_too():
    assert parse_prompt("legs black").part_colors == {"legs": "black"}
    assert parse_prompt("the top in walnut").part_materials == {"top": "walnut"}


def test_a_colour_not_next_to_a_part_is_the_design_colour():
    facts = parse_prompt("a red sports car with grey wheels")

    assert facts.color == "red"
    assert facts.part_colors == {"wheels": "gray"}


def test_a_shade_joins_its_colour_when_css_knows_the_name():
    assert parse_prompt("a dark blue sofa").color == "darkblue"


def test_a_material_next_to_a_part_is_that_part_and_not_the_main_material():
    facts = parse_prompt("a walnut table with a glass top and black steel legs")

    assert facts.part_materials == {"top": "glass", "legs": "steel"}
    assert facts.part_colors == {"legs": "black"}
    assert facts.material == "walnut"


@pytest.mark.parametrize(
    ("text", "features"),
    [
        ("Modern electric vehicle with aerodynamic design", ("electric", "aerodynamic")),
        ("Smart home IoT sensor with WiFi connectivity", ("smart", "wireless")),
        ("a foldable eco-friendly chair", ("foldable", "sustainable")),
        ("must be environmentally friendly", ("sustainable",)),
        ("a smartphone", ()),
    ],
)
def test_features_are_read_in_prompt_order(text, features):
    assert parse_prompt(text).features == features


def test_size_and_style_words_set_scale_and_build():
    assert parse_prompt("a small table").scale == 0.8
    assert parse_prompt("a huge warehouse").scale == 1.5
    assert parse_prompt("a minimalist desk").build == "slim"
    assert parse_prompt("a rustic farmhouse table").build == "sturdy"
    assert parse_prompt("a desk").build == "regular"


def test_prompt_facts_are_frozen():
    facts = parse_prompt("oak table")

    assert isinstance(facts, PromptFacts)
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.color = "red"
