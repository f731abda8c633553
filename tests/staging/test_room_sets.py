"""POST /api/stage/room-set and GET /api/stage/room-set/{id}: one room, many photos, the same furniture."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from config.jobs.models import JobStep
from staging.models import RoomSet, Staging
from tests.staging.conftest import ScriptedGenerator, jpeg_bytes
from tests.staging.drawings import PIECES, draw_room, paint_pieces, piece_colours

pytestmark = pytest.mark.django_db

def furnish(request, colours) -> Image.Image:
    """The request's room with the three pieces in ``colours``, painted only inside the mask."""
    return paint_pieces(request.sized_init(), request.sized_mask(), colours)


def reference_colours(request) -> list:
    """The colours of the reference's pieces: an engine that really looks at the reference."""
    reference = np.asarray(request.sized_reference())
    return [reference[int((top + bottom) / 2 * request.height), int((left + right) / 2 * request.width)]
            for left, top, right, bottom in PIECES]


def following(request) -> Image.Image:
    return furnish(request, reference_colours(request) if request.reference else piece_colours(request.seed))


def following_only_when_strong(request) -> Image.Image:
    """Ignores a weak reference (other furniture than the first photo's), follows a strong one."""
    if request.reference is None:
        return furnish(request, piece_colours(request.seed))
    strong = request.reference.weight >= 1.0
    return furnish(request, reference_colours(request) if strong else piece_colours(request.seed + 17))


def room_set(client, count: int, **fields):
    photos = [jpeg_bytes(draw_room(seed=index)) for index in range(count)]
    body = {"style": "classic_elegance", "room_type": "living_room", **fields,
            "images[]": [SimpleUploadedFile(f"room{i}.jpg", data) for i, data in enumerate(photos)]}
    return client.post("/api/stage/room-set", body, format="multipart")


@pytest.fixture
def reference_engine(use_engine, monkeypatch):
    engine = use_engine(ScriptedGenerator(following, reference=True))
    monkeypatch.setattr("config.ai.registry.ready_image_generator", lambda: engine)
    return engine


@pytest.mark.parametrize("count", [1, 9])
def test_fewer_than_two_or_more_than_eight_photos_is_invalid_room_set(key_api, reference_engine, queued, count):
    response = room_set(key_api, count)
    assert response.status_code == 400 and response.json()["error"]["code"] == "INVALID_ROOM_SET"
    assert not RoomSet.objects.exists() and not Staging.objects.exists()


def test_an_engine_without_reference_is_reference_not_supported(key_api, use_engine, monkeypatch, queued):
    engine = use_engine(ScriptedGenerator(following))
    monkeypatch.setattr("config.ai.registry.ready_image_generator", lambda: engine)
    response = room_set(key_api, 3)
    assert response.status_code == 400 and response.json()["error"]["code"] == "REFERENCE_NOT_SUPPORTED"
    assert not Staging.objects.exists()


def test_a_set_is_staged_from_the_first_result_with_one_seed(key_api, owner, reference_engine, working_size,
                                                            run_queued, labeler_present,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = room_set(key_api, 3, quality_mode="standard")
    assert response.status_code == 202, response.content
    created = response.json()
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 3 and len(created["photos"]) == 3
    run_queued()

    body = key_api.get(f"/api/stage/room-set/{created['id']}").json()
    assert body["status"] == "completed", body
    first, *others = body["photos"]
    assert first["id"] == body["reference"] and first["consistency_score"] is None
    assert all(photo["consistency_score"] >= 0.8 for photo in others)
    assert body["consistency"] == min(photo["consistency_score"] for photo in others)
    assert all(p["quality_score"] is not None and p["integrity_score"] and p["pixel_lock_share"] for p in others)
    requests = reference_engine.requests
    assert requests[0].reference is None and all(r.reference is not None for r in requests[1:])
    assert {r.seed for r in requests} == {body["seed"]}
    staged = Image.open(Staging.objects.get(pk=first["id"]).staged_image).convert("RGB")
    sent = np.asarray(requests[1].reference.image.convert("RGB").resize(staged.size))
    assert np.abs(sent.astype(int) - np.asarray(staged).astype(int)).mean() < 1


def test_below_the_minimum_a_photo_is_retried_once_with_a_stronger_reference(
        key_api, reference_engine, working_size, run_queued, labeler_present, django_capture_on_commit_callbacks):
    reference_engine.paint = following_only_when_strong
    with django_capture_on_commit_callbacks(execute=True):
        created = room_set(key_api, 2, quality_mode="standard").json()
    run_queued()

    second = Staging.objects.get(pk=created["photos"][1]["id"])
    steps = {(s.item, s.name): s.result_data for s in JobStep.objects.filter(job=second.job, name="consistency")}
    assert ("2", "consistency") in steps, steps
    weak, strong = steps[("1", "consistency")], steps[("2", "consistency")]
    assert weak["score"] < weak["minimum"] <= strong["score"]
    assert (weak["reference_weight"], strong["reference_weight"]) == (0.6, 1.0)
    assert JobStep.objects.filter(job=second.job, name="generate", item="stronger-reference-1").exists()
    assert second.consistency_score == strong["score"]


def test_a_failed_first_photo_fails_the_others(key_api, reference_engine, working_size, run_queued, labeler_present,
                                               django_capture_on_commit_callbacks):
    reference_engine.paint = lambda request: Image.new("RGB", request.size, (0, 0, 0))  # breaks the room
    with django_capture_on_commit_callbacks(execute=True):
        created = room_set(key_api, 2, quality_mode="standard").json()
    run_queued()
    body = key_api.get(f"/api/stage/room-set/{created['id']}").json()
    assert body["status"] == "failed"
    assert body["photos"][1]["error_code"] == "ROOM_SET_REFERENCE_FAILED"
    assert len(reference_engine.requests) == 2  # the first photo's two attempts, none for the second


def test_another_users_set_is_404(key_api, other_user, reference_engine, queued):
    from staging.models import Style

    theirs = RoomSet.objects.create(owner=other_user, style=Style.objects.first(), room_type="living_room", seed=1)
    assert key_api.get(f"/api/stage/room-set/{theirs.pk}").status_code == 404


def test_a_set_through_tiny_diffusers_gives_the_ip_adapter_the_first_result(
        key_api, tiny_diffusers, small_generation, run_queued, settings, labeler_present, monkeypatch, tmp_path,
        django_capture_on_commit_callbacks):
    import diffusers

    from tests.tiny_diffusers import save_tiny_ip_adapter

    # Random weights draw no room: the gates are off here; the figures are still measured and stored.
    settings.STAGING_INTEGRITY_THRESHOLD = settings.STAGING_QUALITY_FLOOR = settings.STAGING_CONSISTENCY_MIN = 0.0
    tiny_diffusers.ip_adapter = save_tiny_ip_adapter(tmp_path / "ip", tiny_diffusers._part("inpaint")["unet"])
    monkeypatch.setattr("config.ai.registry.ready_image_generator", lambda: tiny_diffusers)
    given = []
    pipeline_class = diffusers.StableDiffusionControlNetInpaintPipeline
    call = pipeline_class.__call__
    monkeypatch.setattr(pipeline_class, "__call__",
                        lambda self, **kwargs: given.append(kwargs.get("ip_adapter_image")) or call(self, **kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        created = room_set(key_api, 2, quality_mode="standard").json()
    run_queued()

    body = key_api.get(f"/api/stage/room-set/{created['id']}").json()
    assert body["status"] == "completed", body
    assert given[0] is None and given[1] is not None
    first = Image.open(Staging.objects.get(pk=body["reference"]).staged_image).convert("RGB")
    first = first.resize(given[1].size, Image.Resampling.LANCZOS)
    assert np.abs(np.asarray(given[1]).astype(int) - np.asarray(first).astype(int)).mean() < 3
    second = body["photos"][1]
    assert 0 <= second["consistency_score"] <= 1 and body["consistency"] == second["consistency_score"]
    assert second["pixel_lock_share"] >= 0.99 and second["integrity_score"] is not None


def test_the_pages_upload_a_set_and_show_its_photos_side_by_side(signed_in, owner, reference_engine, queued):
    photos = [SimpleUploadedFile(f"room{i}.jpg", jpeg_bytes(draw_room(seed=i))) for i in range(3)]
    response = signed_in.post("/staging/room-sets/new", {"photos": photos, "style": "classic_elegance",
                                                         "room_type": "bedroom", "quality_mode": "standard"})
    room_set = RoomSet.objects.get(owner=owner)
    assert response.status_code == 302 and response["Location"] == f"/staging/room-sets/{room_set.pk}/"
    page = signed_in.get(response["Location"]).content.decode()
    assert page.count("<li data-status=") == 3 and "Photo 1 (reference)" in page and "not measured yet" in page


def test_the_page_shows_a_single_photo_as_a_form_error(signed_in, reference_engine, queued):
    photo = SimpleUploadedFile("room.jpg", jpeg_bytes(draw_room()))
    response = signed_in.post("/staging/room-sets/new", {"photos": [photo], "style": "classic_elegance",
                                                         "room_type": "bedroom", "quality_mode": "standard"})
    assert response.status_code == 200 and "2 to 8 photos of one room; 1 received" in response.content.decode()
    assert not RoomSet.objects.exists()


def test_another_users_set_page_is_404(signed_in, other_user):
    from staging.models import Style

    theirs = RoomSet.objects.create(owner=other_user, style=Style.objects.first(), room_type="living_room", seed=1)
    assert signed_in.get(f"/staging/room-sets/{theirs.pk}/").status_code == 404


def ignoring(request) -> Image.Image:
    """Takes the reference but furnishes every call anew: what random seeds without a reference give."""
    weight = request.reference.weight if request.reference else 0
    return furnish(request, piece_colours(request.seed + int(weight * 100) + 1))


def staged_set(client, engine, paint, run_queued, capture) -> dict:
    engine.paint, engine.requests = paint, []
    with capture(execute=True):
        created = room_set(client, 3, quality_mode="standard").json()
    run_queued()
    return client.get(f"/api/stage/room-set/{created['id']}").json()


def test_a_set_staged_with_the_reference_scores_above_one_furnished_anew(
        key_api, reference_engine, working_size, run_queued, labeler_present, django_capture_on_commit_callbacks):
    alike = staged_set(key_api, reference_engine, following, run_queued, django_capture_on_commit_callbacks)
    unlike = staged_set(key_api, reference_engine, ignoring, run_queued, django_capture_on_commit_callbacks)

    assert alike["status"] == unlike["status"] == "completed"
    assert alike["consistency"] >= 0.8 > unlike["consistency"]
    # Below the minimum each later photo was generated a second time, with the stronger reference.
    assert [r.reference.weight for r in reference_engine.requests if r.reference] == [0.6, 1.0, 0.6, 1.0]


def test_a_photo_delivered_before_its_reference_ended_waits_for_the_dispatcher(
        key_api, reference_engine, queued, django_capture_on_commit_callbacks):
    from config.jobs import services as jobs
    from staging.tasks import run_room_set_photo

    with django_capture_on_commit_callbacks(execute=True):
        created = room_set(key_api, 2).json()
    reference = Staging.objects.get(pk=created["photos"][0]["id"]).job
    second = Staging.objects.select_related("job").get(pk=created["photos"][1]["id"])
    assert second.job.enqueued_at is None  # held back in the database: it needs the first result

    run_room_set_photo(str(second.job_id))  # a stray delivery before the reference has ended

    second.job.refresh_from_db()
    assert second.job.status == "queued" and second.job.enqueued_at is None and second.job.attempts == 0
    assert not reference_engine.requests
    queued.clear()
    assert jobs.enqueue_pending_jobs() == 0  # the sweep too waits for the reference
    with django_capture_on_commit_callbacks(execute=True):
        jobs.complete_job(jobs.claim_job(reference.pk), {})
    assert [(task, args[0]) for task, args, _ in queued] == [("staging.tasks.run_room_set_photo", str(second.job_id))]


def test_a_plan_short_of_the_whole_set_refuses_it(key_api, owner, reference_engine, queued):
    owner.monthly_usage_limit = owner.usage_this_cycle + 2
    owner.save(update_fields=["monthly_usage_limit"])
    response = room_set(key_api, 3)
    assert response.status_code == 429 and response.json()["error"]["code"] == "USAGE_LIMIT_EXCEEDED"
    assert response.json()["error"]["details"] == {"needed": 3, "remaining": 2}
    assert not Staging.objects.exists() and not queued
