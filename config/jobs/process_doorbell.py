"""The embedded mode's doorbell between processes: a UNIX datagram socket per web process.

With Redis, ``config.jobs.events.ring_doorbell`` reaches every web process
through the channel layer. In the embedded mode the layer is in memory, so a
job event the worker (another process) stores would wait for the consumers'
next database poll. Instead each web process that streams events listens on
``<VAR_DIR>/doorbells/<pid>.sock``; ``ring`` sends the groups to tell (a job's,
its owner's, a user's persona updates) to every socket there, and the listening
process turns it into the same in-memory group message the channel layer would
have carried. The database stays the
record: a datagram that is lost (a full buffer, a process starting) only means
the next poll delivers the event, as before.

No server is needed: the sockets are files, a process that died leaves a
socket nobody reads, and the first ``ring`` that finds it refused removes it.
"""

import asyncio
import contextlib
import json
import logging
import os
import socket
from pathlib import Path

from django.conf import settings

logger = logging.getLogger("stagecraft.jobs")

# This process's socket and the event loop reading it (a new loop, as each test has, binds afresh).
_listening: dict[str, object] = {}


def folder() -> Path:
    return Path(settings.VAR_DIR) / "doorbells"


def enabled() -> bool:
    """Only where the channel layer cannot cross processes, and the platform has UNIX sockets."""
    return not settings.REDIS_URL and hasattr(socket, "AF_UNIX")


def ring(groups: list[str], event_id: int) -> None:
    """Tell every listening web process to ring ``groups`` for stored ``event_id``. Never raises."""
    if not enabled() or not folder().is_dir():
        return
    message = json.dumps({"groups": groups, "event": event_id}).encode()
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for path in folder().glob("*.sock"):
            try:
                sender.sendto(message, str(path))
            except (ConnectionRefusedError, FileNotFoundError):
                with contextlib.suppress(OSError):
                    path.unlink()  # its process is gone
            except OSError:  # a full buffer: that process's poll will deliver it
                continue


def listen(layer, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Start this process's socket once; each datagram becomes the in-memory doorbell message."""
    loop = loop or asyncio.get_running_loop()
    if not enabled() or (_listening.get("pid") == os.getpid() and _listening.get("loop") is loop):
        return
    from config.jobs.events import DOORBELL

    if _listening.get("pid") == os.getpid():
        _listening["socket"].close()  # its loop is gone
    folder().mkdir(parents=True, exist_ok=True)
    path = folder() / f"{os.getpid()}.sock"
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # a previous process with the same pid
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(path))
    receiver.setblocking(False)
    _listening.update(pid=os.getpid(), loop=loop, socket=receiver)

    def on_datagram() -> None:
        while True:
            try:
                message = json.loads(receiver.recv(4096))
            except BlockingIOError:
                return
            except (OSError, ValueError):
                logger.warning("Unreadable doorbell datagram", exc_info=True)
                return
            bell = {"type": DOORBELL, "event_id": message["event"]}
            for group in message["groups"]:
                loop.create_task(layer.group_send(group, bell))

    loop.add_reader(receiver.fileno(), on_datagram)
