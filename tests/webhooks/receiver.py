"""A webhook receiver for the tests: a real HTTP server on 127.0.0.1 that keeps each request's raw body.

``tests/standin.py`` parses bodies as JSON; a signature is over the bytes as
sent, so this receiver records them untouched. Replies are scripted in order
(``reply(500)``, ``reply(302, location=...)``); unscripted requests get 200.
"""

import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._replies: deque[tuple[int, dict[str, str], bytes]] = deque()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.receiver = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def reply(self, status: int = 200, body: bytes = b"ok", *, location: str = "") -> None:
        self._replies.append((status, {"Location": location} if location else {}, body))

    def next_reply(self) -> tuple[int, dict[str, str], bytes]:
        return self._replies.popleft() if self._replies else (200, {}, b"ok")

    def start(self) -> "Receiver":
        self._thread.start()
        return self

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
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        receiver.requests.append(Received(self.command, self.path, headers, body))
        status, extra, payload = receiver.next_reply()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args) -> None:
        pass
