"""config/timestamps.py: the one way API answers write a moment."""

from datetime import UTC, datetime, timedelta, timezone

from config.timestamps import iso8601, now_iso8601


def test_a_utc_moment_ends_in_z():
    assert iso8601(datetime(2025, 1, 31, 9, 30, 0, 123456, tzinfo=UTC)) == "2025-01-31T09:30:00.123456Z"


def test_a_moment_in_another_zone_is_written_in_utc():
    paris_winter = timezone(timedelta(hours=1))
    assert iso8601(datetime(2025, 1, 31, 10, 30, tzinfo=paris_winter)) == "2025-01-31T09:30:00Z"


def test_none_stays_none():
    assert iso8601(None) is None


def test_now_is_written_the_same_way():
    written = now_iso8601()
    assert written.endswith("Z")
    assert abs(datetime.fromisoformat(written) - datetime.now(UTC)) < timedelta(seconds=5)
