"""The webhooks REST API: create (secret shown once), list, read, change, delete, deliveries, test, resend."""

import base64

import pytest

from config.webhooks.choices import EVENTS
from config.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/stagecraft"


@pytest.fixture
def policy_on(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    settings.OUTBOUND_ALLOWED_HOSTS = []
    settings.OUTBOUND_ALLOWED_NETWORKS = []


def create(client, url=URL, events=None):
    return client.post("/api/v1/webhooks", {"url": url, "events": events or ["job.completed"]}, format="json")


def test_create_answers_201_with_a_standard_webhooks_secret(owner_api, owner):
    response = create(owner_api)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["url"] == URL and body["events"] == ["job.completed"] and body["active"] is True
    assert body["secret"].startswith("whsec_")
    assert 24 <= len(base64.b64decode(body["secret"].removeprefix("whsec_"))) <= 64
    stored = WebhookEndpoint.objects.get(pk=body["id"])
    assert stored.owner == owner and body["secret"] not in stored.secret_encrypted
    assert stored.secret == body["secret"]


def test_the_secret_is_shown_only_in_the_create_answer(owner_api):
    created = create(owner_api).json()
    listed = owner_api.get("/api/v1/webhooks").json()
    one = owner_api.get(f"/api/v1/webhooks/{created['id']}").json()
    changed = owner_api.patch(f"/api/v1/webhooks/{created['id']}", {"events": []}, format="json").json()
    assert [item["id"] for item in listed] == [created["id"]]
    for answer in (listed[0], one, changed):
        assert "secret" not in answer and created["secret"] not in str(answer)


def test_no_events_means_every_event(owner_api):
    body = owner_api.post("/api/v1/webhooks", {"url": URL}, format="json").json()
    assert body["events"] == []
    assert all(WebhookEndpoint.objects.get(pk=body["id"]).wants(event) for event in EVENTS)


def test_unknown_events_are_400(owner_api):
    response = create(owner_api, events=["job.completed", "job.exploded"])
    assert response.status_code == 400
    assert "job.exploded" in response.json()["detail"]
    assert not WebhookEndpoint.objects.exists()


def test_the_test_event_cannot_be_subscribed_to(owner_api):
    assert create(owner_api, events=["webhook.test"]).status_code == 400


@pytest.mark.parametrize("url", ["http://10.0.0.5/hook", "http://169.254.169.254/latest/meta-data/",
                                 "http://127.0.0.1:6379/", "http://localhost/hook"])
def test_a_private_address_is_refused_at_creation(owner_api, policy_on, url):
    response = create(owner_api, url=url)
    assert response.status_code == 400
    assert "not allowed" in response.json()["detail"]
    assert not WebhookEndpoint.objects.exists()


# IPv6 literals are outside the URL shape the schema states (config.net.HTTP_URL_PATTERN).
@pytest.mark.parametrize("url", ["ftp://example.com/hook", "not a url", "http://[::1/hook", "https://",
                                 "http://[::1]/hook", "https://qlt.0up.org*"])
def test_a_url_that_is_not_http_is_400(owner_api, url):
    assert create(owner_api, url=url).status_code == 400


def test_a_private_address_is_refused_when_the_url_changes(owner_api, policy_on):
    created = create(owner_api).json()
    response = owner_api.patch(f"/api/v1/webhooks/{created['id']}", {"url": "http://10.0.0.5/"}, format="json")
    assert response.status_code == 400
    assert WebhookEndpoint.objects.get(pk=created["id"]).url == URL


def test_a_body_without_url_is_422(owner_api):
    response = owner_api.post("/api/v1/webhooks", {"events": []}, format="json")
    assert response.status_code == 422
    assert "url" in response.json()["detail"]


def test_another_users_endpoint_is_404_on_every_route(api, owner_api, other_user, django_capture_on_commit_callbacks):
    created = create(owner_api).json()
    with django_capture_on_commit_callbacks(execute=True):
        delivery_id = owner_api.post(f"/api/v1/webhooks/{created['id']}/test").json()["id"]
    api.force_authenticate(other_user)
    base = f"/api/v1/webhooks/{created['id']}"
    answers = [api.get(base), api.patch(base, {"active": False}, format="json"), api.delete(base),
               api.get(f"{base}/deliveries"), api.post(f"{base}/test"),
               api.post(f"{base}/deliveries/{delivery_id}/resend")]
    assert [answer.status_code for answer in answers] == [404] * 6
    assert answers[0].json() == {"detail": "Webhook not found."}
    assert WebhookEndpoint.objects.get(pk=created["id"]).active
    assert api.get("/api/v1/webhooks").json() == []


def test_a_delivery_of_another_endpoint_is_404(owner_api):
    first, second = create(owner_api).json(), create(owner_api, url=URL + "/2").json()
    delivery_id = owner_api.post(f"/api/v1/webhooks/{first['id']}/test").json()["id"]
    response = owner_api.post(f"/api/v1/webhooks/{second['id']}/deliveries/{delivery_id}/resend")
    assert response.status_code == 404


def test_delete_answers_204_and_removes_the_endpoint(owner_api):
    created = create(owner_api).json()
    assert owner_api.delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert owner_api.get(f"/api/v1/webhooks/{created['id']}").status_code == 404


def test_patch_enables_a_disabled_endpoint_and_clears_the_reason(owner_api):
    created = create(owner_api).json()
    WebhookEndpoint.objects.filter(pk=created["id"]).update(active=False, disabled_reason="Every attempt failed.")
    body = owner_api.patch(f"/api/v1/webhooks/{created['id']}", {"active": True}, format="json").json()
    assert body["active"] is True and body["disabled_reason"] == ""


def test_patch_disabling_stops_pending_deliveries(owner_api):
    created = create(owner_api).json()
    owner_api.post(f"/api/v1/webhooks/{created['id']}/test")
    body = owner_api.patch(f"/api/v1/webhooks/{created['id']}", {"active": False}, format="json").json()
    assert body["active"] is False and body["disabled_reason"] == "Disabled by its owner."
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["failed"]


def test_test_event_and_resend_of_a_disabled_endpoint_are_409(owner_api):
    created = create(owner_api).json()
    delivery_id = owner_api.post(f"/api/v1/webhooks/{created['id']}/test").json()["id"]
    owner_api.patch(f"/api/v1/webhooks/{created['id']}", {"active": False}, format="json")
    assert owner_api.post(f"/api/v1/webhooks/{created['id']}/test").status_code == 409
    assert owner_api.post(f"/api/v1/webhooks/{created['id']}/deliveries/{delivery_id}/resend").status_code == 409


def test_an_account_has_at_most_twenty_endpoints(owner_api):
    for number in range(20):
        assert create(owner_api, url=f"{URL}/{number}").status_code == 201
    response = create(owner_api, url=f"{URL}/21")
    assert response.status_code == 400


def test_deliveries_list_with_their_attempts_newest_first(owner_api, receiver, run_queued,
                                                          django_capture_on_commit_callbacks):
    created = create(owner_api, url=receiver.url + "/hook").json()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert owner_api.post(f"/api/v1/webhooks/{created['id']}/test").status_code == 202
    run_queued()
    page = owner_api.get(f"/api/v1/webhooks/{created['id']}/deliveries?limit=1").json()
    assert page["total"] == 2 and page["limit"] == 1 and page["offset"] == 0
    [delivery] = page["deliveries"]
    assert delivery["event_type"] == "webhook.test" and delivery["status"] == "succeeded"
    assert delivery["attempt_count"] == 1
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] == 200 and attempt["ok"] is True and attempt["response_excerpt"] == "ok"
    assert attempt["latency_ms"] >= 0 and attempt["error"] == ""
    assert delivery["payload"]["data"]["endpoint_id"] == created["id"]


def test_resend_sends_the_same_message_again(owner_api, receiver, run_queued, django_capture_on_commit_callbacks):
    created = create(owner_api, url=receiver.url).json()
    with django_capture_on_commit_callbacks(execute=True):
        delivery_id = owner_api.post(f"/api/v1/webhooks/{created['id']}/test").json()["id"]
    run_queued()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(f"/api/v1/webhooks/{created['id']}/deliveries/{delivery_id}/resend")
    assert response.status_code == 202 and response.json()["status"] == "pending"
    run_queued()
    first, second = receiver.requests
    assert first.raw == second.raw and first.headers["webhook-id"] == second.headers["webhook-id"]
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == "succeeded" and delivery.attempt_count == 2 and delivery.attempts.count() == 2
