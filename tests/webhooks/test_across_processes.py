"""Real processes: a job finished by a ``qcluster`` worker reaches a receiver as a signed ``job.completed``."""

import time

import pytest
from django.db import transaction
from standardwebhooks import Webhook

from config.jobs import selftest
from config.jobs import services as jobs
from config.webhooks import services
from config.webhooks.models import WebhookDelivery
from tests.e2e.processes import process_env, qcluster

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]


def test_a_job_completed_by_the_worker_is_delivered_by_the_worker(owner, receiver):
    _, secret = services.create_endpoint(owner, url=receiver.url + "/hook", events=["job.completed"])
    with qcluster(process_env()):
        with transaction.atomic():
            job = jobs.create_job(owner, kind=selftest.KIND, task=selftest.TASK, metered=False,
                                  params={"ticks": 1, "delay": 0}, timeout_seconds=60)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not WebhookDelivery.objects.filter(status="succeeded").exists():
            time.sleep(0.2)
    [request] = receiver.requests
    body = Webhook(secret).verify(request.raw, request.headers)
    assert body["type"] == "job.completed" and body["data"]["id"] == str(job.pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "succeeded" and delivery.attempts.get().status_code == 200
