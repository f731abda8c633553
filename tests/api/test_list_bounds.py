"""Every page, limit and offset parameter of every list endpoint is bounded: out of range is the
app's validation error, never a 500 (a page of 10**20 overflowed PostgreSQL's OFFSET)."""

import pytest

pytestmark = pytest.mark.django_db

HUGE = "32589158477190044730"
# (path, the parameter, the app's error body check)
LISTS = [
    ("/api/v1/products", "page", "detail"),
    ("/api/v1/products", "page_size", "detail"),
    ("/api/v1/jobs", "offset", "detail"),
    ("/api/v1/jobs", "limit", "detail"),
    ("/api/v1/characters", "offset", "error"),
    ("/api/v1/characters", "limit", "error"),
    ("/api/v1/content", "offset", "error"),
    ("/api/v1/posts", "offset", "error"),
    ("/api/v1/scheduled-posts", "offset", "error"),
    ("/api/v1/automation-rules", "offset", "error"),
]


@pytest.mark.parametrize("value", [HUGE, "-1", "abc", "1e3", str(10**8)])
@pytest.mark.parametrize(("path", "param", "envelope"), LISTS)
def test_out_of_range_paging_is_the_apps_validation_error(owner_api, path, param, envelope, value):
    response = owner_api.get(path, {param: value})

    assert response.status_code in (400, 422), (path, param, value, response.status_code, response.content[:200])
    body = response.json()
    if envelope == "detail":
        assert set(body) >= {"detail"}
    else:
        assert body["success"] is False and body["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(("path", "param", "envelope"), LISTS)
def test_the_largest_allowed_values_answer_an_empty_page(owner_api, path, param, envelope):
    from config.api.pagination import MAX_OFFSET

    value = {"page": MAX_OFFSET // 20 + 1, "page_size": 100, "offset": MAX_OFFSET, "limit": 100}[param]
    response = owner_api.get(path, {param: value})

    assert response.status_code == 200, response.content[:300]
