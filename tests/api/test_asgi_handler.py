"""The ASGI handler enters the synchronous middleware chain and view in one hop (config/asgi.py)."""

import asyncio
import json
import threading

import pytest
from asgiref.sync import AsyncToSync, iscoroutinefunction
from channels.testing import HttpCommunicator

from config.asgi import RequestThreads, application, django_asgi_app

pytestmark = pytest.mark.django_db(transaction=True)
HOST = [(b"host", b"localhost")]


async def get(path: str) -> dict:
    # Generous: the first request of a test opens the database connection on a loaded machine.
    return await HttpCommunicator(application, "GET", path, headers=HOST).get_response(timeout=10)


@pytest.fixture
def trips_back_to_the_loop(monkeypatch):
    """Every time synchronous code inside a request went back to the event loop (``async_to_sync``)."""
    calls = []
    original = AsyncToSync.__call__

    def counting(self, *args, **kwargs):
        calls.append(getattr(self.awaitable, "__qualname__", repr(self.awaitable)))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AsyncToSync, "__call__", counting)
    return calls


async def test_a_request_runs_its_middleware_and_view_without_going_back_to_the_loop(trips_back_to_the_loop):
    response = await get("/health")

    assert response["status"] == 200 and json.loads(response["body"]) == {"status": "healthy"}
    # Django's own handler builds an async chain: its sync middleware hand the view back to the loop.
    assert trips_back_to_the_loop == []


async def test_an_api_view_answers_through_the_same_chain(trips_back_to_the_loop):
    response = await get("/api/v1/auth/me")

    assert response["status"] == 401
    assert json.loads(response["body"]) == {"detail": "Authentication credentials were not provided."}
    assert dict(response["headers"])[b"X-Request-ID"].startswith(b"req_")
    assert trips_back_to_the_loop == []


def test_the_chain_is_built_synchronously():
    assert not iscoroutinefunction(django_asgi_app._middleware_chain)


@pytest.fixture
def request_threads(monkeypatch):
    """The thread each request's middleware chain ran in, in order."""
    seen = []
    original = django_asgi_app.get_response

    def recording(request):
        seen.append(threading.get_ident())
        return original(request)

    monkeypatch.setattr(django_asgi_app, "get_response", recording)
    return seen


async def test_requests_one_after_another_reuse_one_thread_off_the_loop(request_threads):
    for _ in range(3):
        response = await get("/health")
        assert response["status"] == 200
        await asyncio.sleep(0.05)  # the thread is lent again once it has reported idle

    assert len(set(request_threads)) == 1
    assert request_threads[0] != threading.get_ident()


async def test_requests_at_the_same_time_each_have_their_own_thread(request_threads):
    responses = await asyncio.gather(*(get("/health") for _ in range(4)))

    assert [response["status"] for response in responses] == [200] * 4
    assert len(request_threads) == 4


def test_a_thread_still_busy_with_an_abandoned_request_is_not_lent():
    threads = RequestThreads()
    busy, release = threads.borrow(), threading.Event()
    busy.submit(release.wait)
    threads.give_back(busy)

    assert threads.idle == 0 and threads.borrow() is not busy
    release.set()
    busy.submit(lambda: None).result(timeout=5)  # the marker queued before this one has run
    assert threads.idle == 1 and threads.borrow() is busy


def test_idle_threads_beyond_the_limit_end():
    threads = RequestThreads(keep=1)
    first, second = threads.borrow(), threads.borrow()
    threads.give_back(first)
    first.submit(lambda: None).result(timeout=5)
    threads.give_back(second)

    with pytest.raises(RuntimeError, match="after shutdown"):
        for _ in range(500):  # until the marker has run on ``second``: then it takes no more work
            second.submit(lambda: None).result(timeout=5)
    assert threads.idle == 1 and threads.borrow() is first
