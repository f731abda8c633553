"""``/api/v1/characters``: list, create, detail, partial update, soft delete, pause and resume."""

import base64
import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from personas.choices import CharacterStatus, ConnectionStatus, PostStatus
from personas.models import Character, PlatformAccount
from tests.personas.conftest import png_bytes
from tests.personas.factories import CharacterFactory, PlatformAccountFactory, PostFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/characters"


def data_url(data: bytes, kind: str = "png") -> str:
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def error_code(response) -> str:
    body = response.json()
    assert body["success"] is False and "timestamp" in body
    return body["error"]["code"]


def account(character, platform="mastodon", **fields) -> PlatformAccount:
    return PlatformAccountFactory(character=character, platform=platform, auth_type="oauth",
                                  account_username=f"{character.name.split()[0].lower()}-{platform}", **fields)


def test_create_answers_201_with_the_documented_shape(persona_api, owner):
    response = persona_api.post(URL, {
        "name": "Lena Park", "bio": "Ceramicist.", "age": 31, "location": "Seoul", "timezone": "Asia/Seoul",
        "interests": ["pottery"], "profile_image": data_url(png_bytes()),
        "personality": {"extroversion": 0.4, "creativity": 0.9, "communication_style": "calm",
                        "preferred_topics": ["glazes"]},
        "appearance": {"face_reference_image": base64.b64encode(png_bytes((96, 96))).decode(),
                       "hair_color": "black", "eye_color": "brown", "style_preferences": ["minimal"]},
        "platforms": ["mastodon", "bluesky"], "banned_topics": ["politics"], "disclosure_line": "AI persona.",
    }, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["success"] is True and body["message"] == "Character created successfully"
    assert set(body["data"]) == {"id", "name", "status", "created_at"} and body["data"]["status"] == "active"
    character = Character.objects.get(pk=body["data"]["id"])
    assert character.owner == owner and character.personality["communication_style"] == "calm"
    assert character.appearance == {"hair_color": "black", "eye_color": "brown", "style_preferences": ["minimal"]}
    assert character.banned_topics == ["politics"] and character.disclosure_line == "AI persona."
    assert default_storage.exists(character.profile_image.name)
    with default_storage.open(character.face_reference.name) as face:
        assert Image.open(face).size == (96, 96)


def test_an_image_url_is_refused_and_never_fetched(persona_api):
    response = persona_api.post(URL, {"name": "X", "profile_image": "http://127.0.0.1:9/avatar.png"}, format="json")

    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    assert "upload" in response.json()["error"]["message"].lower()
    assert not Character.objects.exists()


@pytest.mark.parametrize("payload", [
    {"name": "X", "profile_image": "bm90IGFuIGltYWdl"},  # valid base64, not an image
    {"name": "X", "appearance": {"face_reference_image": "%%%not base64"}},
    {"name": "X", "timezone": "Mars/Olympus_Mons"},
    {"name": "X", "personality": {"extroversion": 1.5}},
    {"name": "X", "platforms": ["myspace"]},
    {"bio": "no name"},
])
def test_invalid_input_is_a_validation_error_and_creates_nothing(persona_api, payload):
    response = persona_api.post(URL, payload, format="json")

    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    assert not Character.objects.exists()


def test_an_image_over_the_pixel_limit_is_refused(persona_api, monkeypatch):
    from personas.services import characters

    monkeypatch.setattr(characters, "MAX_IMAGE_PIXELS", 100)
    response = persona_api.post(URL, {"name": "X", "profile_image": data_url(png_bytes((20, 20)))}, format="json")

    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"


def test_the_list_filters_by_status_and_name_and_pages(persona_api, owner, other_user, character):
    CharacterFactory(owner=owner, name="Noor", status=CharacterStatus.PAUSED)
    CharacterFactory(owner=owner, name="Nadia")
    CharacterFactory(owner=other_user, name="Nico")

    everything = persona_api.get(URL).json()["data"]
    paused = persona_api.get(URL, {"status": "paused"}).json()["data"]
    searched = persona_api.get(URL, {"search": "na"}).json()["data"]
    second = persona_api.get(URL, {"limit": 1, "offset": 1}).json()["data"]

    assert everything["total"] == 3 and [c["name"] for c in everything["characters"]] == ["Maya Rivers", "Nadia",
                                                                                        "Noor"]
    assert set(everything["characters"][0]) == {"id", "name", "bio", "status", "profile_image_url", "created_at"}
    assert [c["name"] for c in paused["characters"]] == ["Noor"]
    assert [c["name"] for c in searched["characters"]] == ["Nadia"]
    assert second["limit"] == 1 and second["offset"] == 1 and [c["name"] for c in second["characters"]] == ["Nadia"]
    assert error_code(persona_api.get(URL, {"status": "sleeping"})) == "VALIDATION_ERROR"


def test_the_detail_counts_stats_from_real_rows(persona_api, character):
    mastodon = account(character, follower_count=120)
    account(character, "bluesky", follower_count=30, connection_status=ConnectionStatus.ERROR)
    PostFactory(character=character, account=mastodon, status=PostStatus.PUBLISHED, likes_count=10,
                comments_count=2, shares_count=3)
    PostFactory(character=character, account=mastodon, status=PostStatus.DRAFT, likes_count=99)

    response = persona_api.get(f"{URL}/{character.pk}")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["stats"] == {"total_posts": 1, "total_followers": 150, "total_engagement": 15}
    assert data["personality"]["communication_style"] == "playful and upbeat"
    assert data["appearance"]["hair_color"] == "auburn" and data["appearance"]["face_reference_image_url"] is None
    assert {(a["platform"], a["connection_status"]) for a in data["platform_accounts"]} == {
        ("mastodon", "connected"), ("bluesky", "error")}
    assert set(data["platform_accounts"][0]) == {"id", "platform", "account_username", "connection_status"}
    assert data["timezone"] == "America/Los_Angeles" and data["interests"] == ["running", "coffee"]


def test_put_changes_only_what_was_sent(persona_api, character):
    response = persona_api.put(f"{URL}/{character.pk}", {
        "bio": "Ultra runner now.", "personality": {"creativity": 0.2}, "appearance": {"hair_color": "silver"},
        "profile_image": data_url(png_bytes()),
    }, format="json")

    assert response.status_code == 200, response.content
    character.refresh_from_db()
    assert character.name == "Maya Rivers" and character.bio == "Ultra runner now."
    assert character.personality["creativity"] == 0.2 and character.personality["extroversion"] == 0.7
    assert character.appearance["hair_color"] == "silver" and character.appearance["eye_color"] == "green"
    assert response.json()["data"]["profile_image_url"]


def test_a_new_profile_image_replaces_the_old_file(persona_api, character, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        persona_api.put(f"{URL}/{character.pk}", {"profile_image": data_url(png_bytes())}, format="json")
    first = Character.objects.get(pk=character.pk).profile_image.name
    with django_capture_on_commit_callbacks(execute=True):
        persona_api.put(f"{URL}/{character.pk}", {"profile_image": data_url(png_bytes(colour=(1, 2, 3)))},
                        format="json")

    assert not default_storage.exists(first)
    assert default_storage.exists(Character.objects.get(pk=character.pk).profile_image.name)


def test_delete_is_soft_and_hides_the_character(persona_api, character):
    response = persona_api.delete(f"{URL}/{character.pk}")

    assert response.status_code == 200 and response.json()["message"] == "Character deleted successfully"
    character.refresh_from_db()
    assert character.deleted_at is not None
    assert persona_api.get(URL).json()["data"]["total"] == 0
    assert error_code(persona_api.get(f"{URL}/{character.pk}")) == "CHARACTER_NOT_FOUND"


def test_pause_and_resume(persona_api, character):
    paused = persona_api.post(f"{URL}/{character.pk}/pause")
    assert paused.status_code == 200 and paused.json()["data"]["status"] == "paused"
    resumed = persona_api.post(f"{URL}/{character.pk}/resume")
    assert resumed.status_code == 200 and resumed.json()["data"]["status"] == "active"


def test_resume_clears_an_error_only_when_no_account_is_in_error(persona_api, character):
    character.status, character.status_reason = CharacterStatus.ERROR, "Token refresh failed"
    character.save()
    broken = account(character, connection_status=ConnectionStatus.ERROR)

    refused = persona_api.post(f"{URL}/{character.pk}/resume")
    assert refused.status_code == 400 and error_code(refused) == "VALIDATION_ERROR"
    character.refresh_from_db()
    assert character.status == CharacterStatus.ERROR

    broken.connection_status = ConnectionStatus.CONNECTED
    broken.save()
    assert persona_api.post(f"{URL}/{character.pk}/resume").json()["data"]["status"] == "active"
    character.refresh_from_db()
    assert character.status_reason == ""


@pytest.mark.parametrize("method,suffix", [("get", ""), ("put", ""), ("delete", ""), ("post", "/pause"),
                                           ("post", "/resume")])
def test_another_users_character_is_character_not_found(persona_api, other_user, method, suffix):
    theirs = CharacterFactory(owner=other_user, name="Theirs")

    response = getattr(persona_api, method)(f"{URL}/{theirs.pk}{suffix}", {}, format="json")

    assert response.status_code == 404 and error_code(response) == "CHARACTER_NOT_FOUND"
    theirs.refresh_from_db()
    assert theirs.deleted_at is None and theirs.status == CharacterStatus.ACTIVE


@pytest.mark.parametrize("character_id", ["not-a-uuid", "3f1c3c8e-0000-4000-8000-000000000000"])
def test_unknown_or_malformed_ids_are_character_not_found(persona_api, character_id):
    response = persona_api.get(f"{URL}/{character_id}")

    assert response.status_code == 404 and error_code(response) == "CHARACTER_NOT_FOUND"


def test_without_credentials_it_is_unauthorized(api):
    response = api.get(URL)

    assert response.status_code == 401 and error_code(response) == "UNAUTHORIZED"


def test_the_jwt_of_the_owner_is_accepted(api, owner, jwt_for, character):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")

    assert api.get(URL).json()["data"]["total"] == 1


def test_profile_images_are_stored_without_exif(persona_api):
    image = Image.new("RGB", (32, 32), (5, 5, 5))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())

    response = persona_api.post(URL, {"name": "X", "profile_image": data_url(out.getvalue(), "jpeg")}, format="json")

    character = Character.objects.get(pk=response.json()["data"]["id"])
    with default_storage.open(character.profile_image.name) as stored:
        assert b"SpyCam" not in stored.read()


def test_a_storage_failure_is_the_documented_storage_error(persona_api, monkeypatch):
    def disk_full(name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(default_storage, "save", disk_full)

    response = persona_api.post(URL, {"name": "Maya", "profile_image": data_url(png_bytes())}, format="json")

    body = response.json()
    assert response.status_code == 500 and body["success"] is False
    assert body["error"]["code"] == "STORAGE_ERROR"
    assert not Character.objects.filter(name="Maya").exists()
