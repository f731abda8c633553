"""Real processes: uvicorn + qcluster + a WebSocket client, in whichever mode this run uses."""

import asyncio
import json
import os
import signal
import time
import uuid
from datetime import timedelta

import httpx
import pytest
import websockets
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from config.jobs import selftest, services
from config.jobs.models import Job
from tests.e2e.processes import asgi_server, process_env, qcluster

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]


def start_selftest(owner, **params) -> Job:
    with transaction.atomic():
        return services.create_job(owner, kind=selftest.KIND, task=selftest.TASK, metered=False,
                                   params=params, timeout_seconds=params.pop("timeout", 60))


async def follow(ws_url: str, limit: float = 60) -> list[tuple[float, dict]]:
    """Every message with its arrival time, until the server closes the stream."""
    received = []
    async with websockets.connect(ws_url, open_timeout=10) as socket:
        async with asyncio.timeout(limit):
            async for raw in socket:
                received.append((time.time(), json.loads(raw)))
    return received


async def follow_and_release(ws_url: str, job: Job, hold: str, limit: float = 60) -> tuple[list[dict], str]:
    """Follow the stream; at the first step event, note the job's status, then let the held job go on.

    The job cannot pass its hold until the key is set, and the key is set only once a step event
    has arrived here, so that event was delivered live, while the job was running.
    """
    received, status_at_first_step = [], ""
    async with websockets.connect(ws_url, open_timeout=10) as socket:
        async with asyncio.timeout(limit):
            async for raw in socket:
                received.append(json.loads(raw))
                if received[-1]["type"] == "step_update" and not status_at_first_step:
                    status_at_first_step = await sync_to_async(lambda: Job.objects.get(pk=job.pk).status)()
                    await sync_to_async(cache.set)(hold, "go", 60)
    return received, status_at_first_step


def wait_until(predicate, timeout: float = 30, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("condition not met in time")


def test_a_job_in_qcluster_is_followed_live_over_websocket(owner, jwt_for):
    env = process_env()
    hold = f"test-selftest-hold-{uuid.uuid4()}"
    with asgi_server(env) as url, qcluster(env):
        job = start_selftest(owner, ticks=5, delay=0, hold=hold)
        ws = url.replace("http", "ws") + f"/ws/processing/{job.pk}?token={jwt_for(owner)}"
        events, status_at_first_step = asyncio.run(follow_and_release(ws, job, hold))
    job.refresh_from_db()
    assert job.status == "completed"
    # Live, not a replay at the end: the first step event arrived while the job was held, running.
    assert status_at_first_step == "processing"
    assert events[-1]["type"] == "job_complete"
    ticks = [(e["image_id"], e["status"]) for e in events if e["step"] == "tick"]
    assert ticks == [(str(i), s) for i in range(5) for s in ("running", "completed")]


def test_events_cross_processes_at_once_without_waiting_for_the_poll(owner, jwt_for):
    # The safety-net poll is set far beyond the test's limit: only a doorbell can deliver in time
    # (the Redis channel layer, or in the embedded mode the per-process UNIX socket).
    env = process_env(JOBS_EVENT_POLL_SECONDS="300")
    hold = f"test-selftest-hold-{uuid.uuid4()}"
    with asgi_server(env) as url, qcluster(env):
        job = start_selftest(owner, ticks=5, delay=0, hold=hold)
        ws = url.replace("http", "ws") + f"/ws/processing/{job.pk}?token={jwt_for(owner)}"
        events, _ = asyncio.run(follow_and_release(ws, job, hold, limit=30))
    assert events[-1]["type"] == "job_complete"
    assert len([e for e in events if e["step"] == "tick"]) == 10


def test_a_client_connecting_after_the_job_finished_gets_the_replay(owner, jwt_for):
    env = process_env()
    with asgi_server(env) as url, qcluster(env):
        job = start_selftest(owner, ticks=2, delay=0)
        wait_until(lambda: Job.objects.get(pk=job.pk).is_finished)
        ws = url.replace("http", "ws") + f"/ws/jobs/{job.pk}?token={jwt_for(owner)}"
        events = [m for _, m in asyncio.run(follow(ws, limit=10))]
    assert events[0]["type"] == "job_queued" and events[-1]["type"] == "job_complete"
    assert len(events) == 3 + 2 * (2 + 2)  # queued, started, complete + running/completed per step


def test_another_users_socket_closes_4003_on_the_real_server(owner, other_user, jwt_for):
    env = process_env()
    job = start_selftest(owner, ticks=1, delay=0)
    with asgi_server(env) as url:
        ws = url.replace("http", "ws") + f"/ws/processing/{job.pk}?token={jwt_for(other_user)}"

        async def close_code():
            async with websockets.connect(ws) as socket:
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await socket.recv()
                return closed.value.rcvd.code

        assert asyncio.run(close_code()) == 4003


def test_a_worker_killed_mid_job_leaves_nothing_processing(owner, settings):
    env = process_env()
    with qcluster(env) as cluster:
        # Held before its ticks and never released: the worker is killed mid-job, whatever the machine's speed.
        job = start_selftest(owner, ticks=1, delay=0, hold=f"test-selftest-hold-{uuid.uuid4()}", timeout=60)
        wait_until(lambda: Job.objects.get(pk=job.pk).steps.filter(name="storage", status="completed").exists())
        os.killpg(cluster.pid, signal.SIGKILL)
        cluster.wait()
    job.refresh_from_db()
    assert job.status == "processing"  # nobody is left to finish it
    # The scheduled sweep (every minute in the cluster) fails it once its timeout has passed.
    settings.JOBS_SWEEP_GRACE_SECONDS = 0
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(seconds=job.timeout_seconds + 1))
    assert services.sweep_stuck_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.error_code) == ("failed", "PROCESSING_TIMEOUT")
    assert not Job.objects.filter(status="processing").exists()


def test_ready_is_503_when_the_database_is_unreachable(db):
    env = process_env(DATABASE_URL="postgres://postgres@127.0.0.1:1/stagecraft")
    with asgi_server(env) as url:
        response = httpx.get(f"{url}/ready", timeout=20)
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"
    assert "database" in response.json()["detail"]
