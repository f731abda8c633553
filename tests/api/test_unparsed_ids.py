"""An id that does not parse gets the app's own documented not-found code and envelope."""

import pytest

pytestmark = pytest.mark.django_db

VALID = "7c5d1f40-1111-4a2b-9c3d-123456789abc"


@pytest.mark.parametrize(("path", "code"), [
    ("/api/floorplan/sessions/ses_x", "SESSION_NOT_FOUND"),
    ("/api/floorplan/sessions/ses_x/rooms/room_1/analyze", "SESSION_NOT_FOUND"),
    (f"/api/floorplan/sessions/{VALID}/rooms/room_1", "ROOM_NOT_FOUND"),
    (f"/api/floorplan/sessions/{VALID}/rooms/room_1/photos", "ROOM_NOT_FOUND"),
])
def test_floor_plan_ids_that_do_not_parse_are_the_documents_codes(owner_api, path, code):
    response = owner_api.get(path)

    assert response.status_code == 404
    assert set(response.json()) == {"error"} and response.json()["error"]["code"] == code


@pytest.mark.parametrize("path", ["/api/v1/characters/not-a-uuid", "/api/v1/characters/chr_1/content"])
def test_a_character_id_that_does_not_parse_is_character_not_found(owner_api, path):
    body = owner_api.get(path).json()

    assert body["success"] is False and body["error"]["code"] == "CHARACTER_NOT_FOUND"


def test_a_valid_id_on_an_unknown_route_stays_the_generic_not_found(owner_api):
    body = owner_api.get(f"/api/floorplan/sessions/{VALID}/nowhere").json()

    assert body["error"]["code"] == "NOT_FOUND"


def test_other_apps_keep_their_envelope_for_ids_that_do_not_parse(owner_api):
    assert owner_api.get("/api/v1/products/p_1").json() == {"detail": "Not found."}
    assert owner_api.get("/api/stage/stg_1").json()["error"]["code"] == "NOT_FOUND"
