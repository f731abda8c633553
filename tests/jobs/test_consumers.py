"""WebSocket streams through the project's real ASGI application (in process)."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from config.jobs import selftest, services
from config.jobs.runner import run_job

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(path: str):
    communicator = WebsocketCommunicator(application, path)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def close_code(communicator) -> int:
    message = await communicator.receive_output(timeout=5)
    assert message["type"] == "websocket.close"
    return message.get("code")


@pytest.fixture
def job_of(queued):
    def make(user):
        return services.create_job(user, kind=selftest.KIND, task=selftest.TASK, params={"ticks": 2, "delay": 0},
                                   metered=False)

    return sync_to_async(make)


async def test_no_token_closes_4001(owner, job_of):
    job = await job_of(owner)
    assert await close_code(await connect(f"/ws/jobs/{job.pk}")) == 4001


async def test_a_bad_token_closes_4001(owner, job_of):
    job = await job_of(owner)
    assert await close_code(await connect(f"/ws/processing/{job.pk}?token=nope")) == 4001


async def test_another_users_job_closes_4003(owner, other_user, job_of, jwt_for):
    job = await job_of(owner)
    token = await sync_to_async(jwt_for)(other_user)
    assert await close_code(await connect(f"/ws/processing/{job.pk}?token={token}")) == 4003


async def test_a_late_client_gets_the_full_replay_then_the_stream_closes(owner, job_of, jwt_for):
    job = await job_of(owner)
    await sync_to_async(run_job)(str(job.pk), selftest._selftest)
    token = await sync_to_async(jwt_for)(owner)
    communicator = await connect(f"/ws/processing/{job.pk}?token={token}")
    messages = []
    while True:
        message = await communicator.receive_output(timeout=5)
        if message["type"] == "websocket.close":
            break
        messages.append(message)
    import json

    events = [json.loads(m["text"]) for m in messages]
    assert events[0]["type"] == "job_queued" and events[-1]["type"] == "job_complete"
    assert [e["event_id"] for e in events] == sorted(e["event_id"] for e in events)
    assert {"type", "job_id", "image_id", "step", "status", "progress", "data", "timestamp"} <= set(events[2])


async def test_a_connected_client_receives_steps_live(owner, job_of, jwt_for):
    job = await job_of(owner)
    token = await sync_to_async(jwt_for)(owner)
    communicator = await connect(f"/ws/jobs/{job.pk}?token={token}")
    first = await communicator.receive_json_from(timeout=5)
    assert first["type"] == "job_queued"
    worker = asyncio.get_running_loop().run_in_executor(None, run_job, str(job.pk), selftest._selftest)
    seen = []
    while not seen or seen[-1]["type"] != "job_complete":
        seen.append(await communicator.receive_json_from(timeout=5))
    await worker
    steps = [(e["step"], e["status"]) for e in seen if e["type"] == "step_update"]
    assert steps[:2] == [("database", "running"), ("database", "completed")]


async def test_the_user_stream_follows_all_of_a_users_jobs(owner, job_of, jwt_for):
    token = await sync_to_async(jwt_for)(owner)
    communicator = await connect(f"/ws/user?token={token}")
    job = await job_of(owner)
    message = await communicator.receive_json_from(timeout=5)
    assert message["job_id"] == str(job.pk) and message["type"] == "job_queued"
    await communicator.disconnect()


async def test_a_user_may_hold_only_the_configured_number_of_sockets(owner, job_of, jwt_for, settings):
    settings.WEBSOCKETS_PER_USER = 2
    token = await sync_to_async(jwt_for)(owner)
    first, second = await connect(f"/ws/user?token={token}"), await connect(f"/ws/user?token={token}")
    third = await connect(f"/ws/user?token={token}")
    assert await close_code(third) == 4029
    await first.disconnect()
    fourth = await connect(f"/ws/user?token={token}")
    # Accepted and live, not closed a moment later: the next thing it receives is a new job's event.
    job = await job_of(owner)
    message = await fourth.receive_json_from(timeout=5)
    assert (message["type"], message["job_id"]) == ("job_queued", str(job.pk))
    await second.disconnect()
    await fourth.disconnect()


async def test_a_retried_jobs_stream_stays_open_past_the_first_runs_end(owner, job_of, jwt_for):
    job = await job_of(owner)
    await sync_to_async(run_job)(str(job.pk), lambda j: 1 / 0)
    await sync_to_async(services.retry_job)(owner, job_id=job.pk)
    token = await sync_to_async(jwt_for)(owner)
    communicator = await connect(f"/ws/jobs/{job.pk}?token={token}")
    replayed = []
    while not replayed or replayed[-1]["type"] != "job_queued" or len(replayed) < 3:
        replayed.append(await communicator.receive_json_from(timeout=5))
    assert [e["type"] for e in replayed] == ["job_queued", "job_started", "job_failed", "job_queued"]
    # Still open for the new run: its events follow, up to its end.
    await sync_to_async(run_job)(str(job.pk), selftest._selftest)
    second_run = [await communicator.receive_json_from(timeout=5)]
    while second_run[-1]["type"] != "job_complete":
        second_run.append(await communicator.receive_json_from(timeout=5))
    assert second_run[0]["type"] == "job_started"
    await communicator.disconnect()
