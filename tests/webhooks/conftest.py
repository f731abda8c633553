"""Webhook fixtures: deliveries captured like jobs, a receiver, and helpers to make retries due."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.webhooks import services
from config.webhooks.models import WebhookDelivery
from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def _deliveries_queued(request, monkeypatch):
    """Delivery tasks join the jobs' ``queued`` list, so ``run_queued`` runs both as a worker would.

    Tests of real processes keep the real broker.
    """
    if request.node.get_closest_marker("processes"):
        return
    queued = request.getfixturevalue("queued")
    monkeypatch.setattr(services, "async_task", lambda func, *args, **options: queued.append((func, args, options)))


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def endpoint_for(django_capture_on_commit_callbacks):
    """Create an endpoint for a user through the service; returns ``(endpoint, secret)``."""

    def make(user, url: str, events: list[str] | None = None):
        return services.create_endpoint(user, url=url, events=events or [])

    return make


@pytest.fixture
def emit(django_capture_on_commit_callbacks):
    """``services.emit`` with its after-commit queueing run at once."""

    def send(user, event: str, payload: dict, **kwargs) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.emit(user, event, payload, **kwargs)

    return send


@pytest.fixture
def retry_now(django_capture_on_commit_callbacks):
    """Move every pending delivery's next attempt to the past, then run the minute sweep."""

    def run() -> int:
        WebhookDelivery.objects.filter(status="pending").update(
            next_attempt_at=timezone.now() - timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            return services.enqueue_due_deliveries()

    return run
