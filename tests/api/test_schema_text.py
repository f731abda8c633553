"""The schema states the text rule the parsers enforce (config.api.schema.state_text_rules)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from drf_spectacular.generators import SchemaGenerator

from config.api.parsers import FORBIDDEN_CHARACTERS
from config.api.schema import FILLED_TEXT_PATTERN, FORM_PATTERNS, TEXT_PATTERN
from config.net import HTTP_URL_PATTERN


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

    assert name["pattern"] == FILLED_TEXT_PATTERN  # DRF trims it and refuses it blank
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


@pytest.mark.parametrize(("text", "filled"), [("a", True), ("  a  ", True), ("é", True), ("", False),
                                              ("   ", False), ("\t\n", False), ("a\x00", False)])
def test_filled_text_is_text_with_something_not_a_space(text, filled):
    assert bool(re.fullmatch(FILLED_TEXT_PATTERN, text)) is filled


@pytest.mark.parametrize(("url", "valid"), [
    ("https://hooks.example.com/in", True), ("http://a.io:8080/x?y=1", True), ("HTTPS://Example.COM", True),
    ("http://10.0.0.5/hook", True), ("http://localhost:8000/", True), ("https://example.com#top", True),
    ("disconnect", False), ("ftp://example.com", False), ("https://qlt.0up.org*", False), ("https://", False),
    ("http://999.1.1.1/", False), ("http://example.com:65536/", False), ("http://[::1]/hook", False),
    ("https://-bad.example.com", False), ("http://a b.com/", False)])
def test_the_url_pattern_is_what_django_and_the_policy_take_and_no_more(url, valid):
    assert bool(re.fullmatch(HTTP_URL_PATTERN, url)) is valid
    if valid:  # everything the pattern takes, Django's validator takes too
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            pytest.fail(f"URLValidator refuses {url}")


def test_the_schema_is_openapi_3_1_so_key_rules_are_stated(schema):
    # propertyNames is JSON Schema; OpenAPI 3.0's schema subset has no such keyword.
    character = schema["components"]["schemas"]["CharacterInputRequest"]
    assert schema["openapi"].startswith("3.1")
    assert character["propertyNames"] == {"pattern": TEXT_PATTERN}


def test_extra_keys_and_free_form_values_hold_clean_json_and_forms_hold_text(schema):
    components = schema["components"]["schemas"]
    free_form = {"$ref": "#/components/schemas/FreeFormValue"}

    assert components["CharacterInputRequest"]["additionalProperties"] == free_form
    assert components["RuleInputRequest"]["properties"]["trigger_config"]["additionalProperties"] == free_form
    # A form's text may not hold U+FFFD either: the parser cannot tell it from a byte that was not UTF-8.
    assert components["DirectUploadInputRequest"]["additionalProperties"] == {
        "type": "string", "pattern": FORM_PATTERNS[TEXT_PATTERN]}
    assert re.fullmatch(TEXT_PATTERN, "caf\ufffd") and not re.fullmatch(FORM_PATTERNS[TEXT_PATTERN], "caf\ufffd")
    leaves = components["FreeFormValue2"]["anyOf"]
    assert {"type": "string", "pattern": TEXT_PATTERN} in leaves and all("$ref" not in str(leaf) for leaf in leaves)


def test_rules_the_services_check_are_stated(schema):
    components = schema["components"]["schemas"]

    assert components["RuleInputRequest"]["properties"]["trigger_type"] == {
        "$ref": "#/components/schemas/TriggerTypeEnum"}
    assert {"required": ["target_id"], "properties": {"target_id": {"pattern": "\\S"}}} in \
        components["EngagementInputRequest"]["anyOf"]
    compose = components["ComposeInputRequest"]["anyOf"]
    assert {"required": ["media"], "properties": {"media": {"minItems": 1}}} in compose
    assert components["GenerationSettingsRequest"]["properties"]["width"]["multipleOf"] == 8
    assert components["PresignedUrlInputRequest"]["properties"]["file_size_bytes"]["maximum"] > 0
    assert components["WebhookInputRequest"]["properties"]["url"]["pattern"] == HTTP_URL_PATTERN
