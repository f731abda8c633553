"""Seed 002's endpoints and every documented code, with the rule-based generator."""

import json

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from designs.contracts import validate
from designs.models import DesignRequest, DesignSpec
from tests.designs.conftest import credentials

pytestmark = pytest.mark.django_db

V2 = "/api/v1/generate"
V1 = "/generate"
TABLE = "oak dining table for six, 1.8 m long, white legs"
KEY_MESSAGE = "Invalid or missing API key. Include X-API-Key header."


def post(client, body, path=V2):
    return client.post(path, body, format="json")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    validate("error", body)
    assert body["error_code"] == code
    return body


def test_v2_answers_the_documented_shape(designer):
    response = post(designer, {"prompt": TABLE, "context": {"room": "dining"}, "style": "scandinavian",
                               "constraints": ["seats six"]})

    assert response.status_code == 200, response.content
    body = response.json()
    validate("generate_v2.response", body)
    spec = body["spec_json"]
    assert spec["spec_id"] == body["spec_id"]
    assert body["preview_url"].startswith("/preview-images/") and body["preview_url"].endswith(".png")
    assert body["created_at"].endswith("Z")
    assert body["processing_time"] > 0
    assert spec["metadata"]["generation_method"] == "rule_based"
    assert spec["metadata"]["original_spec"]["design_type"] == "furniture"
    assert spec["metadata"]["style"] == "scandinavian"
    assert spec["metadata"]["constraints"] == ["seats six"]
    assert spec["version"]["version"] == "1.0"
    assert spec["scene"]["total_objects"] == len(spec["objects"])
    assert all(obj["dimensions"]["units"] == "meters" for obj in spec["objects"])


def test_v1_answers_spec_success_and_message(designer):
    response = post(designer, {"prompt": "Smart home IoT sensor with WiFi connectivity"}, path=V1)

    assert response.status_code == 200, response.content
    body = response.json()
    validate("generate_v1.response", body)
    assert body["success"] is True
    assert body["spec"]["design_type"] == "electronics"
    assert body["spec"]["dimensions"]["units"] == "meters"


@pytest.mark.parametrize("path", [V1, V2])
def test_no_api_key_is_401_with_the_documented_message(owner, jwt_for, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")

    body = assert_error(post(client, {"prompt": TABLE}, path), 401, "AUTHENTICATION_ERROR")

    assert body["detail"] == KEY_MESSAGE


def test_a_wrong_api_key_is_401(owner, jwt_for):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY="sc_nothing_here", HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")

    assert assert_error(post(client, {"prompt": TABLE}), 401, "AUTHENTICATION_ERROR")["detail"] == KEY_MESSAGE


def test_no_jwt_is_401_naming_the_token(owner):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=credentials(owner)["HTTP_X_API_KEY"])

    body = assert_error(post(client, {"prompt": TABLE}), 401, "AUTHENTICATION_ERROR")

    assert "Authorization: Bearer" in body["detail"]


def test_key_and_jwt_of_two_users_is_401(owner, other_user):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=credentials(owner)["HTTP_X_API_KEY"],
                       HTTP_AUTHORIZATION=credentials(other_user)["HTTP_AUTHORIZATION"])

    body = assert_error(post(client, {"prompt": TABLE}), 401, "AUTHENTICATION_ERROR")

    assert "different users" in body["detail"]
    assert not DesignSpec.objects.exists()


def test_the_key_and_token_of_one_user_read_the_user_once(designer, owner):
    # The key's lookup joins its owner; the token naming the same user does not read them again.
    user_table = owner._meta.db_table
    with CaptureQueriesContext(connection) as seen:
        assert post(designer, {"prompt": TABLE}).status_code in (200, 201)
    # Whole-row reads (the password column comes with the row); the usage counter's re-read is one column.
    reads = [q["sql"] for q in seen.captured_queries
             if q["sql"].lstrip().upper().startswith("SELECT") and f'"{user_table}"."password"' in q["sql"]]
    assert len(reads) == 1, reads


def test_a_deactivated_user_is_refused_even_with_key_and_token(designer, owner):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert_error(post(designer, {"prompt": TABLE}), 401, "AUTHENTICATION_ERROR")


def test_a_key_revoked_after_a_generation_is_refused_on_the_next_request(owner):
    # Guards any per-process cache of keys or users: the warm path must still see the revocation.
    from config.accounts.models import APIKey
    from config.accounts.services import revoke_api_key

    client = APIClient()
    client.credentials(**credentials(owner))
    assert post(client, {"prompt": TABLE}).status_code == 200
    revoke_api_key(owner, key_id=APIKey.objects.get(owner=owner).pk)

    assert_error(post(client, {"prompt": TABLE}), 401, "AUTHENTICATION_ERROR")


def test_a_user_deactivated_after_a_generation_is_refused_on_the_next_request(designer, owner):
    assert post(designer, {"prompt": TABLE}).status_code == 200
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert_error(post(designer, {"prompt": TABLE}), 401, "AUTHENTICATION_ERROR")


def test_a_generation_is_one_transaction_without_nested_savepoints(designer):
    with CaptureQueriesContext(connection) as seen:
        assert post(designer, {"prompt": TABLE}).status_code == 200
    sql = [q["sql"].lstrip() for q in seen.captured_queries]
    first = next(i for i, text in enumerate(sql) if text.startswith('INSERT INTO "designs_designspec"'))
    block = [text.split(" ", 3)[:3] for text in sql[first - 1:first + 5]]

    # The request's own transaction (a savepoint inside the test's) holds four statements: the spec
    # inserted with its object numbers (no UPDATE after), the version without a savepoint of its own,
    # the request's audit row, and the usage read back by the same statement that counts it, so the
    # user's row is locked from that UPDATE to the commit only. Nothing is written after it.
    assert block[0][0] in ("BEGIN", "SAVEPOINT") and block[5][0] in ("COMMIT", "RELEASE")
    assert block[1:5] == [["INSERT", "INTO", '"designs_designspec"'], ["INSERT", "INTO", '"designs_designversion"'],
                          ["INSERT", "INTO", '"designs_designrequest"'], ["UPDATE", '"accounts_user"', "SET"]]
    assert "RETURNING" in sql[first + 3]
    assert not any(text.startswith("INSERT") for text in sql[first + 5:])


@override_settings(DESIGNS_REQUIRE_KEY_AND_JWT=False)
def test_the_setting_relaxes_to_either_credential(owner):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=credentials(owner)["HTTP_X_API_KEY"])

    assert post(client, {"prompt": TABLE}).status_code == 200


def test_malformed_json_is_400(designer):
    response = designer.post(V2, '{"prompt": "table', content_type="application/json")

    assert_error(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("body", [
    {},
    {"prompt": ""},
    {"prompt": "   "},
    {"prompt": 42},
    {"prompt": TABLE, "context": ["not", "an", "object"]},
    {"prompt": TABLE, "constraints": "not a list"},
    {"prompt": TABLE, "constraints": [1, 2]},
    {"prompt": TABLE, "style": {"a": 1}},
    ["a", "list"],
])
def test_missing_empty_or_mistyped_fields_are_400(designer, body):
    assert_error(post(designer, body), 400, "VALIDATION_ERROR")


def test_an_over_long_prompt_is_400(designer, settings):
    settings.DESIGNS_MAX_PROMPT_CHARS = 100

    body = assert_error(post(designer, {"prompt": "oak table " * 20}), 400, "VALIDATION_ERROR")

    assert "100 characters" in body["detail"]


def test_a_prompt_naming_no_design_type_is_400_and_costs_nothing(designer, owner):
    body = assert_error(post(designer, {"prompt": "asdf qwerty zxcv"}), 400, "VALIDATION_ERROR")

    assert "design type" in body["detail"].lower()
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0


def test_the_21st_request_in_a_minute_is_429_with_headers(designer):
    for _ in range(20):
        assert post(designer, {"prompt": "asdf qwerty zxcv"}).status_code == 400

    response = post(designer, {"prompt": TABLE})

    body = assert_error(response, 429, "RATE_LIMIT_ERROR")
    assert body["detail"] == "Rate limit exceeded: 20 per minute"
    assert int(response["Retry-After"]) > 0
    assert response["X-RateLimit-Limit"] == "20"
    assert response["X-RateLimit-Remaining"] == "0"
    assert int(response["X-RateLimit-Reset"]) > 0
    # The limit is per endpoint: v1 still answers.
    assert post(designer, {"prompt": TABLE}, path=V1).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"HTTP_X_API_KEY": "sc_wrong", "HTTP_AUTHORIZATION": "Bearer not-a-jwt"}])
def test_the_21st_request_with_bad_or_no_credentials_is_429_with_headers_and_audited(headers):
    client = APIClient()
    client.credentials(**headers)
    answers = [post(client, {"prompt": TABLE}) for _ in range(21)]

    assert [answer.status_code for answer in answers[:20]] == [401] * 20
    body = assert_error(answers[20], 429, "RATE_LIMIT_ERROR")
    assert body["detail"] == "Rate limit exceeded: 20 per minute"
    assert int(answers[20]["Retry-After"]) > 0 and answers[20]["X-RateLimit-Remaining"] == "0"
    audit = DesignRequest.objects.order_by("-created_at").first()
    assert (audit.status_code, audit.error_code, audit.user) == (429, "RATE_LIMIT_ERROR", None)
    assert DesignRequest.objects.count() == 21


def test_rate_limit_headers_are_on_success_and_on_refusals(designer):
    ok = post(designer, {"prompt": TABLE})
    refused = post(APIClient(), {"prompt": TABLE})

    assert ok["X-RateLimit-Limit"] == "20" and ok["X-RateLimit-Remaining"] == "19"
    assert refused.status_code == 401 and refused["X-RateLimit-Remaining"] == "18"


def test_a_spent_plan_is_429(designer, owner):
    owner.usage_this_cycle = owner.usage_limit
    owner.save()

    assert_error(post(designer, {"prompt": TABLE}), 429, "RATE_LIMIT_ERROR")
    assert not DesignSpec.objects.exists()
    # The row written with the version rolled back with it; the refusal has its own.
    audit = DesignRequest.objects.get()
    assert (audit.status_code, audit.error_code, audit.spec_id) == (429, "RATE_LIMIT_ERROR", None)


def test_context_spec_id_makes_the_next_version_with_stable_ids(designer):
    first = post(designer, {"prompt": TABLE}).json()

    second = post(designer, {"prompt": "add two chairs", "context": {"spec_id": first["spec_id"]}})

    assert second.status_code == 200, second.content
    body = second.json()
    validate("generate_v2.response", body)
    assert body["spec_id"] == first["spec_id"]
    assert body["spec_json"]["version"]["version"] == "1.1"
    before = {obj["id"] for obj in first["spec_json"]["objects"]}
    after = {obj["id"] for obj in body["spec_json"]["objects"]}
    assert before < after
    spec = DesignSpec.objects.get(pk=first["spec_id"])
    assert [v.label for v in spec.versions.all()] == ["1.0", "1.1"]
    assert spec.versions.get(minor=0).spec_json == first["spec_json"]
    assert sorted(spec.versions.get(minor=1).diff["added"]) == sorted(after - before)


@pytest.mark.parametrize("spec_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_an_unknown_spec_id_is_404(designer, spec_id):
    assert_error(post(designer, {"prompt": "legs black", "context": {"spec_id": spec_id}}), 404, "NOT_FOUND")


def test_another_users_spec_is_404(designer, other_user):
    stranger = APIClient()
    stranger.credentials(**credentials(other_user))
    theirs = post(stranger, {"prompt": TABLE}).json()["spec_id"]

    assert_error(post(designer, {"prompt": "legs black", "context": {"spec_id": theirs}}), 404, "NOT_FOUND")
    assert DesignSpec.objects.get(pk=theirs).versions.count() == 1


def test_a_follow_up_asking_nothing_is_400(designer):
    first = post(designer, {"prompt": TABLE}).json()

    response = post(designer, {"prompt": "hmm", "context": {"spec_id": first["spec_id"]}})

    assert_error(response, 400, "VALIDATION_ERROR")


def test_every_request_leaves_an_audit_row(designer, owner):
    post(designer, {"prompt": TABLE})
    post(APIClient(), {"prompt": TABLE}, path=V1)

    ok, refused = DesignRequest.objects.order_by("created_at")
    assert (ok.user, ok.endpoint, ok.status_code, ok.version_label) == (owner, "v2", 200, "1.0")
    assert ok.key_prefix and ok.ip == "127.0.0.1" and ok.spec_id
    assert (refused.user, refused.endpoint, refused.status_code, refused.error_code) == (
        None, "v1", 401, "AUTHENTICATION_ERROR")


def test_the_same_prompt_twice_gives_two_specs_with_the_same_design(designer):
    one = post(designer, {"prompt": TABLE}).json()
    two = post(designer, {"prompt": TABLE}).json()

    assert one["spec_id"] != two["spec_id"]
    assert json.dumps(one["spec_json"]["objects"]) == json.dumps(two["spec_json"]["objects"])

