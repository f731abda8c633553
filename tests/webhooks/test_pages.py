"""The webhooks page beside the API keys page: create (secret once), deliveries, test, resend, delete."""

import pytest
from django.test import Client

from config.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/stagecraft"


@pytest.fixture
def browser(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get("/accounts/webhooks/")  # sets the CSRF cookie
    return client


def post(client, url, data=None):
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_the_api_keys_page_links_to_the_webhooks_page(browser):
    assert 'href="/accounts/webhooks/"' in browser.get("/accounts/api-keys/").content.decode()


def test_creating_an_endpoint_shows_its_secret_once(browser, owner):
    response = post(browser, "/accounts/webhooks/", {"url": URL, "events": ["job.completed", "job.failed"]})
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(owner=owner)
    assert endpoint.events == ["job.completed", "job.failed"]
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in browser.get("/accounts/webhooks/").content.decode()
    assert endpoint.secret not in browser.get(f"/accounts/webhooks/{endpoint.pk}/").content.decode()


def test_the_form_offers_every_event_as_a_checkbox(browser):
    page = browser.get("/accounts/webhooks/").content.decode()
    assert page.count('type="checkbox" name="events"') == 10 and 'value="personas.post.failed"' in page


def test_a_refused_url_is_shown_on_the_form(browser, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    response = post(browser, "/accounts/webhooks/", {"url": "http://10.0.0.5/hook"})
    assert response.status_code == 200 and "not allowed" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post("/accounts/webhooks/", {"url": URL}).status_code == 403


def test_send_test_event_then_resend_from_the_deliveries_list(browser, owner, receiver, endpoint_for, run_queued,
                                                              django_capture_on_commit_callbacks):
    endpoint, _ = endpoint_for(owner, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(browser, f"/accounts/webhooks/{endpoint.pk}/test")
    assert response.status_code == 302
    run_queued()
    delivery = WebhookDelivery.objects.get()
    page = browser.get(f"/accounts/webhooks/{endpoint.pk}/").content.decode()
    assert "webhook.test" in page and "Succeeded" in page and "HTTP 200" in page
    assert f"/accounts/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/resend" in page
    with django_capture_on_commit_callbacks(execute=True):
        post(browser, f"/accounts/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/resend")
    run_queued()
    assert len(receiver.requests) == 2


def test_editing_disables_and_enables_an_endpoint(browser, owner, endpoint_for):
    endpoint, _ = endpoint_for(owner, URL)
    post(browser, f"/accounts/webhooks/{endpoint.pk}/", {"url": URL, "events": ["staging.completed"]})
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.events == ["staging.completed"]
    post(browser, f"/accounts/webhooks/{endpoint.pk}/", {"url": URL, "active": "on"})
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.events == []


def test_delete_removes_the_endpoint(browser, owner, endpoint_for):
    endpoint, _ = endpoint_for(owner, URL)
    response = post(browser, f"/accounts/webhooks/{endpoint.pk}/delete")
    assert response.status_code == 302 and response["Location"] == "/accounts/webhooks/"
    assert not WebhookEndpoint.objects.exists()


def test_another_users_endpoint_pages_are_404(browser, other_user, endpoint_for,
                                              django_capture_on_commit_callbacks):
    from config.webhooks import services

    endpoint, _ = endpoint_for(other_user, URL)
    delivery = services.send_test_event(other_user, endpoint_id=endpoint.pk)
    base = f"/accounts/webhooks/{endpoint.pk}"
    assert browser.get(base + "/").status_code == 404
    for path in ("/", "/test", "/delete", f"/deliveries/{delivery.pk}/resend"):
        assert post(browser, base + path, {"url": "https://evil.example/"}).status_code == 404, path
    assert WebhookEndpoint.objects.get().url == URL


def test_the_pages_need_a_sign_in(client):
    response = client.get("/accounts/webhooks/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
