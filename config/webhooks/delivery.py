"""Sending one webhook attempt over HTTP, and when to retry a failed one. No database here.

Every connection goes through the outbound URL policy (``config.net``): the
transport checks each request and the address it connects to, and redirects
are followed by hand (at most ``MAX_REDIRECTS``) so each hop is checked and
logged the same way. Redirected requests are sent again as the same signed
POST: the signature covers the id, timestamp and body, not the URL.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from config import net
from config.webhooks.models import EXCERPT_LENGTH

TIMEOUT = httpx.Timeout(10.0)
MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# A receiver may answer with a huge body; we keep 500 characters of it and read no more than this.
READ_LIMIT = 4096
USER_AGENT = "StageCraft-Webhooks/1.0"

# Standard Webhooks' suggested schedule, after the immediate first attempt. The window caps it: the
# last retry happens 24 hours after the first attempt, and a failure then is final.
RETRY_DELAYS = (timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
                timedelta(hours=5), timedelta(hours=10), timedelta(hours=10))
RETRY_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: the last URL asked, its status (None without an answer), timing and text."""

    url: str
    status_code: int | None
    latency_ms: int
    excerpt: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body`` to ``url`` with ``headers``, following up to three redirects; never raises for HTTP trouble."""
    started = time.perf_counter()
    status, excerpt, error = None, "", ""
    headers = {"content-type": "application/json", "user-agent": USER_AGENT, **headers}
    try:
        with httpx.Client(timeout=TIMEOUT, transport=net.transport(), follow_redirects=False) as client:
            for hop in range(MAX_REDIRECTS + 1):
                net.check_url(url)  # the transport checks too; this gives the clearer message
                with client.stream("POST", url, content=body, headers=headers) as response:
                    status, excerpt = response.status_code, _excerpt(response)
                    location = response.headers.get("location") if status in REDIRECT_STATUSES else None
                    if location:
                        next_url = str(response.url.join(location))
                if not location:
                    break
                if hop == MAX_REDIRECTS:
                    error = f"More than {MAX_REDIRECTS} redirects."
                    break
                url = next_url
    except net.OutboundRefused as exc:
        error = str(exc)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        error = f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
    latency_ms = round((time.perf_counter() - started) * 1000)
    return Outcome(url=url, status_code=status, latency_ms=latency_ms, excerpt=excerpt, error=error[:500])


def _excerpt(response: httpx.Response) -> str:
    read = b""
    for chunk in response.iter_bytes():
        read += chunk
        if len(read) >= READ_LIMIT:
            break
    return read[:READ_LIMIT].decode("utf-8", errors="replace")[:EXCERPT_LENGTH]


def next_attempt_at(*, window_started_at: datetime, failures: int, now: datetime) -> datetime | None:
    """When to try again after the ``failures``-th failed attempt of a window; None once the window is spent."""
    deadline = window_started_at + RETRY_WINDOW
    if failures > len(RETRY_DELAYS) or now >= deadline:
        return None
    return min(now + RETRY_DELAYS[failures - 1], deadline)
