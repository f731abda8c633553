"""Stagings wait in the database and reach the broker in plan order, never twice (staging.dispatch)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.jobs import services as jobs
from config.jobs.models import Job
from staging import dispatch, services
from staging.models import Staging
from tests.factories import UserFactory
from tests.staging.test_room_sets import reference_engine, room_set  # noqa: F401 (a fixture)
from tests.staging.test_stage_create import stage
from tests.staging.test_stage_flow import run_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def engine_ready(monkeypatch):
    monkeypatch.setattr("config.ai.registry.ready_image_generator", lambda: object())


@pytest.fixture
def create(room_jpeg, engine_ready, django_capture_on_commit_callbacks):
    """Create a staging for ``user`` as the API does, running what its commit triggers."""

    def make(user) -> Job:
        checked = services.check_request(user, images=[SimpleUploadedFile("room.jpg", room_jpeg)],
                                         style_id="modern_luxury")
        with django_capture_on_commit_callbacks(execute=True):
            return services.create_staging(user, checked).job

    return make


def sent(queued) -> list[str]:
    return [args[0] for _, args, _ in queued]


def finish(job: Job, capture) -> None:
    """Run and complete ``job`` as a worker would, with what its end triggers."""
    with capture(execute=True):
        claimed = jobs.claim_job(job.pk)
        jobs.complete_job(claimed, {})


def test_an_enterprise_staging_created_after_trial_ones_is_handed_out_first(
        create, queued, settings, django_capture_on_commit_callbacks):
    settings.STAGING_DISPATCH_AHEAD = 1
    trial, enterprise = UserFactory(plan="trial"), UserFactory(plan="enterprise")
    professional = UserFactory(plan="professional")
    first, second, third = create(trial), create(trial), create(trial)
    late_pro, late_enterprise = create(professional), create(enterprise)
    assert sent(queued) == [str(first.pk)]  # one ahead of the running ones; the rest wait in the database

    for job in (first, late_enterprise, late_pro, second):
        finish(job, django_capture_on_commit_callbacks)

    assert sent(queued) == [str(job.pk) for job in (first, late_enterprise, late_pro, second, third)]


def test_only_the_allowance_beyond_the_running_ones_is_handed_out(create, queued, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.STAGING_DISPATCH_AHEAD = 2
    user = UserFactory()
    created = [create(user) for _ in range(4)]
    assert sent(queued) == [str(job.pk) for job in created[:2]]
    jobs.claim_job(created[0].pk)  # running now: the broker holds one; nothing ends, so nothing is triggered
    assert dispatch.dispatch() == 1 and sent(queued)[-1] == str(created[2].pk)
    assert dispatch.dispatch() == 0


def test_two_dispatchers_never_enqueue_the_same_job(create, queued, settings):
    settings.STAGING_DISPATCH_AHEAD = 0  # hold everything back at creation
    user = UserFactory()
    created = [create(user) for _ in range(3)]
    settings.STAGING_DISPATCH_AHEAD = 3
    stale = dispatch.waiting(3)  # what a second dispatcher read before the first one sent them

    assert dispatch.dispatch() == 3
    assert [jobs.enqueue_once(job) for job in stale] == [False, False, False]
    assert dispatch.dispatch() == 0
    assert sorted(sent(queued)) == sorted(str(job.pk) for job in created)


def test_a_refusing_broker_gives_the_claim_back_and_the_sweep_sends_it_later(create, monkeypatch, settings):
    attempts = []

    def down(*args, **kwargs):
        attempts.append(args)
        raise ConnectionError("broker down")

    monkeypatch.setattr(jobs, "async_task", down)
    job = create(UserFactory())
    assert len(attempts) == 1 and Job.objects.get(pk=job.pk).enqueued_at is None

    delivered = []
    monkeypatch.setattr(jobs, "async_task", lambda func, *args, **options: delivered.append(args))
    jobs.sweep_stuck_jobs()
    jobs.sweep_stuck_jobs()
    assert delivered == [(str(job.pk),)] and Job.objects.get(pk=job.pk).enqueued_at is not None


def test_other_kinds_are_still_enqueued_at_commit(queued, owner, django_capture_on_commit_callbacks, settings):
    settings.STAGING_DISPATCH_AHEAD = 0
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.create_job(owner, kind="catalog.single", task="catalog.tasks.run_analysis")
    assert sent(queued) == [str(job.pk)]


def test_stagings_held_back_run_through_in_the_embedded_mode(key_api, furnishing_engine, small_generation,
                                                              run_queued, labeler_present, room_jpeg, settings,
                                                              django_capture_on_commit_callbacks):
    settings.STAGING_DISPATCH_AHEAD = 1
    settings.STAGING_QUALITY = {**settings.STAGING_QUALITY,
                                "standard": {"short_edge": 160, "steps": 2, "guidance": 7.0}}
    with django_capture_on_commit_callbacks(execute=True):
        first = stage(key_api, room_jpeg, quality_mode="standard", room_type="living_room").json()["id"]
    # The second waits in the database until the first ends; run_queued runs whatever the broker gets.
    second = run_one(key_api, room_jpeg, run_queued, django_capture_on_commit_callbacks, quality_mode="standard",
                     room_type="living_room")
    assert second["status"] == "completed", second
    assert key_api.get(f"/api/stage/{first}").json()["status"] == "completed"
    assert Staging.objects.count() == 2


@pytest.mark.usefixtures("reference_engine")
def test_a_room_sets_later_photos_wait_until_its_first_photo_has_ended(
        key_api, queued, settings, django_capture_on_commit_callbacks):
    settings.STAGING_DISPATCH_AHEAD = 4
    with django_capture_on_commit_callbacks(execute=True):
        body = room_set(key_api, 3).json()
    reference = Staging.objects.get(pk=body["photos"][0]["id"]).job
    assert sent(queued) == [str(reference.pk)]  # room for four, but the others need the first result

    finish(reference, django_capture_on_commit_callbacks)

    later = [str(Staging.objects.get(pk=photo["id"]).job_id) for photo in body["photos"][1:]]
    assert sent(queued) == [str(reference.pk), *later]
