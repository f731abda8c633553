"""OpenAPI links: each create names where its new id goes (config.api.schema.add_links).

Without them Schemathesis's stateful tests and generated clients call object
routes only with ids that do not exist.
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

# Reached from a list (GET), not from a create: links start at the operation that makes the object.
# An image's fix needs its product's id too, which seed 001's upload answer does not carry.
NOT_FROM_A_CREATE = {"platform_webhooks_deliveries_resend_create", "catalog_products_images_fix_create"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _links(schema):
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                for name, link in response.get("links", {}).items():
                    yield path, operation, status, name, link


def test_every_operation_on_an_object_is_reached_by_a_link(schema):
    targets = {link["operationId"] for *_, link in _links(schema)}
    on_objects = {operation["operationId"] for path, operations in schema["paths"].items()
                  for operation in operations.values() if re.search(r"\{\w*id\}", path)}

    assert on_objects - targets == NOT_FROM_A_CREATE


def test_a_link_fills_every_id_of_its_target_from_the_response_or_the_request(schema):
    paths_by_operation = {operation["operationId"]: path for path, operations in schema["paths"].items()
                          for operation in operations.values()}
    for path, _operation, _status, _name, link in _links(schema):
        target = paths_by_operation[link["operationId"]]
        ids = [name for name in re.findall(r"\{(\w+)\}", target) if name.endswith("id")]
        assert set(ids) <= set(link["parameters"]), (path, link)
        for expression in link["parameters"].values():
            if expression.startswith("$request.path."):
                assert "{" + expression.removeprefix("$request.path.") + "}" in path
            else:
                assert re.fullmatch(r"\$response\.body#(/data)?/\w+", expression), expression


def test_the_products_create_links_to_the_product(schema):
    links = schema["paths"]["/api/v1/products"]["post"]["responses"]["201"]["links"]

    assert links["catalog_products_retrieve"]["parameters"] == {"product_id": "$response.body#/id"}


def test_camel_case_documents_link_by_their_own_field_names(schema):
    links = schema["paths"]["/api/floorplan/sessions"]["post"]["responses"]["201"]["links"]

    assert links["floorplans_sessions_retrieve"]["parameters"] == {"session_id": "$response.body#/sessionId"}
