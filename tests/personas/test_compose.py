"""Compose by hand: ``POST /api/v1/content`` stores human-made content, approved, that schedules and publishes."""

import base64

import pytest
from django.core.files.storage import default_storage

from personas.models import ContentItem, Post
from personas.services import publishing
from tests.personas.conftest import png_bytes
from tests.personas.factories import CharacterFactory
from tests.personas.standins import connect, error_of, mastodon_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/content"


def image(size=(64, 64), kind="image/png") -> dict:
    return {"data": base64.b64encode(png_bytes(size)).decode(), "content_type": kind}


def compose(api, character, **fields):
    return api.post(URL, {"character_id": str(character.pk), **fields}, format="json")


def test_composed_content_is_approved_human_made_and_in_the_library(persona_api, character, owner):
    response = compose(persona_api, character, caption="Sunrise miles before espresso.", hashtags=["#running"],
                       media=[image((80, 60)), image((60, 80))], alt_text="A runner on a ridge.")

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    item = ContentItem.objects.get()
    assert (data["id"], data["status"], data["ai_generated"], data["is_approved"]) == (str(item.pk), "approved",
                                                                                      False, True)
    assert (item.reviewed_by, item.hashtags, item.width, item.height) == (owner, ["running"], 80, 60)
    assert len(data["media_urls"]) == 2 and item.extra_media[0]["width"] == 60
    assert all(default_storage.exists(name) for name in item.media_names) and item.thumbnail.name
    listed = persona_api.get(URL, {"character_id": str(character.pk)}).json()["data"]["content"]
    assert [row["id"] for row in listed] == [str(item.pk)]


def test_a_composed_image_carries_no_ai_provenance_mark(persona_api, character):
    compose(persona_api, character, caption="Made by a person.", media=[image()])

    stored = default_storage.open(ContentItem.objects.get().file.name).read()
    assert b"trainedAlgorithmicMedia" not in stored


def test_previews_show_how_each_platform_will_cut_the_caption(persona_api, character):
    caption = "Fog on the ridge and coffee in hand. " * 12
    response = compose(persona_api, character, caption=caption, platforms=["twitter", "instagram", "mastodon"])

    previews = response.json()["data"]["previews"]
    assert set(previews) == {"twitter", "instagram", "mastodon"}
    assert previews["instagram"]["fits"] and previews["instagram"]["text"].startswith(caption.strip())
    assert not previews["twitter"]["fits"] and previews["twitter"]["text"].endswith("…")
    assert previews["twitter"]["limit"] == 280 and previews["twitter"]["length"] > 280
    assert character.disclosure_line in previews["instagram"]["text"]  # the text as it will be posted
    assert previews["mastodon"]["limit"] is None


def test_composed_content_publishes_like_generated_content(persona_api, owner, character, mastodon):
    account = connect(owner, character, mastodon)
    item_id = compose(persona_api, character, caption="By hand.", media=[image()]).json()["data"]["id"]

    post = publishing.create_post(owner, character_id=character.pk, platform_account_id=account.pk,
                                  content_id=item_id, publish_immediately=True)

    assert post.status == "published" and Post.objects.count() == 1
    assert mastodon.paths()[-2:] == ["POST /api/v2/media", "POST /api/v1/statuses"]
    assert "By hand." in mastodon.statuses[post.platform_post_id]["content"]


def test_a_text_only_post_needs_no_media(persona_api, character):
    data = compose(persona_api, character, caption="Just words today.").json()["data"]
    assert data["content_type"] == "text" and data["media_urls"] == []


@pytest.mark.parametrize(("fields", "code", "status"), [
    ({}, "VALIDATION_ERROR", 400),
    ({"caption": "x", "media": [{"data": "bm90IGFuIGltYWdl", "content_type": "image/png"}]}, "VALIDATION_ERROR", 400),
    ({"caption": "x", "media": [{"data": "AAAA", "content_type": "application/pdf"}]}, "INVALID_CONTENT_TYPE", 400),
    ({"caption": "x", "media": [image()] * 11}, "VALIDATION_ERROR", 400),
    ({"caption": "x", "platforms": ["myspace"]}, "VALIDATION_ERROR", 400),
    ({"caption": "x" * 5001}, "VALIDATION_ERROR", 400),
])
def test_bad_compositions_are_refused_and_nothing_is_stored(persona_api, character, fields, code, status):
    response = compose(persona_api, character, **fields)
    assert error_of(response, status, code)
    assert not ContentItem.objects.exists()


def test_another_users_character_is_not_found(persona_api):
    response = compose(persona_api, CharacterFactory(), caption="x")
    assert error_of(response, 404, "CHARACTER_NOT_FOUND")


def test_the_studio_compose_box_adds_to_the_library(client, owner, character):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(owner)
    response = client.post(f"/personas/{character.pk}/compose", {
        "caption": "Trail day.", "hashtags": "#trail, running", "alt_text": "A trail.",
        "images": [SimpleUploadedFile("a.png", png_bytes(), "image/png"),
                   SimpleUploadedFile("b.png", png_bytes((40, 40)), "image/png")]})

    assert response.status_code == 302
    item = ContentItem.objects.get()
    assert (item.caption, item.hashtags, item.ai_generated, item.review) == ("Trail day.", ["trail", "running"],
                                                                             False, "approved")
    assert len(item.media_names) == 2


def test_the_compose_box_previews_each_platform_without_storing(client, owner, character):
    client.force_login(owner)
    response = client.post(f"/personas/{character.pk}/compose", {"caption": "word " * 100, "preview": "1"})

    page = response.content.decode()
    assert response.status_code == 200 and not ContentItem.objects.exists()
    assert 'data-preview="twitter"' in page and "cut to fit" in page and 'data-preview="instagram"' in page


def test_the_compose_box_refuses_a_file_that_is_not_an_image(client, owner, character):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(owner)
    response = client.post(f"/personas/{character.pk}/compose", {
        "caption": "x", "images": [SimpleUploadedFile("a.png", b"not an image at all", "image/png")]})

    assert response.status_code == 200 and not ContentItem.objects.exists()
    assert "media[0].data" in response.content.decode()
