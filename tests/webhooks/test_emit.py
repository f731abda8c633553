"""``emit``: the public service the apps call for their domain events."""

import pytest
from django.db import transaction

from config.webhooks import services
from config.webhooks.choices import EVENTS
from config.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/stagecraft"


def test_the_event_list_is_the_issues(owner):
    assert EVENTS == ("job.completed", "job.failed", "job.cancelled", "staging.completed",
                      "catalog.analysis.completed", "catalog.batch.completed", "floorplan.analysis.completed",
                      "personas.content.ready", "personas.post.published", "personas.post.failed")


def test_emit_records_a_delivery_for_each_matching_active_endpoint(owner, other_user, endpoint_for, emit):
    every, _ = endpoint_for(owner, URL + "/every")
    posts, _ = endpoint_for(owner, URL + "/posts", ["personas.post.published", "personas.post.failed"])
    endpoint_for(owner, URL + "/jobs", ["job.completed"])
    off, _ = endpoint_for(owner, URL + "/off")
    off.active = False
    off.save()
    endpoint_for(other_user, URL + "/theirs")
    emit(owner, "personas.post.published", {"post_id": 7})
    assert set(WebhookDelivery.objects.values_list("endpoint__url", flat=True)) == {every.url, posts.url}
    assert len(set(WebhookDelivery.objects.values_list("event_id", flat=True))) == 1


def test_emit_queues_only_after_commit(owner, endpoint_for, queued, django_capture_on_commit_callbacks):
    endpoint_for(owner, URL)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            services.emit(owner, "staging.completed", {"staging_id": "1"})
        assert queued == []
    for callback in callbacks:
        callback()
    [(func, args, _options)] = queued
    assert func == "config.webhooks.tasks.run_delivery" and args == (str(WebhookDelivery.objects.get().pk),)


def test_emit_rolled_back_leaves_nothing(owner, endpoint_for, queued):
    endpoint_for(owner, URL)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.emit(owner, "staging.completed", {"staging_id": "1"})
        raise RuntimeError("the caller's transaction fails")
    assert not WebhookDelivery.objects.exists() and queued == []


def test_emit_writes_datetimes_and_uuids_as_json_strings(owner, endpoint_for, emit):
    import uuid
    from datetime import UTC, datetime

    endpoint_for(owner, URL)
    emit(owner, "catalog.analysis.completed", {"id": uuid.UUID(int=1), "at": datetime(2025, 1, 31, 9, 30, tzinfo=UTC)})
    data = WebhookDelivery.objects.get().payload["data"]
    assert data == {"id": "00000000-0000-0000-0000-000000000001", "at": "2025-01-31T09:30:00Z"}


def test_emit_of_an_unknown_event_is_a_programming_error(owner):
    with pytest.raises(ValueError, match="Unknown webhook event"):
        services.emit(owner, "staging.exploded", {})


def test_emit_without_endpoints_does_nothing(owner, queued):
    services.emit(owner, "staging.completed", {"staging_id": "1"})
    assert not WebhookDelivery.objects.exists() and queued == []
