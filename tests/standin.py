"""A stand-in HTTP server for third-party APIs this machine cannot reach.

It records every request (so a test can assert the documented request shape)
and plays the replies the test scripted, in order.
"""

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from time import sleep
from typing import Any


@dataclass
class Recorded:
    """A request the stand-in received; header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes = b""  # the body as sent: what a signature is over


@dataclass
class Scripted:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class StandIn:
    """A real HTTP server on 127.0.0.1 that records requests and plays scripted replies in order."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._replies: deque[Scripted] = deque()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.stand_in = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def reply(self, body: Any = None, *, status: int = 200, headers: dict | None = None, delay: float = 0.0) -> None:
        self._replies.append(Scripted(status, body, headers or {}, delay))

    def next_reply(self) -> Scripted:
        if self._replies:
            return self._replies.popleft()
        return Scripted(status=599, body={"error": "the test scripted no reply for this request"})

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        stand_in: StandIn = self.server.stand_in
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw) if raw else None
        headers = {name.lower(): value for name, value in self.headers.items()}
        stand_in.requests.append(Recorded(self.command, self.path, headers, body, raw))
        scripted = stand_in.next_reply()
        sleep(scripted.delay)
        payload = scripted.body if isinstance(scripted.body, bytes) else json.dumps(scripted.body).encode()
        try:
            self.send_response(scripted.status)
            if "Content-Type" not in scripted.headers:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in scripted.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up waiting (the timeout tests)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def openai_chat_reply(content: dict) -> dict:
    """An OpenAI chat-completions response whose message is ``content`` as JSON."""
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "vision-test",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": json.dumps(content)},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 900, "completion_tokens": 120, "total_tokens": 1020}}
