"""Fault injection for tests/hardening/test_faults.py: a cuttable TCP proxy, a slow Mastodon, waiting.

PostgreSQL and Redis on this machine are shared services other work uses at
the same time, so the tests never stop them. The processes under test reach
them through a ``TcpProxy`` instead; ``cut()`` is what those processes see
when the server goes away (every open connection reset, new ones refused),
``restore()`` is the server coming back, and ``hold()`` freezes traffic so a
request is in flight when the cut comes.
"""

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.personas.standins import MastodonStandIn, Seen


class TcpProxy:
    """Forward 127.0.0.1:<port> to ``target``; cut, restore and hold on demand."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self._flowing = threading.Event()
        self._flowing.set()
        # Set when bytes arrive while held: a request is now in flight.
        self.stalled = False

    def start(self) -> "TcpProxy":
        self._listen()
        return self

    def stop(self) -> None:
        self.cut()

    def cut(self) -> None:
        """The server is gone: refuse new connections and reset every open one."""
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone leaves the port listening.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            pairs, self._pairs = self._pairs, set()
        for pair in pairs:
            for sock in pair:
                _reset(sock)
        self._flowing.set()

    def restore(self) -> None:
        """The server is back on the same port."""
        if self._listener is None:
            self._listen()

    @contextlib.contextmanager
    def held(self):
        """Stop forwarding bytes (connections stay open) until the block ends or ``cut()``."""
        self.stalled = False
        self._flowing.clear()
        try:
            yield
        finally:
            self._flowing.set()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.target, timeout=5)
                server.settimeout(None)
            except OSError:
                _reset(client)
                continue
            pair = (client, server)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=self._pump, args=(client, server, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, pair), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, pair) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if not self._flowing.is_set():
                    self.stalled = True
                    self._flowing.wait()
                with self._lock:
                    if pair not in self._pairs:
                        return  # cut while held: the bytes die with the connection
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._pairs.discard(pair)
        for sock in pair:
            _reset(sock)


def _reset(sock: socket.socket) -> None:
    """Close with RST, as a crashed server's kernel would answer."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


class SlowMastodon(MastodonStandIn):
    """The Mastodon stand-in, answering ``POST /api/v1/statuses`` late after it made the status.

    The worst moment for a worker to die: the platform has accepted the post
    but the worker never hears so. ``status_delays`` are used in order.
    """

    def __init__(self) -> None:
        super().__init__()
        self.status_delays: list[float] = []
        self.status_received = threading.Event()

    def dispatch(self, seen: Seen) -> tuple[int, Any, dict]:
        answer = super().dispatch(seen)
        if seen.method == "POST" and seen.path == "/api/v1/statuses":
            self.status_received.set()
            if self.status_delays:
                time.sleep(self.status_delays.pop(0))  # outside the server's lock: the retry is not blocked
        return answer


def wait_until(predicate: Callable[[], Any], *, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll ``predicate`` until it is truthy; its value, or ``TimeoutError`` naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached in {timeout} s")
        time.sleep(interval)


def children_of(pid: int) -> list[int]:
    """Every descendant process id of ``pid`` (Linux ``/proc``)."""
    parents: dict[int, int] = {}
    for entry in _proc_entries():
        with contextlib.suppress(OSError, ValueError, IndexError), open(f"/proc/{entry}/stat") as stat:
            parents[entry] = int(stat.read().rpartition(")")[2].split()[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [child for child, parent in parents.items() if parent == current]
        found += kids
        frontier += kids
    return found


def _proc_entries() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def stop_cluster(process) -> None:
    """Stop a qcluster the way its process manager would: SIGTERM to the main process only.

    (A signal to the whole group kills the sentinel under the cluster, which
    then waits for it until the 10 s kill in tests/e2e/processes.py.)
    """
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):  # then the context manager's stop() kills the group
        process.wait(timeout=15)
