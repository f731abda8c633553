"""The generation job: tiny real diffusers weights, captions from the OpenAI stand-in, run by ``run_queued``."""

import importlib.util
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from config.jobs.choices import JobStatus
from config.jobs.models import JobStep
from personas import captions, provenance, safety
from personas.choices import GenerationStatus, Review
from personas.models import ContentItem, Generation, PersonaEvent
from personas.services import characters, content
from tests.conftest import require
from tests.personas.conftest import png_bytes
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db

SMALL = {"width": 64, "height": 64, "steps": 2, "cfg_scale": 5.0}
GOOD = {"caption": "Mud, miles and a double shot after.", "hashtags": ["#TrailRunning", "espresso", "espresso"],
        "alt_text": "A runner on a forest trail at dawn."}
BANNED = {"caption": "Can't stop thinking about politics on this run.", "hashtags": ["run"], "alt_text": ""}


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory) -> dict:
    require(importlib.util.find_spec("diffusers") is not None, "diffusers is not installed (requirements-ai.txt)")
    from tests.tiny_diffusers import save_tiny_weights

    return save_tiny_weights(tmp_path_factory.mktemp("persona-weights"))


@pytest.fixture
def image_engine(settings, tiny_weights):
    """The registry builds the diffusers engine from tiny random-weight model folders, as a worker would."""
    for name, value in tiny_weights.items():
        setattr(settings, name, value)


@pytest.fixture
def no_language_model(settings):
    settings.AI_LLM_PROVIDER = "none"


def start(owner, character, capture, **fields) -> Generation:
    with capture(execute=True):
        return content.start_generation(owner, character_id=character.pk, **fields)


def system_prompt(request) -> str:
    return next(message["content"] for message in request.body["messages"] if message["role"] == "system")


def user_text(request) -> str:
    parts = next(message["content"] for message in request.body["messages"] if message["role"] == "user")
    return parts if isinstance(parts, str) else " ".join(p["text"] for p in parts if p["type"] == "text")


def test_images_are_generated_marked_captioned_and_left_pending(owner, character, image_engine, openai_stand_in,
                                                                run_queued, django_capture_on_commit_callbacks):
    openai_stand_in.reply(openai_chat_reply(GOOD))
    openai_stand_in.reply(openai_chat_reply(GOOD))
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="image",
                       prompt="a sunrise trail run", settings={**SMALL, "count": 2})

    run_queued()

    generation.refresh_from_db()
    assert generation.status == GenerationStatus.COMPLETED and generation.success_count == 2
    assert generation.started_at and generation.completed_at and generation.job.status == JobStatus.COMPLETED
    items = list(ContentItem.objects.filter(generation=generation).order_by("generation_settings__index"))
    assert [item.review for item in items] == [Review.PENDING, Review.PENDING]
    for index, item in enumerate(items):
        data = default_storage.open(item.file.name).read()
        assert provenance.read_digital_source_type(data) == provenance.TRAINED_ALGORITHMIC_MEDIA
        thumbnail = default_storage.open(item.thumbnail.name).read()
        assert provenance.read_digital_source_type(thumbnail) == provenance.TRAINED_ALGORITHMIC_MEDIA
        assert Image.open(io.BytesIO(data)).size == (64, 64) and item.file_size == len(data)
        settings = item.generation_settings
        assert settings["seed"] == character.seed_family + index  # the character's fixed seed family
        assert settings["mode"] == "txt2img" and settings["provider"] == "diffusers" and settings["steps"] == 2
        assert "auburn hair" in settings["prompt"] and "green eyes" in settings["prompt"]
        assert "sporty, casual style" in settings["prompt"] and "nsfw" in settings["negative_prompt"]
        assert item.caption == GOOD["caption"] and item.hashtags == ["TrailRunning", "espresso"]
        assert item.safety["nudity"][0]["checked"] and item.ai_generated  # checked before review
    sent = openai_stand_in.requests[0]
    schema = sent.body["response_format"]["json_schema"]
    assert schema["strict"] is True and schema["schema"] == captions.CAPTION_SCHEMA
    assert captions.CAPTION_SCHEMA["additionalProperties"] is False
    assert set(captions.CAPTION_SCHEMA["required"]) == {"caption", "hashtags", "alt_text"}
    voice = system_prompt(sent)
    for trait in ("Trail runner and coffee snob", "playful and upbeat", "trail running, espresso", "running, coffee"):
        assert trait in voice
    events = list(PersonaEvent.objects.filter(owner=owner).values_list("type", flat=True))
    assert events == ["content_generated", "content_generated", "generation_completed"]
    steps = set(JobStep.objects.filter(job=generation.job).values_list("name", "item"))
    assert steps == {("image", "1"), ("caption", "1"), ("image", "2"), ("caption", "2")}


def test_a_generated_image_the_nudity_check_flags_is_marked_for_the_reviewer(
        owner, character, image_engine, no_language_model, run_queued, django_capture_on_commit_callbacks,
        monkeypatch):
    monkeypatch.setattr(safety, "check_image", lambda image: safety.judge(
        [{"class": "BUTTOCKS_EXPOSED", "score": 0.8, "box": []}]))
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="image",
                       prompt="a sunrise trail run", settings={**SMALL, "count": 1})

    run_queued()

    item = ContentItem.objects.get(generation=generation)
    assert item.is_nsfw and item.review == Review.PENDING and item.safety["nudity"][0]["flagged"]


def test_a_request_seed_replaces_the_family_seed(owner, character, image_engine, no_language_model, run_queued,
                                                 django_capture_on_commit_callbacks):
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="image",
                       prompt="portrait", settings={**SMALL, "seed": 1234})

    run_queued()

    item = ContentItem.objects.get(generation=generation)
    assert item.generation_settings["seed"] == 1234


def test_without_a_language_model_images_have_no_caption_and_say_why(owner, character, image_engine,
                                                                     no_language_model, run_queued,
                                                                     django_capture_on_commit_callbacks):
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="image",
                       prompt="a rainy run", settings=SMALL)

    run_queued()

    item = ContentItem.objects.get(generation=generation)
    assert item.caption == "" and item.hashtags == []
    assert "no language model" in item.generation_settings["caption"]
    assert item.generation_settings["caption_model"] is None


def test_the_face_reference_conditions_the_image_through_img2img(owner, character, image_engine,
                                                                 no_language_model, run_queued,
                                                                 django_capture_on_commit_callbacks):
    character.face_reference.name = default_storage.save("personas/faces/face.png",
                                                         ContentFile(png_bytes((80, 80))))
    character.save()
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="image",
                       prompt="a selfie", settings=SMALL)

    run_queued()

    settings = ContentItem.objects.get(generation=generation).generation_settings
    assert settings["mode"] == "img2img" and "img2img" in settings["face_reference"]


def test_a_text_generation_writes_captions_in_the_persona_voice(owner, character, openai_stand_in, run_queued,
                                                                django_capture_on_commit_callbacks):
    openai_stand_in.reply(openai_chat_reply(GOOD))
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="text",
                       prompt="why I run before sunrise", category="story")

    run_queued()

    generation.refresh_from_db()
    item = ContentItem.objects.get(generation=generation)
    assert generation.status == GenerationStatus.COMPLETED and generation.job.cluster == "default"
    assert item.content_type == "text" and item.caption == GOOD["caption"] and not item.file
    assert item.category == "story" and item.review == Review.PENDING
    sent = openai_stand_in.requests[0]
    assert "why I run before sunrise" in user_text(sent) and "story" in user_text(sent)
    assert "Never write about: politics" in system_prompt(sent)


def test_a_caption_on_a_banned_topic_is_written_once_more(owner, character, openai_stand_in, run_queued,
                                                          django_capture_on_commit_callbacks):
    openai_stand_in.reply(openai_chat_reply(BANNED))
    openai_stand_in.reply(openai_chat_reply(GOOD))
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="text", prompt="Monday")

    run_queued()

    generation.refresh_from_db()
    assert generation.status == GenerationStatus.COMPLETED
    assert len(openai_stand_in.requests) == 2 and "politics" in user_text(openai_stand_in.requests[1])
    item = ContentItem.objects.get(generation=generation)
    assert item.caption == GOOD["caption"] and item.generation_settings["caption_attempts"] == 2


def test_a_banned_topic_twice_fails_the_generation(owner, character, openai_stand_in, run_queued,
                                                   django_capture_on_commit_callbacks):
    openai_stand_in.reply(openai_chat_reply(BANNED))
    openai_stand_in.reply(openai_chat_reply({**BANNED, "caption": "More thoughts.", "hashtags": ["#Politics"]}))
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="text", prompt="Monday")

    run_queued()

    generation.refresh_from_db()
    assert generation.status == GenerationStatus.FAILED and "politics" in generation.error_message
    assert generation.failure_count == 1 and generation.success_count == 0
    assert generation.job.status == JobStatus.FAILED and generation.job.error_code == "CONTENT_GENERATION_FAILED"
    assert not ContentItem.objects.filter(generation=generation).exists()
    assert PersonaEvent.objects.filter(owner=owner).last().type == "generation_failed"
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0  # the failed job's usage is refunded


def test_a_crash_in_the_job_never_leaves_the_generation_processing(owner, character, openai_stand_in, run_queued,
                                                                   monkeypatch, django_capture_on_commit_callbacks):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(captions, "write_caption", explode)
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="text", prompt="x")

    run_queued()

    generation.refresh_from_db()
    assert generation.status == GenerationStatus.FAILED and "internal error" in generation.error_message
    assert "boom" not in generation.error_message and generation.job.error_code == "INTERNAL_ERROR"


def test_a_storage_failure_fails_the_job_with_storage_error_and_leaves_no_half_item(
        owner, character, image_engine, no_language_model, run_queued, django_capture_on_commit_callbacks,
        monkeypatch):
    real_save, saved = default_storage.save, []

    def thumbnails_fail(name, content, max_length=None):
        if name.startswith("personas/thumbnails/"):
            raise OSError(28, "No space left on device")
        saved.append(real_save(name, content, max_length=max_length))
        return saved[-1]

    monkeypatch.setattr(default_storage, "save", thumbnails_fail)
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="image",
                       prompt="a rainy run", settings={**SMALL, "count": 2})

    run_queued()

    generation.refresh_from_db()
    assert generation.status == GenerationStatus.FAILED and generation.job.error_code == "STORAGE_ERROR"
    assert "No space" not in generation.error_message
    assert not ContentItem.objects.filter(generation=generation).exists()
    assert saved and not any(default_storage.exists(name) for name in saved)  # the image went with its item


def test_a_language_model_gone_before_the_run_fails_the_generation(owner, character, openai_stand_in, settings,
                                                                   run_queued, django_capture_on_commit_callbacks):
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="text", prompt="x")
    settings.AI_LLM_PROVIDER = "none"

    run_queued()

    generation.refresh_from_db()
    assert generation.status == GenerationStatus.FAILED
    # Shown on the studio page: in words, no setting's name.
    assert "needs to connect a language model" in generation.error_message and "AI_" not in generation.error_message


def test_a_retried_job_makes_only_the_missing_items(owner, character, openai_stand_in, run_queued,
                                                    django_capture_on_commit_callbacks):
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="text", prompt="x",
                       settings={"count": 2})
    content.add_item(generation, caption="made before the worker died", generation_settings={"index": 0})
    openai_stand_in.reply(openai_chat_reply(GOOD))

    run_queued()

    generation.refresh_from_db()
    assert generation.success_count == 2 and len(openai_stand_in.requests) == 1


def test_a_character_deleted_while_queued_fails_its_generation_without_work(owner, character, openai_stand_in,
                                                                            run_queued,
                                                                            django_capture_on_commit_callbacks):
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="text", prompt="x")
    characters.delete_character(owner, character_id=character.pk)
    run_queued()

    generation.refresh_from_db()
    assert generation.status == GenerationStatus.FAILED and not openai_stand_in.requests


@pytest.mark.parametrize(("strategy", "expected"), [("auto", ["TrailRunning", "espresso"]),
                                                    ("template", ["trails", "dawn"]), ("none", [])])
def test_a_rules_caption_template_and_hashtag_strategy_shape_what_is_generated(
        owner, character, openai_stand_in, run_queued, django_capture_on_commit_callbacks, strategy, expected):
    openai_stand_in.reply(openai_chat_reply(GOOD))
    template = "Out on the #trails before #dawn again. #trails"
    generation = start(owner, character, django_capture_on_commit_callbacks, content_type="text",
                       prompt="morning run", settings={"caption_template": template, "hashtag_strategy": strategy})

    run_queued()

    item = ContentItem.objects.get(generation=generation)
    assert item.caption == template  # the rule's words, not the model's
    assert item.hashtags == expected  # the caption writer's (cleaned), the template's in order, or none
