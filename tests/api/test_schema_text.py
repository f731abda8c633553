"""The schema states the text rule the parsers enforce (config.api.schema.state_text_rules)."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from config.api.parsers import FORBIDDEN_CHARACTERS
from config.api.schema import TEXT_PATTERN


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize("text", ["plain", "tab\there", "lines\r\nand more", "émoji 🛋", ""])
def test_the_pattern_accepts_what_the_parsers_accept(text):
    assert re.fullmatch(TEXT_PATTERN, text) and not FORBIDDEN_CHARACTERS.search(text)


@pytest.mark.parametrize("text", ["\x00", "bell\x07", "esc\x1b[31m", "\x0b"])
def test_the_pattern_refuses_what_the_parsers_refuse(text):
    assert not re.fullmatch(TEXT_PATTERN, text) and FORBIDDEN_CHARACTERS.search(text)


def test_request_text_fields_and_query_strings_carry_the_pattern(schema):
    name = schema["components"]["schemas"]["CharacterInputRequest"]["properties"]["name"]
    status = next(p for p in schema["paths"]["/api/v1/products"]["get"]["parameters"] if p["name"] == "category")

    assert name["pattern"] == TEXT_PATTERN
    assert status["schema"]["pattern"] == TEXT_PATTERN


def test_responses_and_enumerations_are_left_alone(schema):
    components = schema["components"]["schemas"]
    enumerations = [component for component in components.values() if "enum" in component]

    assert "pattern" not in components["Product"]["properties"]["title"]
    assert enumerations and all("pattern" not in component for component in enumerations)


def test_paging_parameters_state_the_bounds_the_parsers_enforce(schema):
    from config.api.pagination import BOUNDS

    for path, method in (("/api/v1/products", "get"), ("/api/v1/jobs", "get"), ("/api/v1/posts", "get")):
        for parameter in schema["paths"][path][method]["parameters"]:
            if parameter["name"] in BOUNDS:
                bounds = (parameter["schema"]["minimum"], parameter["schema"]["maximum"])
                assert bounds == BOUNDS[parameter["name"]], (path, parameter)
