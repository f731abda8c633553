"""Issue 16: every page, limit and offset parameter of every API list endpoint is bounded.

Fuzzing in production mode found ``GET /api/v1/products?page=32589158477190044730``
answering 500: PostgreSQL's OFFSET overflowed. Out of range is now the app's
validation error, in its envelope, never a 500. The list endpoints are found by
walking the URL resolver: a GET that pages (through ``config/api/pagination.py``
or by reading a paging parameter itself) and is not registered in ``LISTS``
fails ``test_every_paged_list_is_registered``. Run against PostgreSQL
(``DATABASE_URL``) this is the overflow's regression test.
"""

import inspect
import re

import pytest
from django.urls import URLResolver, get_resolver
from rest_framework.views import APIView

from config.api.pagination import MAX_OFFSET

pytestmark = pytest.mark.django_db

HUGE = "32589158477190044730"  # the fuzzer's page: past PostgreSQL's bigint
CATALOG, PERSONAS, PLATFORM = "catalog", "personas", "platform"

# Route (as the resolver spells it) -> its paging parameters and whose envelope answers.
LISTS: dict[str, tuple[tuple[str, ...], str]] = {
    "api/v1/products": (("page", "page_size"), CATALOG),
    "api/v1/jobs": (("limit", "offset"), CATALOG),
    "api/v1/characters": (("limit", "offset"), PERSONAS),
    "api/v1/content": (("limit", "offset"), PERSONAS),
    "api/v1/posts": (("limit", "offset"), PERSONAS),
    "api/v1/scheduled-posts": (("limit", "offset"), PERSONAS),
    "api/v1/automation-rules": (("limit", "offset"), PERSONAS),
    "api/v1/engagement/actions": (("limit", "offset"), PERSONAS),
    "api/v1/webhooks/<uuid:webhook_id>/deliveries": (("limit", "offset"), PLATFORM),
}
CASES = [(route, param) for route, (params, _) in LISTS.items() for param in params]

# Out of range for every parameter: past any integer column, negative, not integers, a NUL byte.
REFUSED_EVERYWHERE = [HUGE, "-1", "abc", "1e3", "1.5", "\x00"]
# Out of range for these parameters only: an offset of 0 is the first row, and 10**6 rows in is allowed.
REFUSED = {
    "page": [*REFUSED_EVERYWHERE, "0", str(MAX_OFFSET // 100 + 2)],
    "page_size": [*REFUSED_EVERYWHERE, "0", "101", str(10**6)],
    "limit": [*REFUSED_EVERYWHERE, "0", "101", str(10**6)],
    "offset": [*REFUSED_EVERYWHERE, str(MAX_OFFSET + 1)],
}
# The edges that are allowed: an empty page, not an error.
ACCEPTED = {
    "page": ["1", str(MAX_OFFSET // 100 + 1)],
    "page_size": ["1", "100"],
    "limit": ["1", "100"],
    "offset": ["0", str(10**6), str(MAX_OFFSET)],
}

# A GET that pages: the shared parsers, personas' ``page()`` helper, or a paging parameter read by hand.
PAGING = re.compile(r"limit_params\(|page_params\(|\bpage\(request\b"
                    r"|(?:query_params|GET)\s*(?:\.get\(|\[)\s*[\"'](?:page|page_size|per_page|limit|offset)[\"']")


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def paged_routes() -> set[str]:
    found = set()
    for route, callback in _routes(get_resolver().url_patterns):
        view = getattr(callback, "cls", None)
        if isinstance(view, type) and issubclass(view, APIView) and hasattr(view, "get") \
                and PAGING.search(inspect.getsource(view.get)):
            found.add(route)
    return found


@pytest.fixture
def url_of(owner):
    """The request path of a route, with the owner's objects in its path parameters."""
    from config.webhooks import services as webhooks

    endpoint, _ = webhooks.create_endpoint(owner, url="https://hooks.example.com/paging", events=[])
    return lambda route: "/" + route.replace("<uuid:webhook_id>", str(endpoint.pk))


def assert_validation_error(response, app: str, param: str) -> None:
    body = response.json()
    if app == PERSONAS:  # seed 003: 400 with the personas envelope
        assert response.status_code == 400, body
        assert body["success"] is False and body["error"]["code"] == "VALIDATION_ERROR", body
        assert param in body["error"]["message"]
    else:  # seed 001 and the platform: FastAPI's 422 with {"detail": "..."}
        assert response.status_code == 422, body
        assert set(body) == {"detail"} and param in body["detail"], body


def test_every_paged_list_is_registered():
    assert paged_routes() == set(LISTS), "register each paged list endpoint in LISTS"


@pytest.mark.parametrize(("route", "param"), CASES)
def test_out_of_range_paging_is_the_apps_validation_error(owner_api, url_of, route, param):
    _, app = LISTS[route]
    for value in REFUSED[param]:
        response = owner_api.get(url_of(route), {param: value})

        assert_validation_error(response, app, param)


@pytest.mark.parametrize(("route", "param"), CASES)
def test_the_edges_of_the_range_answer_a_page(owner_api, url_of, route, param):
    for value in ACCEPTED[param]:
        response = owner_api.get(url_of(route), {param: value})

        assert response.status_code == 200, (param, value, response.content[:300])
