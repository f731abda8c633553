"""Connecting Mastodon through its consent page in real Chromium: StageCraft's page, the instance's, and back.

The instance is the stand-in Mastodon (its ``/oauth/authorize`` is an HTML page
with an Authorize link, as a real instance's is a form). The server's
``SITE_URL`` names its own port, so the redirect URI it registers leads back to it.
"""

import pytest

from personas.models import OAuthRegistration, PlatformAccount
from tests.e2e.browser import chromium_page, screenshot
from tests.e2e.processes import asgi_server, free_port, process_env
from tests.factories import PASSWORD, UserFactory
from tests.personas.factories import CharacterFactory
from tests.personas.standins import MastodonStandIn

pytestmark = [pytest.mark.browser, pytest.mark.processes, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mastodon():
    server = MastodonStandIn().start()
    yield server
    server.stop()


def test_connect_mastodon_by_clicking_through_the_instance_consent_page(monkeypatch, mastodon):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop on this thread; the ORM is plain
    user = UserFactory(email="brand@example.com")
    character = CharacterFactory(owner=user, name="Maya Rivers")
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    with asgi_server(process_env(SITE_URL=site), port=port) as url, chromium_page() as page:
        page.goto(f"{url}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{url}/dashboard/")

        page.goto(f"{url}/personas/connections/")
        form = page.locator('[data-connect="mastodon-oauth"]')
        form.get_by_label("Instance URL").fill(mastodon.url)
        screenshot(page, "personas-oauth-01-connections")
        form.get_by_role("button", name="Sign in with Mastodon").click()

        page.get_by_role("link", name="Continue to Mastodon").click()
        page.wait_for_url(f"{mastodon.url}/oauth/authorize?**")
        screenshot(page, "personas-oauth-02-consent")
        page.get_by_role("link", name="Authorize").click()

        page.wait_for_url(f"{url}/personas/{character.pk}/")
        assert "Connected @ava on Mastodon" in page.locator(".messages").inner_text()
        screenshot(page, "personas-oauth-03-back-on-the-character")

    account = PlatformAccount.objects.get()
    assert (account.character, account.auth_type, account.server_url) == (character, "oauth", mastodon.url)
    assert OAuthRegistration.objects.get().redirect_uri == f"{site}/personas/oauth/mastodon/callback"
    assert mastodon.calls("/oauth/token")[0].form["code_verifier"]
