"""The nudity check before review: NudeNet's detector run for real on photos, and what flags an item."""

import base64
import io

import numpy as np
import pytest
from PIL import Image
from skimage import data as skimage_data

from personas import safety
from personas.models import ContentItem


def photo(name: str) -> Image.Image:
    return Image.fromarray(getattr(skimage_data, name)()).convert("RGB")


def test_the_detector_runs_and_sees_a_person_without_flagging_her():
    check = safety.check_image(photo("astronaut"))  # Eileen Collins in her flight suit

    assert check.checked and not check.flagged
    assert [hit["label"] for hit in check.found] == ["FACE_FEMALE"]


def test_a_photo_without_people_finds_nothing():
    check = safety.check_image(photo("coffee"))
    assert check.checked and check.found == [] and not check.flagged


def test_an_exposed_intimate_part_above_the_threshold_flags_and_says_what(settings):
    settings.PERSONAS_NUDITY_THRESHOLD = 0.45
    detections = [{"class": "FACE_FEMALE", "score": 0.8, "box": [0, 0, 10, 10]},
                  {"class": "FEMALE_BREAST_EXPOSED", "score": 0.61, "box": [5, 5, 10, 10]},
                  {"class": "BUTTOCKS_EXPOSED", "score": 0.2, "box": [5, 5, 10, 10]}]

    check = safety.judge(detections)

    assert check.flagged and check.detail == "Flagged: female breast exposed."
    assert [hit["label"] for hit in check.found] == ["FACE_FEMALE", "FEMALE_BREAST_EXPOSED"]


def test_covered_parts_and_low_scores_do_not_flag():
    check = safety.judge([{"class": "FEMALE_BREAST_COVERED", "score": 0.9, "box": []},
                          {"class": "MALE_GENITALIA_EXPOSED", "score": 0.3, "box": []}])
    assert check.checked and not check.flagged


def test_without_the_detector_the_check_says_it_did_not_run(monkeypatch):
    def missing():
        raise ImportError("nudenet")

    monkeypatch.setattr(safety, "_detector", missing)
    check = safety.check_image(Image.new("RGB", (8, 8)))
    assert not check.checked and "not installed" in check.detail


@pytest.mark.django_db
def test_a_composed_image_the_check_flags_waits_in_the_review_queue(persona_api, character, monkeypatch):
    monkeypatch.setattr(safety, "check_image", lambda image: safety.judge(
        [{"class": "FEMALE_GENITALIA_EXPOSED", "score": 0.9, "box": []}]))
    buffer = io.BytesIO()
    Image.fromarray(np.full((32, 32, 3), 200, np.uint8)).save(buffer, "PNG")

    response = persona_api.post("/api/v1/content", {"character_id": str(character.pk), "caption": "x", "media": [
        {"data": base64.b64encode(buffer.getvalue()).decode(), "content_type": "image/png"}]}, format="json")

    item = ContentItem.objects.get()
    assert response.status_code == 201 and response.json()["data"]["status"] == "pending"
    assert item.is_nsfw and item.review_reason == "Flagged: female genitalia exposed."
    assert item.safety["nudity"][0]["flagged"]


@pytest.mark.django_db
def test_a_composed_real_photo_is_checked_and_approved(persona_api, character):
    buffer = io.BytesIO()
    photo("astronaut").save(buffer, "JPEG")

    data = persona_api.post("/api/v1/content", {"character_id": str(character.pk), "caption": "x", "media": [
        {"data": base64.b64encode(buffer.getvalue()).decode(), "content_type": "image/jpeg"}]},
        format="json").json()["data"]

    item = ContentItem.objects.get()
    assert data["status"] == "approved" and not item.is_nsfw
    assert item.safety["nudity"][0]["found"][0]["label"] == "FACE_FEMALE"
