"""``/api/v1/content``: generate, generation status, the library, review and delete."""

import uuid

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.jobs.choices import JobStatus
from config.jobs.models import Job
from personas.choices import CharacterStatus, Review
from personas.models import Character, ContentItem, Generation
from tests.personas.factories import AutomationRuleFactory, CharacterFactory, ContentItemFactory, GenerationFactory
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db

GENERATE = "/api/v1/content/generate"
CONTENT = "/api/v1/content"
CAPTION = {"caption": "Hill repeats, then espresso.", "hashtags": ["running"], "alt_text": ""}


def error_code(response) -> str:
    body = response.json()
    assert body["success"] is False and "timestamp" in body
    return body["error"]["code"]


def generate(client, character, **fields):
    return client.post(GENERATE, {"character_id": str(character.pk), "content_type": "text", "prompt": "hills",
                                  **fields}, format="json")


def item(character, **fields) -> ContentItem:
    return ContentItemFactory(character=character, content_type=fields.pop("content_type", "image"),
                              prompt="p", **fields)


def test_generate_answers_201_and_queues_one_job(persona_api, character, openai_stand_in, queued,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = generate(persona_api, character, settings={"count": 2}, category="story")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"] == "Content generation started"
    assert set(body["data"]) == {"generation_id", "status", "estimated_completion"}
    assert body["data"]["status"] == "pending" and body["data"]["estimated_completion"]
    generation = Generation.objects.get(pk=body["data"]["generation_id"])
    assert generation.settings["count"] == 2 and generation.category == "story"
    assert [task for task, _, _ in queued] == ["personas.tasks.run_generation"]


def test_the_generation_status_follows_the_job_to_completion(persona_api, character, openai_stand_in, run_queued,
                                                             django_capture_on_commit_callbacks):
    openai_stand_in.reply(openai_chat_reply(CAPTION))
    with django_capture_on_commit_callbacks(execute=True):
        generation_id = generate(persona_api, character).json()["data"]["generation_id"]
    pending = persona_api.get(f"{CONTENT}/generations/{generation_id}").json()["data"]
    assert pending["status"] == "pending" and pending["generated_content_ids"] == []

    run_queued()

    data = persona_api.get(f"{CONTENT}/generations/{generation_id}").json()["data"]
    assert data["status"] == "completed" and data["success_count"] == 1 and data["failure_count"] == 0
    assert data["character_id"] == str(character.pk) and data["content_type"] == "text" and data["prompt"] == "hills"
    assert len(data["generated_content_ids"]) == 1 and data["error_message"] is None
    assert data["started_at"] and data["completed_at"] and data["duration_seconds"] is not None


def test_an_unknown_content_type_is_invalid_content_type(persona_api, character, queued):
    response = generate(persona_api, character, content_type="hologram")

    assert response.status_code == 400 and error_code(response) == "INVALID_CONTENT_TYPE"
    assert not Generation.objects.exists() and not queued


def test_video_is_refused_at_once_with_nothing_queued(persona_api, character, queued):
    response = generate(persona_api, character, content_type="video")

    assert response.status_code == 503 and error_code(response) == "CONTENT_GENERATION_FAILED"
    assert "video generation is not supported" in response.json()["error"]["message"]
    assert not Generation.objects.exists() and not Job.objects.exists() and not queued


@pytest.mark.parametrize("content_type,setting", [("image", "AI_IMAGE_PROVIDER"), ("text", "AI_LLM_PROVIDER")])
def test_no_engine_is_refused_at_once_with_nothing_queued(persona_api, character, queued, settings, content_type,
                                                          setting):
    setattr(settings, setting, "none")

    response = generate(persona_api, character, content_type=content_type)

    assert response.status_code == 503 and error_code(response) == "CONTENT_GENERATION_FAILED"
    assert setting in response.json()["error"]["message"]
    assert not Generation.objects.exists() and not Job.objects.exists() and not queued


@pytest.mark.parametrize("status", [CharacterStatus.PAUSED, CharacterStatus.ERROR])
def test_a_paused_or_broken_character_cannot_generate(persona_api, character, openai_stand_in, queued, status):
    character.status = status
    character.save()

    response = generate(persona_api, character)

    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    assert not Generation.objects.exists()


@pytest.mark.parametrize("fields", [{"prompt": ""}, {"settings": {"width": 100}}, {"settings": {"count": 9}},
                                    {"settings": {"steps": 0}}])
def test_bad_generation_input_is_a_validation_error(persona_api, character, openai_stand_in, fields):
    response = generate(persona_api, character, **fields)

    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"


def test_generating_for_another_users_character_is_character_not_found(persona_api, other_user, openai_stand_in):
    theirs = CharacterFactory(owner=other_user, name="Theirs")

    response = generate(persona_api, theirs)

    assert response.status_code == 404 and error_code(response) == "CHARACTER_NOT_FOUND"


def test_the_eleventh_generation_in_a_minute_is_rate_limited(persona_api, character, openai_stand_in, queued):
    for _ in range(10):
        assert generate(persona_api, character).status_code == 201

    response = generate(persona_api, character)

    assert response.status_code == 429 and error_code(response) == "RATE_LIMIT_EXCEEDED"
    assert response["X-RateLimit-Limit"] == "10" and response["X-RateLimit-Remaining"] == "0"
    assert int(response["X-RateLimit-Reset"]) > 0 and int(response["Retry-After"]) >= 1
    assert Generation.objects.count() == 10


def test_another_users_generation_is_not_found(persona_api, other_user):
    theirs = GenerationFactory(character__owner=other_user)

    for generation_id in (theirs.pk, "nope"):
        response = persona_api.get(f"{CONTENT}/generations/{generation_id}")
        assert response.status_code == 404 and error_code(response) == "NOT_FOUND"


def test_the_library_lists_filters_and_pages(persona_api, owner, other_user, character):
    second = CharacterFactory(owner=owner, name="Second")
    approved = item(character, review=Review.APPROVED, file="personas/content/a.png")
    rejected = item(character, review=Review.REJECTED, is_nsfw=True)
    text = item(second, content_type="text", caption="hello")
    item(CharacterFactory(owner=other_user, name="T"))

    def ids(**params):
        return {row["id"] for row in persona_api.get(CONTENT, params).json()["data"]["content"]}

    assert ids() == {str(approved.pk), str(rejected.pk), str(text.pk)}
    assert ids(character_id=str(second.pk)) == {str(text.pk)}
    assert ids(content_type="text") == {str(text.pk)}
    assert ids(is_approved="true") == {str(approved.pk)}
    assert ids(is_approved="false") == {str(rejected.pk), str(text.pk)}
    assert ids(is_nsfw="true") == {str(rejected.pk)}
    page = persona_api.get(CONTENT, {"limit": 2, "offset": 2}).json()["data"]
    assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 2 and len(page["content"]) == 1
    row = next(r for r in persona_api.get(CONTENT).json()["data"]["content"] if r["id"] == str(approved.pk))
    assert row["character_name"] == "Maya Rivers" and row["content_category"] == "post" and row["is_approved"]
    assert row["file_url"].startswith("/") and row["thumbnail_url"] is None and row["times_used"] == 0
    assert error_code(persona_api.get(CONTENT, {"content_type": "hologram"})) == "INVALID_CONTENT_TYPE"
    assert error_code(persona_api.get(CONTENT, {"is_approved": "maybe"})) == "VALIDATION_ERROR"
    theirs = Character.objects.get(name="T")
    assert error_code(persona_api.get(CONTENT, {"character_id": str(theirs.pk)})) == "CHARACTER_NOT_FOUND"


def test_the_library_takes_a_constant_number_of_queries(persona_api, character):
    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as context:
            response = persona_api.get(CONTENT, {"limit": 50})
        assert response.status_code == 200
        return len([q for q in context.captured_queries if "personas_" in q["sql"]])

    item(character)
    one = queries_for_a_page()
    for index in range(30):
        item(CharacterFactory(owner=character.owner, name=f"C{index}"))

    assert queries_for_a_page() == one == 2  # the page (character joined) and the count


def test_the_detail_shows_size_file_and_settings(persona_api, approved_image):
    data = persona_api.get(f"{CONTENT}/{approved_image.pk}").json()["data"]

    assert data["width"] == 64 and data["height"] == 64 and data["file_size"] == approved_image.file_size
    assert data["file_path"] == approved_image.file.name and data["file_url"]
    assert data["character_id"] == str(approved_image.character_id) and "generation_settings" in data
    assert data["is_approved"] is True and data["caption"] == "Sunrise miles before espresso."
    downloaded = persona_api.get(data["file_url"])
    assert downloaded.status_code == 200


def test_approve_and_reject_record_who_and_when(persona_api, owner, character):
    pending = item(character)

    approved = persona_api.post(f"{CONTENT}/{pending.pk}/approve")
    assert approved.status_code == 200
    pending.refresh_from_db()
    assert pending.review == Review.APPROVED and pending.reviewed_by == owner and pending.reviewed_at

    rejected = persona_api.post(f"{CONTENT}/{pending.pk}/reject", {"reason": "Off brand"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["data"]["review_reason"] == "Off brand"
    pending.refresh_from_db()
    assert pending.review == Review.REJECTED and pending.review_reason == "Off brand"


@pytest.mark.parametrize("body", [{}, {"reason": "   "}])
def test_reject_without_a_reason_is_a_validation_error(persona_api, character, body):
    pending = item(character)

    response = persona_api.post(f"{CONTENT}/{pending.pk}/reject", body, format="json")

    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    pending.refresh_from_db()
    assert pending.review == Review.PENDING


def test_delete_removes_the_item_and_its_file(persona_api, approved_image, django_capture_on_commit_callbacks):
    name = approved_image.file.name
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        response = persona_api.delete(f"{CONTENT}/{approved_image.pk}")

    assert response.status_code == 200
    assert not ContentItem.objects.filter(pk=approved_image.pk).exists() and not default_storage.exists(name)


def test_delete_answers_200_when_the_storage_cannot_delete_the_file(persona_api, approved_image, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    def read_only(name):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(default_storage, "delete", read_only)

    with django_capture_on_commit_callbacks(execute=True):
        response = persona_api.delete(f"{CONTENT}/{approved_image.pk}")

    assert response.status_code == 200 and response.json()["success"] is True
    assert not ContentItem.objects.filter(pk=approved_image.pk).exists()


@pytest.mark.parametrize("method,suffix", [("get", ""), ("delete", ""), ("post", "/approve"), ("post", "/reject")])
def test_another_users_content_is_not_found(persona_api, other_user, method, suffix):
    theirs = item(CharacterFactory(owner=other_user, name="T"))

    response = getattr(persona_api, method)(f"{CONTENT}/{theirs.pk}{suffix}", {"reason": "x"}, format="json")

    assert response.status_code == 404 and error_code(response) == "NOT_FOUND"
    theirs.refresh_from_db()
    assert theirs.review == Review.PENDING


def test_unknown_content_is_not_found(persona_api):
    assert error_code(persona_api.get(f"{CONTENT}/{uuid.uuid4()}")) == "NOT_FOUND"


def test_without_credentials_it_is_unauthorized(api, character):
    for response in (api.get(CONTENT), api.post(GENERATE, {}, format="json")):
        assert response.status_code == 401 and error_code(response) == "UNAUTHORIZED"


def test_a_failed_generation_reports_its_error(persona_api, character):
    generation = GenerationFactory(character=character, job__status=JobStatus.FAILED, error_message="banned twice")

    data = persona_api.get(f"{CONTENT}/generations/{generation.pk}").json()["data"]

    assert data["status"] == "failed" and data["error_message"] == "banned twice"


def test_a_first_approval_runs_the_content_approved_rules_once(persona_api, character):
    from personas.models import RuleRun

    rule = AutomationRuleFactory(character=character, name="Caption approved", trigger_type="content_approved",
                                 action="generate", content_type="text", prompt_template="more like this",
                                 cooldown_minutes=0)
    pending = item(character)

    persona_api.post(f"{CONTENT}/{pending.pk}/approve")
    persona_api.post(f"{CONTENT}/{pending.pk}/approve")

    assert list(RuleRun.objects.filter(rule=rule).values_list("trigger", flat=True)) == [
        f"content_approved:{pending.pk}"]
