"""The personas pages: every page for its owner, 404 for others, sign-in required; and what each form does."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from config.crypto import encrypt_json
from personas.choices import ContentType, Review, RunStatus
from personas.models import (
    AutomationRule,
    Character,
    Generation,
    MetricSample,
    PlatformAccount,
    RuleRun,
    ScheduledPost,
)
from personas.recurrence import zone_tab_names
from tests.personas.conftest import png_bytes
from tests.personas.factories import (
    AutomationRuleFactory,
    CharacterFactory,
    ContentItemFactory,
    MetricSampleFactory,
    PlatformAccountFactory,
    RuleRunFactory,
    ScheduledPostFactory,
)
from tests.personas.standins import MastodonStandIn
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def mastodon():
    server = MastodonStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def account(character, mastodon) -> PlatformAccount:
    return PlatformAccountFactory(
        character=character, platform="mastodon", auth_type="oauth", server_url=mastodon.url,
        account_username="ava", platform_user_id="109000000000000001",
        credentials_encrypted=encrypt_json({"access_token": MastodonStandIn.token}))


@pytest.fixture
def rule(character) -> AutomationRule:
    return AutomationRuleFactory(character=character, name="Morning post", trigger_type="content_approved",
                                 action="schedule", content_type="image")


@pytest.fixture
def theirs(other_user):
    """Another user's character with one of everything."""
    character = CharacterFactory(owner=other_user, name="Someone Else")
    item = ContentItemFactory(character=character, content_type="text", caption="theirs")
    account = PlatformAccountFactory(character=character, platform="mastodon", auth_type="oauth",
                                     account_username="else")
    rule = AutomationRuleFactory(character=character, name="Theirs", trigger_type="content_approved")
    return {"character": character, "item": item, "account": account, "rule": rule}


def text(response) -> str:
    return response.content.decode()


def owner_pages(character, rule) -> list[str]:
    return ["/personas/", "/personas/new/", f"/personas/{character.pk}/", f"/personas/{character.pk}/studio/",
            "/personas/calendar/", "/personas/calendar/?view=month", "/personas/connections/",
            "/personas/analytics/", "/personas/rules/", f"/personas/rules/{rule.pk}/"]


# -- Access ---------------------------------------------------------------------------------------------------


def test_every_page_renders_for_its_owner(signed_in, character, rule):
    for url in owner_pages(character, rule):
        response = signed_in.get(url)
        assert response.status_code == 200, url
        assert 'aria-label="Personas"' in text(response), url


def test_every_page_needs_a_signed_in_user(client, character, rule):
    for url in owner_pages(character, rule):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


def test_another_users_objects_are_404(signed_in, theirs):
    c, item, acct, r = theirs["character"], theirs["item"], theirs["account"], theirs["rule"]
    for url in [f"/personas/{c.pk}/", f"/personas/{c.pk}/studio/", f"/personas/rules/{r.pk}/",
                f"/personas/calendar/?character={c.pk}", f"/personas/analytics/?character={c.pk}"]:
        assert signed_in.get(url).status_code == 404, url
    for url in [f"/personas/{c.pk}/generate", f"/personas/{c.pk}/pause", f"/personas/content/{item.pk}/approve",
                f"/personas/content/{item.pk}/reject", f"/personas/accounts/{acct.pk}/disconnect",
                f"/personas/accounts/{acct.pk}/sync", f"/personas/rules/{r.pk}/enable",
                f"/personas/rules/{r.pk}/dry-run"]:
        assert signed_in.post(url, {"reason": "x", "prompt": "x", "content_type": "text"}).status_code == 404, url
    item.refresh_from_db()
    assert item.review == Review.PENDING


def test_an_unknown_id_is_404(signed_in):
    assert signed_in.get(f"/personas/{uuid.uuid4()}/studio/").status_code == 404


# -- Characters -----------------------------------------------------------------------------------------------


def test_the_list_shows_only_the_users_characters_with_status(signed_in, character, theirs):
    page = text(signed_in.get("/personas/"))
    assert character.name in page and "Someone Else" not in page
    assert "badge-active" in page


def test_it_creates_a_character_with_a_profile_image_and_face_reference(signed_in, owner):
    response = signed_in.post("/personas/new/", {
        "name": "Ava Stone", "bio": "Climber.", "age": "29", "timezone": "Europe/Berlin",
        "interests": "climbing, coffee", "communication_style": "dry humour", "extroversion": "0.4",
        "preferred_topics": "bouldering", "hair_color": "black", "style_preferences": "outdoor, minimal",
        "banned_topics": "politics, religion", "disclosure_line": "AI character.",
        "profile_image": SimpleUploadedFile("me.png", png_bytes(), content_type="image/png"),
        "face_reference": SimpleUploadedFile("face.png", png_bytes(colour=(200, 170, 150)), content_type="image/png"),
    })
    character = Character.objects.get(owner=owner, name="Ava Stone")
    assert response.status_code == 302 and response.url == f"/personas/{character.pk}/studio/"
    assert character.timezone == "Europe/Berlin" and character.interests == ["climbing", "coffee"]
    assert character.banned_topics == ["politics", "religion"] and character.disclosure_line == "AI character."
    assert character.personality["communication_style"] == "dry humour"
    assert character.personality["extroversion"] == 0.4
    assert character.appearance["style_preferences"] == ["outdoor", "minimal"]
    assert character.profile_image.name and character.face_reference.name
    assert "face_reference_image" not in character.appearance
    avatar = text(signed_in.get("/personas/"))
    assert re.search(r'<img src="/media/[^"]+"', avatar)


def test_a_file_that_is_not_an_image_is_shown_on_the_form(signed_in, owner):
    response = signed_in.post("/personas/new/", {
        "name": "Broken", "timezone": "UTC", "disclosure_line": "AI.",
        "profile_image": SimpleUploadedFile("me.png", b"not an image", content_type="image/png"),
    })
    assert response.status_code == 200
    assert 'role="alert"' in text(response) and "profile_image" in text(response)
    assert not Character.objects.filter(owner=owner, name="Broken").exists()


def test_editing_keeps_what_was_not_changed(signed_in, character):
    form = {"name": "Maya R.", "bio": character.bio, "timezone": "America/New_York", "disclosure_line": "AI."}
    response = signed_in.post(f"/personas/{character.pk}/", form)
    assert response.status_code == 302
    character.refresh_from_db()
    assert (character.name, character.timezone) == ("Maya R.", "America/New_York")
    assert character.appearance["hair_color"] == ""  # the form sends every look field; blank clears it
    assert character.personality["extroversion"] == 0.7  # not sent: kept


def test_the_edit_form_is_prefilled(signed_in, character):
    page = text(signed_in.get(f"/personas/{character.pk}/"))
    assert 'value="Maya Rivers"' in page and "trail running, espresso" in page
    assert '<option value="America/Los_Angeles" selected>' in page


def test_pause_and_resume(signed_in, character):
    signed_in.post(f"/personas/{character.pk}/pause")
    character.refresh_from_db()
    assert character.status == "paused"
    signed_in.post(f"/personas/{character.pk}/resume")
    character.refresh_from_db()
    assert character.status == "active"


# -- Content studio -------------------------------------------------------------------------------------------


def test_generating_without_an_engine_shows_the_error_and_queues_nothing(signed_in, character, queued):
    response = signed_in.post(f"/personas/{character.pk}/generate", {"content_type": "image", "prompt": "a run"})
    assert response.status_code == 200
    assert "Creating images with AI is not switched on yet" in text(response) and "AI_" not in text(response)
    assert not Generation.objects.exists() and not queued


def test_generating_text_queues_a_job_and_the_studio_follows_it(signed_in, character, openai_stand_in, queued,
                                                                run_queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(f"/personas/{character.pk}/generate", {"content_type": "text", "prompt": "hills"})
    assert response.status_code == 302
    generation = Generation.objects.get(character=character)
    page = text(signed_in.get(f"/personas/{character.pk}/studio/"))
    assert f'data-job="{generation.job_id}"' in page and "personas-studio.js" in page

    openai_stand_in.reply(openai_chat_reply({"caption": "Hill repeats, then espresso.", "hashtags": ["running"],
                                             "alt_text": ""}))
    run_queued()
    page = text(signed_in.get(f"/personas/{character.pk}/studio/"))
    assert "Hill repeats, then espresso." in page and "data-review-queue" in page
    assert "personas-studio.js" not in page  # nothing left to follow


def test_approve_moves_an_item_to_the_library(signed_in, owner, character):
    item = ContentItemFactory(character=character, content_type=ContentType.TEXT, caption="Sunrise.")
    response = signed_in.post(f"/personas/content/{item.pk}/approve")
    assert response.status_code == 302 and response.url == f"/personas/{character.pk}/studio/#review"
    item.refresh_from_db()
    assert item.review == Review.APPROVED and item.reviewed_by == owner
    page = text(signed_in.get(f"/personas/{character.pk}/studio/"))
    assert "data-library" in page and "Sunrise." in page


def test_reject_records_the_reason_and_needs_one(signed_in, character):
    item = ContentItemFactory(character=character, content_type=ContentType.TEXT, caption="Meh.")
    signed_in.post(f"/personas/content/{item.pk}/reject", {"reason": ""})
    item.refresh_from_db()
    assert item.review == Review.PENDING
    signed_in.post(f"/personas/content/{item.pk}/reject", {"reason": "Off brand"})
    item.refresh_from_db()
    assert (item.review, item.review_reason) == (Review.REJECTED, "Off brand")


# -- Calendar -------------------------------------------------------------------------------------------------


def test_the_calendar_shows_times_in_each_characters_zone(signed_in, character, account, approved_image):
    # 16:00 UTC is 08:00 in Los Angeles (winter) and 01:00 the next day in Tokyo.
    ScheduledPostFactory(character=character, account=account, content=approved_image, caption="LA post",
                         scheduled_at=datetime(2030, 1, 16, 16, 0, tzinfo=UTC), timezone=character.timezone)
    tokyo = CharacterFactory(owner=character.owner, name="Kenji", timezone="Asia/Tokyo")
    tokyo_account = PlatformAccountFactory(character=tokyo, platform="mastodon", auth_type="oauth",
                                           account_username="kenji")
    ScheduledPostFactory(character=tokyo, account=tokyo_account, caption="Tokyo post",
                         scheduled_at=datetime(2030, 1, 16, 16, 0, tzinfo=UTC), timezone="Asia/Tokyo")

    page = text(signed_in.get("/personas/calendar/?view=week&date=2030-01-16"))
    wednesday = page.split('data-day="2030-01-16"')[1].split("</td>")[0]
    thursday = page.split('data-day="2030-01-17"')[1].split("</td>")[0]
    assert "08:00" in wednesday and "PST" in wednesday and "LA post" in wednesday
    assert "01:00" in thursday and "JST" in thursday and "Tokyo post" in thursday

    month = text(signed_in.get("/personas/calendar/?view=month&date=2030-01-16"))
    assert "January 2030" in month and "LA post" in month and "Tokyo post" in month
    only_la = text(signed_in.get(f"/personas/calendar/?view=month&date=2030-01-16&character={character.pk}"))
    assert "LA post" in only_la and "Tokyo post" not in only_la


def test_on_phones_the_calendar_is_an_agenda_of_days_not_the_grid(signed_in, character, account, approved_image):
    ScheduledPostFactory(character=character, account=account, content=approved_image, caption="LA post",
                         scheduled_at=datetime(2030, 1, 16, 16, 0, tzinfo=UTC), timezone=character.timezone)

    week = text(signed_in.get("/personas/calendar/?view=week&date=2030-01-16"))

    agenda = week.split("data-agenda>")[1].split("</ol>")[0]
    assert 'data-agenda-day="2030-01-16"' in agenda and "LA post" in agenda and "08:00" in agenda
    assert 'data-agenda-day="2030-01-15"' not in agenda  # days without posts are left out of the list
    assert 'href="?view=day&amp;date=2030-01-16"' in agenda and "calendar-grid-wrap" in week
    css = (django_settings.BASE_DIR / "static/personas/calendar.css").read_text()
    assert "@media (max-width: 599.98px)" in css and ".calendar-grid-wrap { display: none; }" in css
    assert "personas/calendar.css" in week


def test_the_day_view_lists_one_days_posts_without_the_grid(signed_in, character, account, approved_image):
    ScheduledPostFactory(character=character, account=account, content=approved_image, caption="LA post",
                         scheduled_at=datetime(2030, 1, 16, 16, 0, tzinfo=UTC), timezone=character.timezone)

    day = text(signed_in.get("/personas/calendar/?view=day&date=2030-01-16"))
    empty = text(signed_in.get("/personas/calendar/?view=day&date=2030-01-17"))

    assert "Wednesday 16 January 2030" in day and "LA post" in day and "calendar-grid" not in day
    assert "calendar-agenda-only" in day and '<option value="day" selected>' in day
    assert "Nothing scheduled." in empty and "LA post" not in empty
    assert 'date=2030-01-15' in day and 'date=2030-01-17' in day  # previous and next day


def test_scheduling_from_the_calendar_reads_the_time_in_the_characters_zone(signed_in, character, account,
                                                                             approved_image):
    response = signed_in.post("/personas/calendar/schedule", {
        "account": str(account.pk), "content": str(approved_image.pk), "scheduled_at": "2030-07-04T09:30",
        "caption": "", "recurrence": ""})
    assert response.status_code == 302 and response.url == "/personas/calendar/?date=2030-07-04"
    scheduled = ScheduledPost.objects.get(character=character)
    assert scheduled.scheduled_at == datetime(2030, 7, 4, 16, 30, tzinfo=UTC)  # 09:30 PDT
    assert scheduled.caption == approved_image.caption
    page = text(signed_in.get(response.url))
    assert "09:30" in page and "PDT" in page


def test_the_schedule_form_previews_the_post_as_its_platform_will_show_it(signed_in, character, approved_image):
    account = PlatformAccountFactory(character=character, platform="twitter", account_username="maya")
    caption = "Fog on the ridge and coffee in hand. " * 10
    response = signed_in.post("/personas/calendar/schedule", {
        "account": str(account.pk), "content": str(approved_image.pk), "scheduled_at": "2030-07-04T09:30",
        "caption": caption, "recurrence": "", "preview": "1"})

    page = response.content.decode()
    assert response.status_code == 200 and not ScheduledPost.objects.exists()
    assert "As it will appear on X (Twitter)" in page and "cut" in page and "of 280 characters" in page
    assert "X allows 280 weighted characters" in page and "Scheduling refuses this post" in page


def test_a_post_that_fits_previews_whole_with_no_problems(signed_in, character, account, approved_image):
    response = signed_in.post("/personas/calendar/schedule", {
        "account": str(account.pk), "content": str(approved_image.pk), "scheduled_at": "2030-07-04T09:30",
        "caption": "Short and sweet.", "recurrence": "", "preview": "1"})

    page = response.content.decode()
    assert "Short and sweet." in page and "data-preview-problems" not in page and "fits" in page


def test_a_time_in_the_past_is_shown_on_the_schedule_form(signed_in, character, account, approved_image):
    response = signed_in.post("/personas/calendar/schedule", {
        "account": str(account.pk), "content": str(approved_image.pk), "scheduled_at": "2020-01-01T09:00"})
    assert response.status_code == 200 and "future" in text(response)
    assert not ScheduledPost.objects.exists()


def test_cancelling_a_scheduled_post(signed_in, character, account, approved_image):
    scheduled = ScheduledPostFactory(character=character, account=account, content=approved_image,
                                     scheduled_at=timezone.now() + timedelta(days=1))
    signed_in.post(f"/personas/calendar/{scheduled.pk}/cancel")
    scheduled.refresh_from_db()
    assert scheduled.status == "cancelled"


# -- Connections ----------------------------------------------------------------------------------------------


def test_connecting_mastodon_checks_the_token_with_the_instance(signed_in, character, mastodon):
    response = signed_in.post("/personas/connections/mastodon/connect", {
        "character": str(character.pk), "server_url": mastodon.url, "access_token": MastodonStandIn.token})
    assert response.status_code == 302
    account = PlatformAccount.objects.get(character=character)
    assert (account.account_username, account.follower_count) == ("ava", 42)
    assert mastodon.paths() == ["GET /api/v1/accounts/verify_credentials"]
    page = text(signed_in.get("/personas/connections/"))
    assert "@ava" in page and MastodonStandIn.token not in page


def test_a_refused_token_is_shown_on_the_form(signed_in, character, mastodon):
    response = signed_in.post("/personas/connections/mastodon/connect", {
        "character": str(character.pk), "server_url": mastodon.url, "access_token": "wrong"})
    assert response.status_code == 200 and 'role="alert"' in text(response)
    assert not PlatformAccount.objects.exists()


def test_an_unreachable_instance_is_said_in_words_on_the_form(signed_in, character):
    response = signed_in.post("/personas/connections/mastodon/connect", {
        "character": str(character.pk), "server_url": "http://127.0.0.1:9", "access_token": "t"})

    page = text(response)
    assert "Mastodon could not be reached: no connection could be made" in page
    assert "ConnectError" not in page and "Error" not in page.split('role="alert"')[1].split("</div>")[0]


def test_a_private_instance_is_refused_in_words_without_setting_names(signed_in, character, settings):
    settings.OUTBOUND_ALLOW_PRIVATE, settings.OUTBOUND_ALLOWED_HOSTS = False, []

    response = signed_in.post("/personas/connections/mastodon/connect", {
        "character": str(character.pk), "server_url": "http://10.0.0.7", "access_token": "t"})

    page = text(response)
    assert "server_url is not allowed: Requests to 10.0.0.7 are not allowed: it is a private address." in page
    assert "OUTBOUND_" not in page and not PlatformAccount.objects.exists()


def test_the_bluesky_form_asks_for_an_app_password_never_the_account_password(signed_in, character):
    page = text(signed_in.get("/personas/connections/"))
    assert "App password" in page and "never your account password" in page.lower()
    assert 'type="password"' in page


def test_disconnect_and_sync(signed_in, account, mastodon):
    signed_in.post(f"/personas/accounts/{account.pk}/sync")
    account.refresh_from_db()
    assert account.last_synced_at and MetricSample.objects.filter(account=account, metric="followers").exists()
    signed_in.post(f"/personas/accounts/{account.pk}/disconnect")
    account.refresh_from_db()
    assert account.connection_status == "disconnected" and account.credentials_encrypted == ""


# -- Analytics ------------------------------------------------------------------------------------------------


def test_analytics_without_samples_is_an_empty_state(signed_in, character):
    page = text(signed_in.get("/personas/analytics/"))
    assert "data-empty-analytics" in page and "<svg" not in page


def test_analytics_draws_follower_samples_as_an_svg_chart(signed_in, account):
    start = timezone.now() - timedelta(days=3)
    for day, value in enumerate([40, 42, 47]):
        MetricSampleFactory(account=account, metric="followers", value=value,
                            sampled_at=start + timedelta(days=day))
    page = text(signed_in.get("/personas/analytics/"))
    assert '<svg viewBox="0 0 640 240" role="img"' in page
    points = re.search(r'<polyline class="series" points="([^"]+)"', page).group(1).split()
    assert len(points) == 3
    assert "Followers: 3 days" in page and "(47)" in page


# -- Rules ----------------------------------------------------------------------------------------------------


def test_creating_a_schedule_rule(signed_in, character):
    response = signed_in.post("/personas/rules/", {
        "character": str(character.pk), "name": "Daily", "trigger_type": "schedule", "cron": "0 9 * * *",
        "action": "generate", "content_type": "text", "prompt_template": "A {topic} morning",
        "max_posts_per_day": "1", "cooldown_minutes": "60"})
    rule = AutomationRule.objects.get(character=character)
    assert response.status_code == 302 and response.url == f"/personas/rules/{rule.pk}/"
    assert rule.trigger_config == {"cron": "0 9 * * *", "timezone": "America/Los_Angeles"}
    assert rule.next_run_at is not None


def test_an_invalid_schedule_is_shown_on_the_form(signed_in, character):
    response = signed_in.post("/personas/rules/", {
        "character": str(character.pk), "name": "Bad", "trigger_type": "schedule", "cron": "whenever",
        "action": "generate", "content_type": "text", "max_posts_per_day": "1", "cooldown_minutes": "60"})
    assert response.status_code == 200 and 'role="alert"' in text(response)
    assert not AutomationRule.objects.exists()


def test_enable_disable_and_dry_run(signed_in, rule, queued):
    signed_in.post(f"/personas/rules/{rule.pk}/disable")
    rule.refresh_from_db()
    assert not rule.is_enabled
    signed_in.post(f"/personas/rules/{rule.pk}/enable")
    rule.refresh_from_db()
    assert rule.is_enabled

    response = signed_in.post(f"/personas/rules/{rule.pk}/dry-run", follow=True)
    run = RuleRun.objects.get(rule=rule)
    assert run.dry_run and run.status == RunStatus.DRY_RUN
    page = text(response)
    assert "data-dry-run" in page and "It would not run now." in page
    assert "No approved, unused content to schedule." in page
    assert not ScheduledPost.objects.exists() and not queued


def test_editing_a_rule(signed_in, rule):
    form = {"character": str(rule.character_id), "name": "Renamed", "trigger_type": "content_approved",
            "action": "schedule", "content_type": "image", "platforms": ["mastodon"], "max_posts_per_day": "2",
            "cooldown_minutes": "30"}
    assert signed_in.post(f"/personas/rules/{rule.pk}/", form).status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.platforms, rule.max_posts_per_day) == ("Renamed", ["mastodon"], 2)


def test_approved_images_show_with_their_alt_text(signed_in, character, approved_image):
    page = text(signed_in.get(f"/personas/{character.pk}/studio/"))
    library = page.split("data-library")[1]
    assert re.search(r'<img src="/media/[^"]+" alt="A blue square\."', library)


def test_the_rule_form_describes_its_fields_with_elements_on_the_page(signed_in, character):
    html = text(signed_in.post("/personas/rules/", {"character": str(character.pk), "platforms": ["nowhere"]}))

    described = [i for ids in re.findall(r'aria-describedby="([^"]*)"', html) for i in ids.split()]
    # The platforms are a fieldset of checkboxes: the fieldset names the help text and the error.
    assert "id_platforms_helptext" in described and "id_platforms_error" in described
    for element_id in described:
        assert html.count(f'id="{element_id}"') == 1, element_id


# -- Admin ----------------------------------------------------------------------------------------------------


def test_every_personas_model_has_a_working_admin(client, staff, account, approved_image, rule):
    client.force_login(staff)
    for model in ["character", "generation", "contentitem", "platformaccount", "post", "scheduledpost",
                  "automationrule", "rulerun", "engagementaction", "metricsample", "personasettings",
                  "personaevent"]:
        assert client.get(f"/admin/personas/{model}/").status_code == 200, model


def test_the_account_admin_never_shows_credentials(client, staff, account):
    client.force_login(staff)
    page = text(client.get(f"/admin/personas/platformaccount/{account.pk}/change/"))
    assert account.credentials_encrypted and account.credentials_encrypted not in page
    assert "credentials_encrypted" not in page and MastodonStandIn.token not in page


def test_record_rows_are_read_only_in_the_admin(client, staff, account, rule):
    client.force_login(staff)
    sample = MetricSampleFactory(account=account, metric="followers", value=3)
    run = RuleRunFactory(rule=rule, trigger="dry_run", status=RunStatus.DRY_RUN, dry_run=True)
    for url in [f"/admin/personas/metricsample/{sample.pk}/change/", f"/admin/personas/rulerun/{run.pk}/change/"]:
        response = client.post(url, {"value": "999"})
        assert response.status_code == 403, url
    sample.refresh_from_db()
    assert sample.value == 3


def test_settings_saved_in_the_admin_go_through_the_service(client, staff):
    client.force_login(staff)
    response = client.post("/admin/personas/personasettings/add/",
                           {"data": '{"ollama": {"default_model": "llama3:8b"}}'})
    assert response.status_code == 302
    from personas.models import PersonaSettings

    row = PersonaSettings.objects.get()
    assert row.updated_by == staff and row.data == {"ollama": {"default_model": "llama3:8b"}}
    bad = client.post(f"/admin/personas/personasettings/{row.pk}/change/", {"data": '{"ollama": {"api_key": "x"}}'})
    assert bad.status_code == 200 and "Unknown setting" in text(bad)


def test_admin_actions_go_through_the_services(client, staff, character, account, rule):
    client.force_login(staff)
    client.post("/admin/personas/character/", {"action": "pause", "_selected_action": [str(character.pk)]})
    character.refresh_from_db()
    assert character.status == "paused"
    client.post("/admin/personas/automationrule/", {"action": "disable", "_selected_action": [str(rule.pk)]})
    rule.refresh_from_db()
    assert not rule.is_enabled
    client.post("/admin/personas/platformaccount/", {"action": "disconnect", "_selected_action": [str(account.pk)]})
    account.refresh_from_db()
    assert account.connection_status == "disconnected" and account.credentials_encrypted == ""


def test_the_character_admin_refuses_an_unknown_time_zone(client, staff, character):
    client.force_login(staff)
    url = f"/admin/personas/character/{character.pk}/change/"
    form = {"name": character.name, "bio": character.bio, "location": character.location, "timezone": "Mars/Base",
            "interests": '["running"]', "personality": "{}", "appearance": "{}", "platforms": "[]",
            "banned_topics": "[]", "disclosure_line": character.disclosure_line, "age": "27"}
    response = client.post(url, form)
    assert response.status_code == 200 and "not an IANA time zone" in text(response)
    response = client.post(url, {**form, "timezone": "Europe/Paris"})
    assert response.status_code == 302
    character.refresh_from_db()
    assert character.timezone == "Europe/Paris" and character.personality["extroversion"] == 0.7


def test_cancel_never_redirects_off_site(signed_in, character, account, approved_image):
    scheduled = ScheduledPostFactory(character=character, account=account, content=approved_image,
                                     scheduled_at=timezone.now() + timedelta(days=1))
    response = signed_in.post(f"/personas/calendar/{scheduled.pk}/cancel", {"next": "https://evil.example/"})
    assert response.url == "/personas/calendar/"


def test_a_zone_outside_the_list_stays_selectable(signed_in, character):
    Character.objects.filter(pk=character.pk).update(timezone="EST5EDT")
    page = text(signed_in.get(f"/personas/{character.pk}/"))
    assert '<option value="EST5EDT" selected>' in page


def test_the_studio_says_up_front_what_cannot_be_generated_and_why(signed_in, character, settings):
    settings.AI_LLM_PROVIDER, settings.AI_IMAGE_PROVIDER = "none", "none"

    page = signed_in.get(f"/personas/{character.pk}/studio/").content.decode()

    for kind, reason in (("image", "needs to connect an image engine"), ("text", "needs to connect a language model"),
                         ("video", "Videos cannot be generated here yet")):
        option = re.search(rf'<input type="radio" name="content_type" value="{kind}"[^>]*>', page).group(0)
        assert "disabled" in option and 'aria-describedby="id_content_type_' in option
        assert re.search(rf'data-content-type="{kind}">.*?{reason}', page, re.S)
    assert re.search(r'<button type="submit" class="primary" disabled aria-describedby="generate-reason">Generate',
                     page)
    assert 'id="generate-reason"' in page and "AI_" not in page
    assert "Set up AI engines" not in page  # staff only


def test_with_a_language_model_text_can_be_generated_and_video_still_cannot(signed_in, character, openai_stand_in,
                                                                            settings):
    settings.AI_IMAGE_PROVIDER = "none"

    page = signed_in.get(f"/personas/{character.pk}/studio/").content.decode()

    text_option = re.search(r'<input type="radio" name="content_type" value="text"[^>]*>', page).group(0)
    assert "disabled" not in text_option and "checked" in text_option  # images are out, so text is preselected
    video_option = re.search(r'<input type="radio" name="content_type" value="video"[^>]*>', page).group(0)
    assert "disabled" in video_option
    assert "needs to connect a language model" not in page and "needs to connect an image engine" in page
    assert re.search(r'<button type="submit" class="primary">Generate', page)


def test_staff_see_a_link_to_the_engines_page_when_an_engine_is_missing(client, staff, settings):
    settings.AI_LLM_PROVIDER, settings.AI_IMAGE_PROVIDER = "none", "none"
    character = CharacterFactory(owner=staff, name="Staff's own")
    client.force_login(staff)

    page = client.get(f"/personas/{character.pk}/studio/").content.decode()

    assert re.search(r'<a href="/admin/ai/engines/">Set up AI engines</a>', page)


def test_video_is_refused_on_the_form_with_the_reason(signed_in, character, openai_stand_in, queued):
    response = signed_in.post(f"/personas/{character.pk}/generate", {"content_type": "video", "prompt": "a run"})

    assert response.status_code == 200 and "Videos cannot be generated here yet" in text(response)
    assert not Generation.objects.exists() and not queued


def test_the_new_character_form_reads_for_a_new_character(signed_in):
    page = signed_in.get("/personas/new/").content.decode()

    assert "keep the current one" not in page
    assert '<optgroup label="Europe">' in page and '<option value="Europe/Paris">Paris</option>' in page
    assert "US/Eastern" not in page and "Etc/GMT" not in page and '<option value="UTC"' in page
    if zone_tab_names():  # where the tz database says which names are current, the old ones go too
        assert '"Asia/Kolkata"' in page and '"Asia/Calcutta"' not in page


def test_trait_sliders_show_their_value_in_the_label(signed_in, character):
    page = signed_in.get(f"/personas/{character.pk}/").content.decode()

    assert page.count('type="range"') == 2 and "trait-sliders.js" in page
    assert re.search(r'<label for="id_extroversion">Extroversion: <output for="id_extroversion"[^>]*>0.7</output>',
                     page)
    assert re.search(r'<label for="id_creativity">Creativity: <output for="id_creativity"[^>]*>0.8</output>', page)
    assert "0 is reserved, 1 is outgoing." in page
    new_page = signed_in.get("/personas/new/").content.decode()
    assert re.search(r'<output for="id_extroversion"[^>]*>0.5</output>', new_page)


def test_editing_says_an_empty_image_keeps_the_current_one(signed_in, character):
    assert "keep the current one" in signed_in.get(f"/personas/{character.pk}/").content.decode()
