"""Staging without an engine: photos are kept as drafts, then staged in one click once an engine answers."""

import re

import pytest
from django.core.files.storage import default_storage

from config.jobs.models import Job
from staging.models import Staging, StagingDraft
from tests.factories import UserFactory
from tests.staging.test_pages import photo, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def engine_connected(monkeypatch):
    """From now on an image engine answers (and nothing reaches a real queue)."""

    def connect():
        monkeypatch.setattr("staging.services.registry.ready_image_generator", lambda: object())
        monkeypatch.setattr("config.jobs.services.async_task", lambda *args, **kwargs: None)

    return connect


def test_without_an_engine_photos_become_drafts_with_their_settings_and_nothing_is_queued(signed_in, owner):
    upload(signed_in, [photo("a.jpg"), photo("b.jpg")], property_name="12 Harbour View", quality_mode="premium")

    drafts = list(StagingDraft.objects.filter(owner=owner))
    assert len(drafts) == 2 and {d.property_name for d in drafts} == {"12 Harbour View"}
    assert {d.style_id for d in drafts} == {"modern_luxury"} and all(default_storage.exists(d.original_image.name)
                                                                        for d in drafts)
    assert not Job.objects.exists() and not Staging.objects.exists()
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0  # drafts take no usage


def test_the_stage_button_waits_for_an_engine_and_says_why(signed_in):
    upload(signed_in, [photo()])
    page = signed_in.get("/staging/").content.decode()
    assert re.search(r"<button[^>]*disabled[^>]*data-stage-drafts", page) and "Waiting: " in page

    response = signed_in.post("/staging/drafts/stage", follow=True)
    assert "The drafts are kept" in response.content.decode() and StagingDraft.objects.count() == 1


def test_once_an_engine_is_connected_one_click_stages_every_draft(signed_in, owner, engine_connected,
                                                                   django_capture_on_commit_callbacks):
    upload(signed_in, [photo("a.jpg"), photo("b.jpg")], property_name="12 Harbour View")
    names = list(StagingDraft.objects.values_list("original_image", flat=True))
    engine_connected()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/staging/drafts/stage")

    assert response.status_code == 302 and response["Location"] == "/staging/history/"
    stagings = Staging.objects.filter(owner=owner)
    assert stagings.count() == 2 and {s.property_name for s in stagings} == {"12 Harbour View"}
    assert all(s.job.status == "queued" for s in stagings)
    assert not StagingDraft.objects.exists() and not any(default_storage.exists(name) for name in names)
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 2


def test_drafts_the_plan_cannot_cover_are_all_kept(signed_in, owner, engine_connected):
    upload(signed_in, [photo("a.jpg"), photo("b.jpg")])
    owner.monthly_usage_limit = 1
    owner.save()
    engine_connected()

    response = signed_in.post("/staging/drafts/stage", follow=True)

    assert "needs 2 stagings; 1 remain" in response.content.decode()
    assert StagingDraft.objects.count() == 2 and not Staging.objects.exists()


def test_a_draft_can_be_deleted_with_its_photo(signed_in):
    upload(signed_in, [photo()])
    draft = StagingDraft.objects.get()

    response = signed_in.post(f"/staging/drafts/{draft.pk}/delete")

    assert response.status_code == 302 and not StagingDraft.objects.exists()


def test_another_persons_draft_is_not_found(client, signed_in):
    upload(signed_in, [photo()])
    draft = StagingDraft.objects.get()
    client.force_login(UserFactory())

    assert client.post(f"/staging/drafts/{draft.pk}/delete").status_code == 404
    assert StagingDraft.objects.exists()


def test_the_api_never_shows_drafts(signed_in, key_api):
    upload(signed_in, [photo()])
    draft = StagingDraft.objects.get()
    assert key_api.get(f"/api/stage/{draft.pk}").status_code == 404
