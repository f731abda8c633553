"""Staging pages: upload, detail, re-stage, history and batches."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from config.jobs.choices import JobStatus, StepStatus
from staging import services
from staging.models import Batch, DisclosureProfile, Staging
from tests.files.images import gif, jpeg, png
from tests.staging.factories import JobStepFactory

pytestmark = pytest.mark.django_db


def photo(name="room.jpg", content=None):
    return SimpleUploadedFile(name, content if content is not None else jpeg(), content_type="image/jpeg")


def upload(client, photos, **fields):
    data = {"photos": photos, "style": "modern_luxury", "quality_mode": "standard", "room_type": "",
            "property_name": "", "disclosure": "", **fields}
    return client.post("/staging/", data)


def staging_for(user, **options) -> Staging:
    checked = services.check_request(user, images=[photo()], style_id=options.pop("style_id", "modern_luxury"),
                                     **options)
    return services.create_staging(user, checked)


def finish(staging: Staging) -> Staging:
    """Complete a staging as the pipeline would: the cleaned original, result files and figures, job completed."""
    services.clean_original(staging)
    for field, name in (("staged_image", "staged.png"), ("web_image", "web.webp"), ("thumbnail", "thumb.jpg")):
        getattr(staging, field).name = default_storage.save(staging.file_key(name), ContentFile(jpeg()))
    staging.download_image.name = staging.staged_image.name
    staging.quality_score, staging.integrity_score, staging.architectural_integrity = 0.87, 0.93, True
    staging.pixel_lock_share, staging.processing_time_ms = 0.9981, 24500
    staging.room_type, staging.room_type_source = "living_room", "labeler"
    staging.save()
    staging.job.status, staging.job.progress, staging.job.finished_at = JobStatus.COMPLETED, 1.0, timezone.now()
    staging.job.save()
    return staging


def test_upload_page_requires_sign_in(client):
    assert client.get("/staging/")["Location"].startswith("/accounts/login/")


def test_upload_page_shows_the_styles_with_their_palettes(signed_in, accepting):
    page = signed_in.get("/staging/").content.decode()
    for name in ("Modern Luxury", "Classic Elegance", "Scandinavian Luxe"):
        assert name in page
    assert "background-color: #f2efe9" in page
    assert "Best for: Contemporary homes" in page
    assert 'accept="image/jpeg,image/png,image/webp,image/heic"' in page and " multiple" in page
    assert "Detect automatically" in page
    assert re.search(r'value="premium"[^>]*checked', page)
    assert "unavailable" not in page.lower()


def test_upload_of_one_photo_creates_a_staging_and_redirects_to_it(signed_in, owner, accepting):
    response = upload(signed_in, [photo()], property_name="12 Harbour View", room_type="bedroom")
    staging = Staging.objects.get(owner=owner)
    assert response.status_code == 302 and response["Location"] == f"/staging/{staging.pk}/"
    assert (staging.property_name, staging.quality_mode, staging.room_type, staging.batch) == (
        "12 Harbour View", "standard", "bedroom", None)


def test_upload_of_several_photos_creates_a_batch_and_redirects_to_it(signed_in, owner, accepting):
    response = upload(signed_in, [photo("a.jpg"), photo("b.png", png())], property_name="Mill House")
    batch = Batch.objects.get(owner=owner)
    assert response.status_code == 302 and response["Location"] == f"/staging/batches/{batch.pk}/"
    assert batch.stagings.count() == 2 and batch.property_name == "Mill House"


def test_a_gif_shows_the_invalid_image_format_message(signed_in, owner, accepting):
    response = upload(signed_in, [photo("anim.gif", gif())])
    assert response.status_code == 200
    assert "Image must be one of" in response.content.decode()
    assert not Staging.objects.filter(owner=owner).exists()


def test_no_photo_asks_for_one(signed_in, accepting):
    response = upload(signed_in, [])
    assert response.status_code == 200 and "Choose at least one photo." in response.content.decode()


def test_a_batch_beyond_the_plan_shows_the_usage_message(signed_in, owner, accepting):
    owner.monthly_usage_limit = 1
    owner.save()
    response = upload(signed_in, [photo("a.jpg"), photo("b.jpg")])
    assert response.status_code == 200 and "This batch needs 2 stagings; 1 remain" in response.content.decode()
    assert not Batch.objects.exists()


def test_without_an_image_engine_the_page_says_so_and_offers_drafts(signed_in):
    page = signed_in.get("/staging/").content.decode()
    assert "Staging is unavailable right now" in page
    assert "an administrator needs to connect an image engine" in page
    assert "AI_IMAGE" not in page and "/admin/ai/" not in page  # no setting names for people who cannot set them
    assert "data-drafts-offer" in page and "Save as drafts" in page
    assert not re.search(r"<fieldset[^>]*disabled", page)  # photos can still be prepared


def test_staff_also_see_the_engines_own_words_and_where_to_fix_it(client, staff):
    client.force_login(staff)
    page = client.get("/staging/").content.decode()
    assert "AI_IMAGE_PROVIDER=none" in page and 'href="/admin/ai/engines/"' in page


def test_a_post_without_an_engine_keeps_the_photo_as_a_draft_and_says_why(signed_in, owner):
    response = upload(signed_in, [photo()])
    assert response.status_code == 302 and response["Location"] == "/staging/"
    page = signed_in.get("/staging/").content.decode()
    assert "Saved 1 photo(s) as drafts" in page and "an administrator needs to connect an image engine" in page
    assert "AI_IMAGE" not in page and "Stage 1 draft" in page
    assert not Staging.objects.filter(owner=owner).exists()


def test_maintenance_mode_shows_its_message_and_takes_nothing(signed_in, accepting, settings):
    settings.STAGING_MAINTENANCE_MODE = True
    page = signed_in.get("/staging/").content.decode()
    assert "Staging is unavailable right now" in page and "paused for maintenance" in page
    assert re.search(r"<fieldset[^>]*disabled", page) and "data-drafts-offer" not in page


def test_detail_renders_the_current_steps_for_live_progress(signed_in, owner, accepting):
    staging = staging_for(owner)
    JobStepFactory(job=staging.job, name="validate", status=StepStatus.COMPLETED)
    JobStepFactory(job=staging.job, name="interior", status=StepStatus.RUNNING)
    page = signed_in.get(f"/staging/{staging.pk}/").content.decode()
    assert f'data-staging-job="{staging.job_id}"' in page
    assert re.search(r'class="step is-completed" data-step="validate"', page)
    assert re.search(r'class="step is-running" data-step="interior"', page)
    assert re.search(r'class="step is-pending" data-step="generate"', page)
    assert 'aria-live="polite"' in page and "js/staging-progress.js" in page


def test_completed_detail_shows_the_slider_figures_and_download(signed_in, owner, accepting):
    staging = finish(staging_for(owner, property_name="12 Harbour View"))
    page = signed_in.get(f"/staging/{staging.pk}/").content.decode()
    assert 'type="range"' in page and "data-compare" in page and "js/staging-slider.js" in page
    assert "0.87" in page and "93%" in page and "99.8%" in page
    assert "Living room" in page and "Image labels" in page
    download = re.search(r'href="([^"]+)" download', page).group(1)
    response = signed_in.get(download)
    assert response.status_code == 200
    assert 'filename="12-harbour-view-staged-' in response["Content-Disposition"]


def test_completed_detail_shows_the_disclosure_and_original_url(signed_in, owner, accepting, settings):
    staging = finish(staging_for(owner, disclosure="california"))
    page = signed_in.get(f"/staging/{staging.pk}/").content.decode()
    profile = DisclosureProfile.objects.get(slug="california")
    assert profile.name in page and profile.description_text in page
    assert f'href="{settings.SITE_URL}/staging/originals/{staging.pk}"' in page


def test_failed_detail_shows_the_error_message(signed_in, owner, accepting):
    staging = staging_for(owner)
    staging.job.status, staging.job.error_code = JobStatus.FAILED, "NOT_INTERIOR_IMAGE"
    staging.job.error_message = "The photo does not look like the interior of a room."
    staging.job.save()
    page = signed_in.get(f"/staging/{staging.pk}/").content.decode()
    assert "This staging failed" in page and "does not look like the interior of a room" in page


def test_restage_creates_a_new_staging_and_redirects_to_it(signed_in, owner, accepting):
    staging = finish(staging_for(owner))
    response = signed_in.post(f"/staging/{staging.pk}/restage", {"style": "classic_elegance"})
    new = Staging.objects.get(owner=owner, style_id="classic_elegance")
    assert response.status_code == 302 and response["Location"] == f"/staging/{new.pk}/"


def test_restage_refused_shows_the_reason_on_the_form(signed_in, owner, accepting, settings):
    staging = finish(staging_for(owner))
    settings.STAGING_MAINTENANCE_MODE = True
    response = signed_in.post(f"/staging/{staging.pk}/restage", {"style": "classic_elegance"})
    assert response.status_code == 200 and "paused for maintenance" in response.content.decode()


def test_another_users_staging_is_404(signed_in, other_user, accepting):
    staging = staging_for(other_user)
    assert signed_in.get(f"/staging/{staging.pk}/").status_code == 404
    assert signed_in.post(f"/staging/{staging.pk}/restage", {"style": "classic_elegance"}).status_code == 404


def test_another_users_batch_is_404(signed_in, other_user, accepting):
    batch = services.create_batch(other_user, services.check_request(other_user, images=[photo(), photo()],
                                                                     style_id="modern_luxury"))
    assert signed_in.get(f"/staging/batches/{batch.pk}/").status_code == 404


def test_batch_page_shows_each_photo_with_its_status(signed_in, owner, accepting):
    batch = services.create_batch(owner, services.check_request(owner, images=[photo(), photo()],
                                                                style_id="modern_luxury", property_name="Mill House"))
    first, second = batch.stagings.order_by("created_at")
    finish(first)
    page = signed_in.get(f"/staging/batches/{batch.pk}/").content.decode()
    assert "Mill House" in page
    assert f'data-job="{first.job_id}" data-status="completed"' in page
    assert f'data-job="{second.job_id}" data-status="queued"' in page
    assert f"/staging/{first.pk}/" in page and f"/staging/{second.pk}/" in page


def test_history_lists_the_users_stagings_newest_first(signed_in, owner, other_user, accepting):
    older = staging_for(owner, property_name="Old Rectory")
    newer = staging_for(owner, property_name="New Wharf")
    theirs = staging_for(other_user, property_name="Elsewhere")
    page = signed_in.get("/staging/history/").content.decode()
    assert page.index(str(newer.pk)) < page.index(str(older.pk))
    assert str(theirs.pk) not in page


def test_history_filters_by_property(signed_in, owner, accepting):
    harbour = staging_for(owner, property_name="12 Harbour View")
    mill = staging_for(owner, property_name="Mill House")
    page = signed_in.get("/staging/history/", {"property": "harbour"}).content.decode()
    assert str(harbour.pk) in page and str(mill.pk) not in page


def test_history_filters_by_status(signed_in, owner, accepting):
    done = finish(staging_for(owner))
    waiting = staging_for(owner)
    page = signed_in.get("/staging/history/", {"status": "completed"}).content.decode()
    assert str(done.pk) in page and str(waiting.pk) not in page


def test_the_original_stays_public(client, owner, accepting):
    staging = staging_for(owner)
    assert client.get(f"/staging/originals/{staging.pk}").status_code == 404  # not cleaned by its job yet
    services.clean_original(staging)
    assert client.get(f"/staging/originals/{staging.pk}").status_code == 200
