"""The webhook receiver of the tests: the project's stand-in server (``tests/standin.py``), answering
200 "ok" unless a reply is scripted (``reply(500)``, ``reply(302, location=...)``). A recorded
request's ``raw`` is its body as sent, which signatures are over."""

from tests.standin import Scripted, StandIn


class Receiver(StandIn):
    def reply(self, status: int = 200, body: bytes = b"ok", *, location: str = "") -> None:
        super().reply(body, status=status, headers={"Location": location} if location else {})

    def next_reply(self) -> Scripted:
        if self._replies:
            return super().next_reply()
        return Scripted(200, b"ok", {"Content-Type": "text/plain"})

    def start(self) -> "Receiver":
        super().start()
        return self
