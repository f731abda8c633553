"""Bounded retries with exponential backoff for remote engines.

Only answers that say "try again" are retried: 429 and 5xx. A timeout is not,
because the caller's time budget is the timeout, and a refused connection or a
4xx will not change on a second try; both become ``EngineUnavailable`` at once.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import sleep
from typing import NoReturn, TypeVar

from django.conf import settings

from config.ai.errors import EngineThrottled, EngineUnavailable

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: ``backoff * 2**n`` seconds, or the server's Retry-After."""

    max_retries: int
    backoff: float
    max_wait: float

    @classmethod
    def from_settings(cls, max_retries: int) -> "RetryPolicy":
        return cls(max_retries=max_retries, backoff=settings.AI_RETRY_BACKOFF, max_wait=settings.AI_RETRY_MAX_WAIT)


class TransientFailure(Exception):
    """A provider answer worth retrying, with the wait the server asked for."""

    def __init__(self, reason: str, *, retry_after: float | None = None, throttled: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.throttled = throttled


def call_with_retries(send: Callable[[], T], policy: RetryPolicy) -> tuple[T, int]:
    """Return ``send()``'s value and the number of attempts it took.

    ``send`` raises ``TransientFailure`` for a retryable answer. When retries run
    out, or the server asks for a longer wait than ``policy.max_wait``, the
    caller gets ``EngineUnavailable`` rather than a request that hangs.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return send(), attempt
        except TransientFailure as failure:
            # A provider that throttles us is passed on as such, with its wait.
            gave_up = EngineThrottled if failure.throttled else EngineUnavailable
            extra = {"retry_after": failure.retry_after} if failure.throttled else {}
            if attempt > policy.max_retries:
                raise gave_up(f"{failure.reason}; gave up after {attempt} attempts.", **extra) from failure
            delay = failure.retry_after
            if delay is None:
                delay = policy.backoff * 2 ** (attempt - 1)
            if delay > policy.max_wait:
                raise gave_up(
                    f"{failure.reason}; the server asked to wait {delay:.0f} s.", details={"retry_after": delay},
                    **extra,
                ) from failure
            sleep(delay)


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """Parse Retry-After (seconds or an HTTP date); ``None`` when absent or unreadable."""
    value = (headers or {}).get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def fail_for_status(provider: str, status: int, headers: Mapping[str, str] | None, message: str) -> NoReturn:
    """Turn a provider's error status into a retryable failure or ``EngineUnavailable``."""
    if status == 429 or status >= 500:
        raise TransientFailure(f"{provider} answered HTTP {status}", retry_after=retry_after_seconds(headers),
                               throttled=status == 429)
    raise EngineUnavailable(f"{provider} refused the request (HTTP {status}): {message}", details={"status": status})
