"""A person's first visit: sign up, sign in, create an API key, see the dashboard (real Chromium)."""

import pytest
from django.db import transaction

from config.accounts.models import APIKey, User
from config.jobs import selftest, services
from tests.e2e.browser import chromium_page, screenshot
from tests.e2e.processes import asgi_server, process_env, qcluster

pytestmark = [pytest.mark.browser, pytest.mark.processes, pytest.mark.django_db(transaction=True)]

EMAIL = "agent@example.com"
PASSWORD = "a-long-passphrase"


def test_sign_up_sign_in_create_a_key_and_watch_the_dashboard(monkeypatch):
    # Playwright's sync API keeps an event loop on this thread; the ORM calls
    # here are plain synchronous test code, not async views.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    env = process_env()
    with asgi_server(env) as url, qcluster(env), chromium_page() as page:
        page.goto(f"{url}/accounts/signup/")
        screenshot(page, "platform-01-signup")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Full name").fill("Agent Smith")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url(f"{url}/dashboard/")

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{url}/accounts/login/")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        screenshot(page, "platform-02-signin")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{url}/dashboard/")

        page.get_by_role("link", name="API keys").click()
        page.get_by_label("Key name").fill("CRM integration")
        page.get_by_role("button", name="Create key").click()
        shown = page.locator("[data-new-key]").inner_text()
        screenshot(page, "platform-03-api-key")
        user = User.objects.get(email=EMAIL)
        assert APIKey.objects.get(owner=user).key_hash == APIKey.hash(shown)

        page.get_by_role("link", name="Dashboard").click()
        page.locator("[data-live-status]").filter(has_text="Live").wait_for()
        with transaction.atomic():
            job = services.create_job(user, kind=selftest.KIND, task=selftest.TASK, metered=False,
                                      params={"ticks": 3, "delay": 0.2})
        row = page.locator(f'tr[data-job-id="{job.pk}"]')
        row.locator('[data-field="status"]').filter(has_text="Completed").wait_for(timeout=30_000)
        screenshot(page, "platform-04-dashboard")

        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        assert page.locator(f'tr[data-job-id="{job.pk}"]').is_visible()
        screenshot(page, "platform-05-dashboard-phone")
