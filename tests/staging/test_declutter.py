"""Declutter: empty the furnished area (mode declutter), or empty it and stage it (declutter_and_stage)."""

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from staging import emptiness, structure
from staging.models import Staging
from tests.staging.conftest import ScriptedGenerator, jpeg_bytes
from tests.staging.drawings import add_furniture, draw_room, repaint_everything
from tests.staging.test_stage_create import stage
from tests.staging.test_stage_flow import run_one

pytestmark = pytest.mark.django_db


def furnished_room() -> Image.Image:
    """The drawn room with a sofa, a rug and a side table in its furnished area."""
    room = draw_room()
    return add_furniture(room, structure.furnished_area_mask(room).mask)


def is_declutter(request) -> bool:
    return request.prompt.startswith("an empty")


def emptying(request) -> Image.Image:
    """What a good declutter returns: the room without its furniture; staging passes furnish it."""
    if is_declutter(request):
        return draw_room().resize(request.size, Image.Resampling.LANCZOS)
    return add_furniture(request.sized_init(), request.sized_mask())


@pytest.fixture
def furnished_jpeg() -> bytes:
    return jpeg_bytes(furnished_room())


# The measure on its own: a real emptying passes, the furnished room returned unchanged fails.

def test_emptying_the_furnished_room_drops_most_of_its_edges():
    mask = structure.furnished_area_mask(furnished_room()).mask
    report = emptiness.measure_emptiness(furnished_room(), draw_room(), mask)
    assert report.passed and report.drop >= 0.35 and report.after < report.before


@pytest.mark.parametrize("output", [furnished_room, lambda: repaint_everything(furnished_room())])
def test_the_furnished_room_returned_unchanged_or_repainted_is_not_emptier(output):
    mask = structure.furnished_area_mask(furnished_room()).mask
    report = emptiness.measure_emptiness(furnished_room(), output(), mask)
    assert not report.passed and report.drop < 0.1


# Through the pipeline.

def test_declutter_delivers_the_emptied_room_with_its_own_figures(key_api, use_engine, working_size, run_queued,
                                                                  furnished_jpeg, owner, labeler_present,
                                                                  django_capture_on_commit_callbacks):
    engine = use_engine(ScriptedGenerator(emptying))
    body = run_one(key_api, furnished_jpeg, run_queued, django_capture_on_commit_callbacks, mode="declutter",
                   quality_mode="standard")
    assert body["status"] == "completed", body
    result = body["result"]
    assert result["mode"] == "declutter" and len(engine.requests) == 1 and is_declutter(engine.requests[0])
    assert [image["kind"] for image in result["images"]] == ["original", "emptied"]
    emptied = result["images"][1]
    assert emptied["url"] and emptied["emptiness_drop"] >= 0.25
    assert emptied["integrity_score"] >= 0.9 and emptied["pixel_lock_share"] >= 0.99
    assert emptied["quality_score"] >= 0.7
    staging = Staging.objects.get(pk=body["id"])
    assert Image.open(default_storage.open(staging.emptied_image.name)).size == (960, 640)
    assert result["staged_image_url"] and result["pixel_lock_share"] >= 0.99
    steps = set(staging.job.steps.values_list("name", flat=True))
    assert {"declutter", "declutter_integrity", "emptiness", "store_emptied"} <= steps and "generate" not in steps
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1


def test_an_engine_that_returns_the_furnished_room_fails_declutter_failed_uncharged(
        key_api, use_engine, working_size, run_queued, furnished_jpeg, owner, labeler_present,
        django_capture_on_commit_callbacks):
    engine = use_engine(ScriptedGenerator(lambda request: request.sized_init()))
    body = run_one(key_api, furnished_jpeg, run_queued, django_capture_on_commit_callbacks, mode="declutter",
                   quality_mode="standard")
    assert body["status"] == "failed" and body["error_code"] == "DECLUTTER_FAILED", body
    assert len(engine.requests) == 2  # one retry with stronger conditioning
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0


def test_declutter_and_stage_furnishes_the_emptied_room_and_keeps_every_image(
        key_api, use_engine, working_size, run_queued, furnished_jpeg, owner, labeler_present, client, staff,
        django_capture_on_commit_callbacks):
    engine = use_engine(ScriptedGenerator(emptying))
    body = run_one(key_api, furnished_jpeg, run_queued, django_capture_on_commit_callbacks,
                   mode="declutter_and_stage", quality_mode="standard")
    assert body["status"] == "completed", body
    result = body["result"]
    assert [is_declutter(request) for request in engine.requests] == [True, False]
    # The staging pass starts from the emptied room, not the furnished photo.
    staging_input = engine.requests[1].sized_init()
    mask = engine.requests[1].sized_mask()
    photo = furnished_room().resize(staging_input.size, Image.Resampling.LANCZOS)
    assert emptiness.measure_emptiness(photo, staging_input, mask).drop >= 0.25
    images = {image["kind"]: image for image in result["images"]}
    assert list(images) == ["original", "emptied", "staged"] and all(image["url"] for image in images.values())
    assert images["emptied"]["emptiness_drop"] >= 0.25 and images["emptied"]["pixel_lock_share"] >= 0.99
    assert images["staged"]["integrity_score"] >= 0.9 and images["staged"]["pixel_lock_share"] >= 0.99
    assert images["staged"]["quality_score"] == result["quality_score"]
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1  # one request, one unit, whatever the mode

    # The page's slider offers each pair; the chosen one is shown with its own words.
    client.force_login(owner)
    page = client.get(f"/staging/{body['id']}/?pair=original-emptied").content.decode()
    assert page.count('href="?pair=') == 3 and 'aria-current="true">Original / Emptied' in page
    assert 'alt="Emptied: the room emptied of furniture"' in page and "Download emptied photo" in page
    # Staff see the mode and the emptied room in the admin.
    client.force_login(staff)
    assert client.get("/admin/staging/staging/?mode__exact=declutter_and_stage").content.decode().count(
        body["id"]) >= 1
    assert "Emptied (declutter)" in client.get(f"/admin/staging/staging/{body['id']}/change/").content.decode()


@pytest.mark.parametrize("mode", ["stage", "declutter", "declutter_and_stage"])
def test_every_mode_runs_the_real_diffusers_pipelines(mode, key_api, tiny_diffusers, small_generation, settings,
                                                      run_queued, furnished_jpeg, labeler_present,
                                                      django_capture_on_commit_callbacks):
    # Random weights neither keep nor empty a room: the measures are switched off, the plumbing is under test.
    settings.STAGING_INTEGRITY_THRESHOLD = 0.0
    settings.STAGING_QUALITY_FLOOR = 0.0
    settings.STAGING_DECLUTTER_MIN_DROP = -100.0
    body = run_one(key_api, furnished_jpeg, run_queued, django_capture_on_commit_callbacks, mode=mode,
                   quality_mode="standard")
    assert body["status"] == "completed", body
    kinds = [image["kind"] for image in body["result"]["images"]]
    assert kinds == {"stage": ["original", "staged"], "declutter": ["original", "emptied"],
                     "declutter_and_stage": ["original", "emptied", "staged"]}[mode]


# The API and the pages.

def test_an_unknown_mode_is_a_validation_error(key_api, room_jpeg, accepting):
    response = stage(key_api, room_jpeg, mode="tidy")
    assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not Staging.objects.exists()


def test_the_mode_is_an_enum_in_the_openapi_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    schemas = schema["components"]["schemas"]
    assert schemas["StageInputRequest"]["properties"]["mode"]["allOf"][0]["$ref"].endswith("/StagingModeEnum")
    assert schemas["StagingModeEnum"]["enum"] == ["stage", "declutter", "declutter_and_stage"]
    assert schemas["StagingResult"]["properties"]["mode"]["$ref"].endswith("/StagingModeEnum")
    assert "DECLUTTER_FAILED" in str(schema["components"]["schemas"])


def test_the_upload_page_queues_the_chosen_mode(signed_in, room_jpeg, accepting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = signed_in.post("/staging/", {"photos": SimpleUploadedFile("room.jpg", room_jpeg, "image/jpeg"),
                                            "style": "modern_luxury", "quality_mode": "standard",
                                            "mode": "declutter_and_stage", "variants": 1})
    assert response.status_code == 302, response.content
    assert Staging.objects.get().mode == "declutter_and_stage"


def test_a_batch_declutters_every_photo(key_api, owner, room_jpeg, accepting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photos = [SimpleUploadedFile(f"room{n}.jpg", room_jpeg, "image/jpeg") for n in range(2)]
    response = key_api.post("/api/stage/batch", {"images[]": photos, "style": "modern_luxury", "mode": "declutter"},
                            format="multipart")
    assert response.status_code == 201, response.content
    assert list(Staging.objects.values_list("mode", flat=True)) == ["declutter", "declutter"]


def test_automatic1111_gets_the_empty_room_prompt_then_the_style(key_api, stand_in, settings, furnished_jpeg,
                                                                 run_queued, labeler_present,
                                                                 django_capture_on_commit_callbacks):
    from tests.staging.test_scale import a1111_image

    settings.AI_IMAGE_PROVIDER, settings.AI_IMAGE_BASE_URL, settings.AI_IMAGE_MODEL = "automatic1111", stand_in.url, ""
    # A flat answer neither keeps nor empties a room: the request bodies are under test.
    settings.STAGING_INTEGRITY_THRESHOLD, settings.STAGING_QUALITY_FLOOR = 0.0, 0.0
    settings.STAGING_DECLUTTER_MIN_DROP, settings.STAGING_UPSCALE_STRENGTH = -100.0, 0.0
    stand_in.reply([{"title": "model.safetensors", "model_name": "model"}])
    for _ in range(4):
        stand_in.reply(a1111_image())
    body = run_one(key_api, furnished_jpeg, run_queued, django_capture_on_commit_callbacks,
                   mode="declutter_and_stage", quality_mode="standard")
    assert body["status"] == "completed", body
    posts = [r.body for r in stand_in.requests if r.path == "/sdapi/v1/img2img"]
    assert len(posts) == 2 and posts[0]["prompt"].startswith("an empty") and "sofa" in posts[0]["negative_prompt"]
    assert not posts[1]["prompt"].startswith("an empty")
    assert all("mask" in post and post["alwayson_scripts"]["controlnet"]["args"][0]["module"] == "none"
               for post in posts)


def test_retention_deletes_the_emptied_room_too_and_the_images_lose_their_urls(owner, accepting):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from staging import selectors, services
    from tests.files.images import jpeg
    from tests.staging.test_pages import finish, staging_for

    staging = finish(staging_for(owner, mode="declutter_and_stage"))
    staging.emptied_image.name = default_storage.save(staging.file_key("emptied.png"), ContentFile(jpeg()))
    staging.emptied_figures = {"integrity_score": 0.97, "quality_score": 0.81, "pixel_lock_share": 1.0,
                               "emptiness": {"drop": 0.48}}
    staging.save()
    assert [image["url"] is not None for image in selectors.images_of(staging)] == [True, True, True]
    Staging.objects.filter(pk=staging.pk).update(created_at=timezone.now() - timedelta(days=31))

    assert services.delete_expired_files() == 1
    staging.refresh_from_db()
    assert not default_storage.exists(staging.emptied_image.name)
    assert [image["url"] for image in selectors.images_of(staging)] == [None, None, None]
    assert selectors.images_of(staging)[1]["emptiness_drop"] == 0.48  # the figures stay with the row
