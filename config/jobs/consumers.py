"""WebSocket streams of job events.

Each consumer replays the persisted events after its cursor, then follows new
ones. New rows are announced on the channel layer (the doorbell; in the
embedded mode carried between processes by ``process_doorbell``) and also
polled every ``settings.JOBS_EVENT_POLL_SECONDS``, which only covers a missed
doorbell.

Close codes: 4001 no or invalid credentials, 4003 not the owner (or no such
job), 4029 too many open sockets for this user.
"""

import asyncio
import contextlib
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache

from config.jobs import process_doorbell
from config.jobs.choices import TERMINAL_EVENTS, EventType
from config.jobs.events import job_group, user_group
from config.jobs.models import Job, JobEvent

CLOSE_UNAUTHENTICATED = 4001
CLOSE_FORBIDDEN = 4003
CLOSE_TOO_MANY = 4029
# Socket counters expire so a crashed process cannot lock a user out forever.
SOCKET_COUNT_TTL = 3600
REPLAY_BATCH = 500


class EventStreamConsumer(AsyncJsonWebsocketConsumer):
    """Shared machinery: auth, per-user socket cap, replay, doorbell, polling."""

    close_on_terminal = False
    group_name = ""

    async def connect(self) -> None:
        self.counted = False
        self.poller = None
        self.lock = asyncio.Lock()
        refusal = await self._admit()
        # Accept before closing: a close before accepting reaches browsers as
        # a bare handshake failure, without the documented code.
        await self.accept()
        if refusal:
            await self.close(code=refusal)
            return
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        process_doorbell.listen(self.channel_layer)
        await self.flush()
        self.poller = asyncio.create_task(self._poll())

    async def _admit(self) -> int | None:
        """Check the caller and fix the replay cursor; return a close code to refuse."""
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated:
            return CLOSE_UNAUTHENTICATED
        if not await self.authorize():
            return CLOSE_FORBIDDEN
        if not await database_sync_to_async(self._take_socket_slot)():
            return CLOSE_TOO_MANY
        # Fixed before the handshake completes, so nothing stored after the
        # client sees "connected" can be missed.
        self.cursor = await database_sync_to_async(self._initial_cursor)()
        return None

    async def disconnect(self, code: int) -> None:
        if self.poller:
            self.poller.cancel()
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)
        if getattr(self, "counted", False):
            await database_sync_to_async(self._release_socket_slot)()

    async def jobs_doorbell(self, message: dict) -> None:
        await self.flush()

    async def flush(self) -> None:
        """Send every stored event after the cursor, in order."""
        async with self.lock:
            events = await database_sync_to_async(self.fetch_events)()
            for event in events:
                self.cursor = event.id
                await self.send_json(event.as_message())
                if self.close_on_terminal and event.type in TERMINAL_EVENTS and self.is_last_run(event):
                    await self.close()
                    return

    def is_last_run(self, event: JobEvent) -> bool:
        """False for the end of an earlier run of a job that was retried since."""
        return True

    async def _poll(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                await asyncio.sleep(settings.JOBS_EVENT_POLL_SECONDS)
                await self.flush()

    def _initial_cursor(self) -> int:
        query = parse_qs(self.scope.get("query_string", b"").decode())
        try:
            return max(0, int(query.get("after", ["0"])[0]))
        except ValueError:
            return 0

    def _socket_key(self) -> str:
        return f"ws-open:{self.user.pk}"

    def _take_socket_slot(self) -> bool:
        key = self._socket_key()
        cache.add(key, 0, SOCKET_COUNT_TTL)
        if cache.incr(key) > settings.WEBSOCKETS_PER_USER:
            cache.decr(key)
            return False
        self.counted = True
        return True

    def _release_socket_slot(self) -> None:
        with contextlib.suppress(ValueError):
            cache.decr(self._socket_key())

    async def authorize(self) -> bool:
        raise NotImplementedError

    def fetch_events(self) -> list[JobEvent]:
        raise NotImplementedError


class JobEventsConsumer(EventStreamConsumer):
    """``/ws/jobs/{job_id}`` and ``/ws/processing/{job_id}``: one job, closes when it ends."""

    close_on_terminal = True

    async def authorize(self) -> bool:
        self.job_id = self.scope["url_route"]["kwargs"]["job_id"]
        self.group_name = job_group(self.job_id)
        return await database_sync_to_async(Job.objects.for_user(self.user).filter(pk=self.job_id).exists)()

    def fetch_events(self) -> list[JobEvent]:
        events = JobEvent.objects.filter(job_id=self.job_id, id__gt=self.cursor).select_related("job")
        # A retry queues the job again after its first end; replaying that end
        # must not close the stream of the run that followed.
        self.last_queued_id = (JobEvent.objects.filter(job_id=self.job_id, type=EventType.JOB_QUEUED)
                               .order_by("-id").values_list("id", flat=True).first() or 0)
        return list(events[:REPLAY_BATCH])

    def is_last_run(self, event: JobEvent) -> bool:
        return event.id > self.last_queued_id


class UserEventsConsumer(EventStreamConsumer):
    """``/ws/user``: every job of the signed-in user, for dashboards. New events only
    unless ``?after=<event_id>`` asks for a replay."""

    async def authorize(self) -> bool:
        self.group_name = user_group(self.user.pk)
        return True

    def _initial_cursor(self) -> int:
        cursor = super()._initial_cursor()
        if cursor:
            return cursor
        last = JobEvent.objects.filter(owner=self.user).order_by("-id").values_list("id", flat=True).first()
        return last or 0

    def fetch_events(self) -> list[JobEvent]:
        events = JobEvent.objects.filter(owner=self.user, id__gt=self.cursor).select_related("job")
        return list(events[:REPLAY_BATCH])
