"""The ASGI handler enters the synchronous middleware chain and view in one hop (config/asgi.py)."""

import json

import pytest
from asgiref.sync import AsyncToSync, iscoroutinefunction
from channels.testing import HttpCommunicator

from config.asgi import application, django_asgi_app

pytestmark = pytest.mark.django_db(transaction=True)
HOST = [(b"host", b"localhost")]


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
    response = await HttpCommunicator(application, "GET", "/health", headers=HOST).get_response()

    assert response["status"] == 200 and json.loads(response["body"]) == {"status": "healthy"}
    # Django's own handler builds an async chain: its sync middleware hand the view back to the loop.
    assert trips_back_to_the_loop == []


async def test_an_api_view_answers_through_the_same_chain(trips_back_to_the_loop):
    response = await HttpCommunicator(application, "GET", "/api/v1/auth/me", headers=HOST).get_response()

    assert response["status"] == 401
    assert json.loads(response["body"]) == {"detail": "Authentication credentials were not provided."}
    assert dict(response["headers"])[b"X-Request-ID"].startswith(b"req_")
    assert trips_back_to_the_loop == []


def test_the_chain_is_built_synchronously():
    assert not iscoroutinefunction(django_asgi_app._middleware_chain)
