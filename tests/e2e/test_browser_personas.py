"""The personas flow in real Chromium: create a character, generate, approve, connect Mastodon, schedule, publish.

uvicorn and a django-q2 ``qcluster`` run as real processes. The caption is
written by the worker through the OpenAI-compatible stand-in; the Mastodon
account is the stand-in instance, which records the status it is sent. The
post is published by ``scheduling.publish_due`` (what the minute schedule
runs) with the clock at its due time, so the test need not wait for it.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from personas.models import Character, ContentItem, PlatformAccount, ScheduledPost
from personas.services import scheduling
from tests.e2e.browser import chromium_page, screenshot
from tests.e2e.processes import asgi_server, process_env, qcluster
from tests.factories import PASSWORD, UserFactory
from tests.personas.standins import MastodonStandIn
from tests.standin import openai_chat_reply

pytestmark = [pytest.mark.browser, pytest.mark.processes, pytest.mark.django_db(transaction=True)]

CAPTION = {"caption": "Fog on the ridge, coffee in hand.", "hashtags": ["trailrunning"], "alt_text": ""}
GENERATION_LIMIT_MS = 90_000


@pytest.fixture
def mastodon():
    server = MastodonStandIn().start()
    yield server
    server.stop()


def test_create_generate_approve_connect_schedule_and_publish(monkeypatch, openai_stand_in, mastodon):
    # Playwright's sync API keeps an event loop on this thread; the ORM calls here are plain test code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    user = UserFactory(email="operator@example.com")
    openai_stand_in.reply(openai_chat_reply(CAPTION))
    env = process_env(AI_LLM_PROVIDER="openai", AI_LLM_MODEL="vision-test", AI_LLM_BASE_URL=openai_stand_in.url + "/v1",
                      AI_LLM_API_KEY="test-key", AI_LLM_MAX_RETRIES="0")
    with asgi_server(env) as url, qcluster(env), chromium_page() as page:
        page.goto(f"{url}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{url}/dashboard/")

        # 1. Create a character.
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Personas").click()
        page.get_by_role("link", name="New character").click()
        page.get_by_label("Name").fill("Maya Rivers")
        page.get_by_label("Bio").fill("Trail runner and coffee snob from Portland.")
        page.get_by_label("Time zone").select_option("America/New_York")
        page.get_by_label("Communication style").fill("playful and upbeat")
        page.get_by_label("Banned topics").fill("politics")
        screenshot(page, "personas-01-new-character")
        page.get_by_role("button", name="Create character").click()
        character = Character.objects.get(owner=user)
        page.wait_for_url(f"{url}/personas/{character.pk}/studio/")

        # 2. Generate a caption; the studio follows the job and reloads into the review queue.
        page.get_by_label("Text", exact=True).check()
        page.get_by_label("Prompt", exact=True).fill("a foggy morning run")
        page.get_by_role("button", name="Generate").click()
        page.locator("[data-review-queue] [data-content]").wait_for(timeout=GENERATION_LIMIT_MS)
        assert CAPTION["caption"] in page.locator("[data-review-queue]").inner_text()
        screenshot(page, "personas-02-review-queue")

        # 3. Approve.
        page.get_by_role("button", name=re.compile("^Approve")).click()
        page.locator("[data-library] [data-content]").wait_for()
        item = ContentItem.objects.get(character=character)
        assert item.review == "approved" and item.reviewed_by == user
        screenshot(page, "personas-03-approved")

        # 4. Connect the Mastodon stand-in with an access token.
        page.get_by_role("navigation", name="Personas").get_by_role("link", name="Connections").click()
        form = page.locator('[data-connect="mastodon"]')
        form.get_by_label("Character").select_option(label="Maya Rivers")
        form.get_by_label("Instance URL").fill(mastodon.url)
        form.get_by_label("Access token").fill(MastodonStandIn.token)
        form.get_by_role("button", name="Connect with a token").click()
        page.get_by_text("Connected @ava on Mastodon.").wait_for()
        account = PlatformAccount.objects.get(character=character)
        screenshot(page, "personas-04-connected")

        # 5. Schedule it for 09:00 tomorrow, New York time.
        tomorrow = datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=1)
        page.get_by_role("navigation", name="Personas").get_by_role("link", name="Calendar").click()
        page.get_by_label("Account").select_option(str(account.pk))
        page.get_by_label("Approved content").select_option(str(item.pk))
        page.get_by_label("When").fill(f"{tomorrow.isoformat()}T09:00")
        page.get_by_role("button", name="Schedule post").click()
        entry = page.locator(f'[data-day="{tomorrow.isoformat()}"] [data-scheduled]')
        entry.wait_for()
        assert re.search(r"09:00\s+E[SD]T", entry.inner_text())
        scheduled = ScheduledPost.objects.get(character=character)
        assert scheduled.scheduled_at == datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9,
                                                  tzinfo=ZoneInfo("America/New_York"))
        screenshot(page, "personas-05-scheduled")

        # 6. The minute sweep at the due time publishes it through the Mastodon API.
        assert scheduling.publish_due(now=scheduled.scheduled_at) == 1
        page.reload()
        entry.locator(".badge-published").wait_for()
        screenshot(page, "personas-06-published")

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{url}/personas/{character.pk}/studio/")
        screenshot(page, "personas-07-studio-phone")

    statuses = mastodon.calls("/api/v1/statuses")
    assert [seen.method for seen in statuses] == ["POST"]
    text = statuses[0].form["status"][0]
    assert CAPTION["caption"] in text and "#trailrunning" in text and character.disclosure_line in text
    assert statuses[0].headers["idempotency-key"]
    scheduled.refresh_from_db()
    assert scheduled.status == "published" and scheduled.post.platform_post_url.startswith(mastodon.url)
