"""Staff see endpoints and deliveries (read-only, with attempts) in the admin; the secret never shows."""

import pytest
from django.test import Client

from config.webhooks import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_staff_list_endpoints_and_read_a_delivery_with_its_attempts(staff_client, owner, receiver, endpoint_for,
                                                                    run_queued, django_capture_on_commit_callbacks):
    endpoint, secret = endpoint_for(owner, receiver.url, ["job.completed"])
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_test_event(owner, endpoint_id=endpoint.pk)
    run_queued()
    listing = staff_client.get("/admin/webhooks/webhookendpoint/").content.decode()
    assert receiver.url in listing and owner.email in listing and "job.completed" in listing
    page = staff_client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "webhook.test" in text and "200" in text and 'name="_save"' not in text
    endpoint_page = staff_client.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/").content.decode()
    assert secret not in endpoint_page and endpoint.secret_encrypted not in endpoint_page


def test_the_disable_action_stops_an_endpoint_without_emailing(staff_client, owner, endpoint_for, mailoutbox):
    endpoint, _ = endpoint_for(owner, "https://hooks.example.com/x")
    response = staff_client.post("/admin/webhooks/webhookendpoint/", {
        "action": "disable", "_selected_action": [str(endpoint.pk)]})
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_reason == "Disabled by StageCraft staff."
    assert mailoutbox == []
