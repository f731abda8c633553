"""``WS /api/v1/ws/updates``: in process through the project's ASGI app, then across real processes.

The last test runs uvicorn and a django-q2 ``qcluster`` as separate processes: a
text generation queued here is made by the worker (its language model is the
OpenAI-compatible stand-in) and its ``generation_completed`` reaches the socket
served by the ASGI process.
"""

import asyncio
import json
import time

import pytest
import websockets
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from config.asgi import application
from personas.events import EventName, notify
from personas.models import Character, ContentItem, Generation
from personas.services import content
from tests.e2e.processes import asgi_server, process_env, qcluster
from tests.standin import openai_chat_reply

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/api/v1/ws/updates"
CAPTION = {"caption": "Golden hour on the ridge.", "hashtags": ["trailrunning"], "alt_text": ""}


async def connect(path: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def close_code(communicator) -> int:
    message = await communicator.receive_output(timeout=5)
    assert message["type"] == "websocket.close"
    return message.get("code")


def committed_notify(user, type_: str, data: dict):
    with transaction.atomic():
        return notify(user, type_, data)


async def test_without_credentials_the_socket_closes_4001():
    assert await close_code(await connect(PATH)) == 4001


async def test_a_bad_token_closes_4001(owner):
    assert await close_code(await connect(f"{PATH}?token=not-a-jwt")) == 4001


async def test_a_token_connects_and_receives_the_users_updates(owner, other_user, jwt_for):
    await sync_to_async(committed_notify)(owner, EventName.ACCOUNT_CONNECTED, {"stored": "before connecting"})
    token = await sync_to_async(jwt_for)(owner)
    communicator = await connect(f"{PATH}?token={token}")

    await sync_to_async(committed_notify)(other_user, EventName.POST_PUBLISHED, {"post_id": "theirs"})
    await sync_to_async(committed_notify)(owner, EventName.POST_PUBLISHED,
                                          {"character_id": "c1", "post_id": "p1", "platform": "mastodon",
                                           "status": "published"})
    # The first message is the owner's new event: the stored one is not replayed (new events only),
    # and the other user's, sent before it, did not arrive.
    message = await communicator.receive_json_from(timeout=5)

    assert set(message) == {"type", "data", "timestamp"}
    assert message["type"] == "post_published"
    assert message["data"] == {"character_id": "c1", "post_id": "p1", "platform": "mastodon", "status": "published"}
    assert message["timestamp"].endswith("Z")
    # Nor later: the owner's next event is the next message.
    await sync_to_async(committed_notify)(other_user, EventName.POST_PUBLISHED, {"post_id": "theirs-2"})
    await sync_to_async(committed_notify)(owner, EventName.ACCOUNT_DISCONNECTED, {"n": 2})
    assert (await communicator.receive_json_from(timeout=5))["type"] == "account_disconnected"
    await communicator.disconnect()


async def test_after_replays_stored_events_in_order(owner, jwt_for):
    first = await sync_to_async(committed_notify)(owner, EventName.ACCOUNT_CONNECTED, {"n": 1})
    await sync_to_async(committed_notify)(owner, EventName.ACCOUNT_DISCONNECTED, {"n": 2})
    token = await sync_to_async(jwt_for)(owner)
    communicator = await connect(f"{PATH}?token={token}&after={first.pk - 1}")
    types = [(await communicator.receive_json_from(timeout=5))["type"] for _ in range(2)]
    assert types == ["account_connected", "account_disconnected"]
    await communicator.disconnect()


def wait_for_message(ws_url: str, wanted: str, start, limit: float = 90) -> list[dict]:
    """Connect, run ``start()`` once the socket is open, and collect messages until ``wanted`` arrives."""

    async def follow() -> list[dict]:
        received = []
        async with websockets.connect(ws_url, open_timeout=10) as socket:
            await asyncio.get_running_loop().run_in_executor(None, start)
            async with asyncio.timeout(limit):
                while not received or received[-1]["type"] != wanted:
                    received.append(json.loads(await socket.recv()))
        return received

    return asyncio.run(follow())


@pytest.mark.processes
def test_a_generation_in_a_real_qcluster_reaches_the_socket_of_the_asgi_server(owner, jwt_for, openai_stand_in,
                                                                              monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls from the socket's executor thread
    character = Character.objects.create(owner=owner, name="Maya Rivers", bio="Trail runner.",
                                         timezone="America/Los_Angeles")
    openai_stand_in.reply(openai_chat_reply(CAPTION))
    # The worker is another process: it reaches the same stand-in through its environment.
    env = process_env(AI_LLM_PROVIDER="openai", AI_LLM_MODEL="vision-test", AI_LLM_BASE_URL=openai_stand_in.url + "/v1",
                      AI_LLM_API_KEY="test-key", AI_LLM_MAX_RETRIES="0")

    def start() -> None:
        with transaction.atomic():
            content.start_generation(owner, character_id=character.pk, content_type="text", prompt="ridge run")

    with asgi_server(env) as url, qcluster(env):
        started = time.monotonic()
        messages = wait_for_message(url.replace("http", "ws") + f"{PATH}?token={jwt_for(owner)}",
                                    "generation_completed", start)

    generation = Generation.objects.get(character=character)
    item = ContentItem.objects.get(generation=generation)
    assert generation.status == "completed" and item.caption == "Golden hour on the ridge."
    done = messages[-1]
    assert set(done) == {"type", "data", "timestamp"} and done["type"] == "generation_completed"
    assert done["data"]["generation_id"] == str(generation.pk)
    assert "content_generated" in [m["type"] for m in messages]
    assert [r.path for r in openai_stand_in.requests] == ["/v1/chat/completions"]
    assert time.monotonic() - started < 90
