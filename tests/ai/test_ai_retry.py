"""Retry rules shared by the remote engines."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from config.ai.errors import EngineUnavailable
from config.ai.retry import RetryPolicy, TransientFailure, call_with_retries, fail_for_status, retry_after_seconds

POLICY = RetryPolicy(max_retries=2, backoff=0.5, max_wait=10)


def flaky(failures: list[Exception], value: str = "done"):
    def send():
        if failures:
            raise failures.pop(0)
        return value
    return send


def test_backoff_doubles_between_attempts(waits):
    result = call_with_retries(flaky([TransientFailure("500"), TransientFailure("502")]), POLICY)

    assert result == ("done", 3)
    assert waits == [0.5, 1.0]


def test_retry_after_replaces_the_backoff(waits):
    call_with_retries(flaky([TransientFailure("429", retry_after=3)]), POLICY)

    assert waits == [3]


def test_retries_stop_at_the_limit(waits):
    failures = [TransientFailure("HTTP 503")] * 3

    with pytest.raises(EngineUnavailable, match="HTTP 503; gave up after 3 attempts"):
        call_with_retries(flaky(failures), POLICY)
    assert len(waits) == 2


def test_a_retry_after_longer_than_the_limit_fails_at_once(waits):
    with pytest.raises(EngineUnavailable, match="asked to wait 60 s") as caught:
        call_with_retries(flaky([TransientFailure("429", retry_after=60)]), POLICY)

    assert waits == []
    assert caught.value.details == {"retry_after": 60}


def test_retry_after_reads_seconds_and_http_dates():
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)

    assert retry_after_seconds({"retry-after": "2"}) == 2.0
    assert 25 < retry_after_seconds({"retry-after": later}) <= 30
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds(None) is None


@pytest.mark.parametrize("status", [429, 500, 503, 529])
def test_rate_limits_and_server_errors_are_transient(status):
    with pytest.raises(TransientFailure):
        fail_for_status("test", status, {}, "busy")


@pytest.mark.parametrize("status", [400, 401, 404])
def test_client_errors_are_unavailable_without_retry(status):
    with pytest.raises(EngineUnavailable, match=f"HTTP {status}"):
        fail_for_status("test", status, {}, "no")
