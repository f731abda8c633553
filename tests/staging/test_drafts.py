"""Staging without an engine: photos are kept as drafts, then staged in one click once an engine answers."""

import re

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from config.jobs.models import Job
from staging import services
from staging.models import Staging, StagingDraft
from staging.services import drafts
from tests.factories import UserFactory
from tests.files.images import gif
from tests.staging.conftest import ScriptedGenerator
from tests.staging.drawings import add_furniture
from tests.staging.test_pages import photo, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def connect_engine(use_engine, queued):
    """Call it to connect an image engine that furnishes the room (tasks go to ``queued``)."""
    return lambda: use_engine(ScriptedGenerator(lambda r: add_furniture(r.sized_init(), r.sized_mask())))


def stage_button(page: str) -> str:
    return re.search(r"<button[^>]*data-stage-drafts[^>]*>[^<]*</button>", page).group(0)


def test_without_an_engine_photos_become_drafts_with_their_settings_and_nothing_is_queued(signed_in, owner, queued):
    response = upload(signed_in, [photo("a.jpg"), photo("b.jpg")], property_name="12 Harbour View",
                      quality_mode="premium")

    assert response.status_code == 302 and response["Location"] == "/staging/"
    drafts = list(StagingDraft.objects.filter(owner=owner))
    assert len(drafts) == 2 and {d.property_name for d in drafts} == {"12 Harbour View"}
    assert {(d.style_id, d.quality_mode) for d in drafts} == {("modern_luxury", "premium")}
    assert all(default_storage.exists(d.original_image.name) for d in drafts)
    assert not Job.objects.exists() and not Staging.objects.exists() and queued == []
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0  # drafts take no usage


def test_drafts_get_the_same_upload_checks_as_a_staging(signed_in):
    response = upload(signed_in, [photo("anim.gif", gif())])
    assert response.status_code == 200 and "Image must be one of" in response.content.decode()
    assert not StagingDraft.objects.exists()


def test_the_page_says_in_words_that_photos_are_kept_as_drafts(signed_in):
    before = signed_in.get("/staging/").content.decode()
    assert "they are saved as drafts" in before and "once an administrator has connected an image engine" in before

    after = signed_in.get(upload(signed_in, [photo()])["Location"]).content.decode()
    assert "Saved 1 photo(s) as drafts" in after and "Drafts waiting to be staged (1)" in after
    assert "AI_IMAGE" not in after and reverse("ai:engines") not in after  # no settings, no staff links


def test_staff_also_get_the_link_to_the_engines_page(client, staff):
    client.force_login(staff)
    page = client.get("/staging/").content.decode()
    assert "they are saved as drafts" in page and f'href="{reverse("ai:engines")}"' in page


def test_the_stage_button_waits_for_an_engine_and_says_why(signed_in):
    upload(signed_in, [photo()])
    page = signed_in.get("/staging/").content.decode()
    assert "disabled" in stage_button(page)
    assert "Waiting: Creating images with AI is not switched on yet" in page

    response = signed_in.post("/staging/drafts/stage", follow=True)
    assert "The drafts are kept" in response.content.decode() and StagingDraft.objects.count() == 1


def test_once_an_engine_is_connected_the_button_is_enabled_and_counts_the_drafts(signed_in, connect_engine):
    upload(signed_in, [photo("a.jpg"), photo("b.jpg")])
    connect_engine()
    button = stage_button(signed_in.get("/staging/").content.decode())
    assert "disabled" not in button and "Stage 2 drafts" in button


def test_once_an_engine_is_connected_one_click_queues_every_draft(signed_in, owner, connect_engine, queued,
                                                                  django_capture_on_commit_callbacks):
    upload(signed_in, [photo("a.jpg"), photo("b.jpg")], property_name="12 Harbour View")
    names = list(StagingDraft.objects.values_list("original_image", flat=True))
    connect_engine()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/staging/drafts/stage")

    assert response.status_code == 302 and response["Location"] == "/staging/history/"
    stagings = Staging.objects.filter(owner=owner)
    assert stagings.count() == 2 and {s.property_name for s in stagings} == {"12 Harbour View"}
    assert all(s.job.status == "queued" and s.job.kind == services.JOB_KIND for s in stagings)
    assert sorted(args for _, args, _ in queued) == sorted((str(s.job_id),) for s in stagings)
    assert all(default_storage.exists(services.upload_key(s)) and not s.original_image for s in stagings)
    assert not StagingDraft.objects.exists() and not any(default_storage.exists(name) for name in names)
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 2


def test_a_staged_draft_runs_the_normal_pipeline_with_its_settings(client, owner, use_engine, queued, run_queued,
                                                                    working_size, room_jpeg, labeler_present,
                                                                    django_capture_on_commit_callbacks):
    client.force_login(owner)
    upload(client, [photo("room.jpg", room_jpeg)], room_type="bedroom", quality_mode="standard")
    use_engine(ScriptedGenerator(lambda r: add_furniture(r.sized_init(), r.sized_mask())))

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/staging/drafts/stage")
    run_queued()

    staging = Staging.objects.get(owner=owner)
    assert staging.status == "completed", staging.job.error_message
    assert (staging.room_type, staging.room_type_source, staging.quality_mode) == ("bedroom", "given", "standard")
    assert default_storage.exists(staging.staged_image.name)


def test_drafts_the_plan_cannot_cover_are_all_kept(signed_in, owner, connect_engine):
    upload(signed_in, [photo("a.jpg"), photo("b.jpg")])
    owner.monthly_usage_limit = 1
    owner.save()
    connect_engine()

    response = signed_in.post("/staging/drafts/stage", follow=True)

    assert "needs 2 stagings; 1 remain" in response.content.decode()
    assert StagingDraft.objects.count() == 2 and not Staging.objects.exists()


def test_a_second_click_that_lost_the_race_queues_nothing(signed_in, owner, connect_engine, monkeypatch):
    upload(signed_in, [photo("a.jpg"), photo("b.jpg")])
    connect_engine()
    ensure_accepting = services.ensure_accepting

    def other_click_first(count):
        # The other tab's request runs to the end between this one's read and its claim.
        monkeypatch.setattr(drafts, "ensure_accepting", ensure_accepting)
        services.stage_drafts(owner)

    monkeypatch.setattr(drafts, "ensure_accepting", other_click_first)
    response = signed_in.post("/staging/drafts/stage", follow=True)

    assert "These drafts are already being staged." in response.content.decode()
    assert Staging.objects.count() == 2 and not StagingDraft.objects.exists()
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 2


def test_a_draft_can_be_deleted_with_its_photo(signed_in, django_capture_on_commit_callbacks):
    upload(signed_in, [photo("a.jpg"), photo("b.jpg")])
    draft, kept = StagingDraft.objects.all()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(f"/staging/drafts/{draft.pk}/delete")

    assert response.status_code == 302 and list(StagingDraft.objects.all()) == [kept]
    assert not default_storage.exists(draft.original_image.name)
    assert default_storage.exists(kept.original_image.name)


def test_deleting_needs_a_post(signed_in):
    upload(signed_in, [photo()])
    draft = StagingDraft.objects.get()
    assert signed_in.get(f"/staging/drafts/{draft.pk}/delete").status_code == 405
    assert StagingDraft.objects.exists()


def test_another_persons_draft_is_not_found(client, signed_in, connect_engine):
    upload(signed_in, [photo()])
    draft = StagingDraft.objects.get()
    client.force_login(UserFactory())
    connect_engine()

    assert client.post(f"/staging/drafts/{draft.pk}/delete").status_code == 404
    page = client.get("/staging/").content.decode()
    assert str(draft.pk) not in page and "data-stage-drafts" not in page
    client.post("/staging/drafts/stage")
    assert StagingDraft.objects.get() == draft and not Staging.objects.exists()


def test_the_api_never_shows_drafts(signed_in, key_api):
    upload(signed_in, [photo()])
    draft = StagingDraft.objects.get()

    assert key_api.get(f"/api/stage/{draft.pk}").status_code == 404
    account = key_api.get("/api/account").json()
    assert account["recent_stagings"] == [] and account["usage_this_month"]["used"] == 0


def test_staff_see_drafts_in_the_admin_and_filter_them_by_style(client, staff, signed_in):
    upload(signed_in, [photo()])
    upload(signed_in, [photo()], style="scandinavian_luxe")
    modern, scandinavian = (StagingDraft.objects.get(style_id=s) for s in ("modern_luxury", "scandinavian_luxe"))
    client.force_login(staff)

    everything = client.get("/admin/staging/stagingdraft/").content.decode()
    assert str(scandinavian.pk) in everything and str(modern.pk) in everything
    assert 'href="?style__id__exact=scandinavian_luxe"' in everything  # the filter is offered in the sidebar

    page = client.get("/admin/staging/stagingdraft/?style__id__exact=scandinavian_luxe").content.decode()
    assert str(scandinavian.pk) in page and str(modern.pk) not in page


def test_deleting_a_draft_in_the_admin_removes_its_photo(client, staff, signed_in, django_capture_on_commit_callbacks):
    upload(signed_in, [photo()])
    draft = StagingDraft.objects.get()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/staging/stagingdraft/", {"action": "delete_selected", "_selected_action": [draft.pk],
                                                     "post": "yes"})

    assert not StagingDraft.objects.exists() and not default_storage.exists(draft.original_image.name)
