"""personas.recurrence: RRULE and cron occurrences on local wall-clock time, converted to UTC."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from config.errors import ValidationFailed
from personas.recurrence import anchor_rule, localize, next_occurrence, to_utc, validate_rule, zone

NEW_YORK = "America/New_York"


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def occurrences(rule: str, tz: str, after: datetime, count: int) -> list[datetime]:
    found = []
    for _ in range(count):
        after = next_occurrence(rule, tz, after)
        found.append(after)
    return found


def test_a_daily_nine_oclock_rrule_in_new_york_stays_nine_across_the_march_change():
    rule = anchor_rule("FREQ=DAILY", datetime(2026, 3, 6, 9, 0))

    found = occurrences(rule, NEW_YORK, utc(2026, 3, 6, 14, 0), 3)

    # 09:00 EST is 14:00 UTC; from 2026-03-08 09:00 EDT is 13:00 UTC.
    assert found == [utc(2026, 3, 7, 14, 0), utc(2026, 3, 8, 13, 0), utc(2026, 3, 9, 13, 0)]
    assert {moment.astimezone(ZoneInfo(NEW_YORK)).hour for moment in found} == {9}


def test_a_daily_nine_oclock_cron_in_new_york_stays_nine_across_the_november_change():
    found = occurrences("0 9 * * *", NEW_YORK, utc(2026, 10, 30, 13, 0), 3)

    assert found == [utc(2026, 10, 31, 13, 0), utc(2026, 11, 1, 14, 0), utc(2026, 11, 2, 14, 0)]
    assert {moment.astimezone(ZoneInfo(NEW_YORK)).hour for moment in found} == {9}


def test_rrule_with_and_without_the_rrule_prefix_agree():
    after = utc(2026, 3, 27, 12, 0)
    plain = next_occurrence("FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9;BYMINUTE=0", "Europe/Berlin", after)
    prefixed = next_occurrence("RRULE:FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9;BYMINUTE=0", "Europe/Berlin", after)

    # Friday 27 March -> Monday 30 March, 09:00 CEST (Berlin moved to summer time on the 29th).
    assert plain == prefixed == utc(2026, 3, 30, 7, 0)


def test_an_rrule_without_a_time_takes_it_from_the_series_start():
    start = utc(2026, 1, 5, 17, 30)  # 12:30 in New York

    assert next_occurrence("FREQ=DAILY", NEW_YORK, utc(2026, 1, 6, 20, 0), start=start) == utc(2026, 1, 7, 17, 30)


def test_anchoring_replaces_an_earlier_series_start():
    rule = anchor_rule(anchor_rule("FREQ=DAILY", datetime(2026, 1, 1, 8, 0)), datetime(2026, 2, 1, 10, 15))

    assert rule == "DTSTART:20260201T101500\nRRULE:FREQ=DAILY"
    assert anchor_rule("0 9 * * *", datetime(2026, 1, 1)) == "0 9 * * *"


def test_a_time_in_the_spring_forward_gap_moves_to_the_first_valid_time():
    # 02:30 does not exist in New York on 2026-03-08: clocks jump from 02:00 EST to 03:00 EDT (07:00 UTC).
    assert next_occurrence("30 2 * * *", NEW_YORK, utc(2026, 3, 7, 12, 0)) == utc(2026, 3, 8, 7, 0)
    assert next_occurrence("30 2 * * *", NEW_YORK, utc(2026, 3, 8, 7, 0)) == utc(2026, 3, 9, 6, 30)
    assert to_utc(datetime(2026, 3, 8, 2, 30), ZoneInfo(NEW_YORK)) == utc(2026, 3, 8, 7, 0)


def test_an_ambiguous_fall_back_time_takes_its_first_occurrence_once():
    # 01:30 happens twice in New York on 2026-11-01: first at 05:30 UTC (EDT), then 06:30 UTC (EST).
    first = next_occurrence("30 1 * * *", NEW_YORK, utc(2026, 10, 31, 12, 0))

    assert first == utc(2026, 11, 1, 5, 30)
    assert next_occurrence("30 1 * * *", NEW_YORK, first) == utc(2026, 11, 2, 6, 30)


def test_a_finished_rule_has_no_next_occurrence():
    rule = anchor_rule("FREQ=DAILY;COUNT=2", datetime(2026, 1, 1, 9, 0))

    assert next_occurrence(rule, "UTC", utc(2026, 1, 1, 9, 0)) == utc(2026, 1, 2, 9, 0)
    assert next_occurrence(rule, "UTC", utc(2026, 1, 2, 9, 0)) is None


def test_a_naive_time_is_wall_clock_time_in_the_zone():
    assert localize(datetime(2026, 7, 1, 9, 0), NEW_YORK) == utc(2026, 7, 1, 13, 0)
    assert localize(utc(2026, 7, 1, 9, 0), NEW_YORK) == utc(2026, 7, 1, 9, 0)


@pytest.mark.parametrize("rule", ["FREQ=DAILY", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE", "0 9 * * *", "*/15 8-18 * * 1-5",
                                  "DTSTART:20260301T090000\nRRULE:FREQ=DAILY"])
def test_valid_rules_pass(rule):
    assert validate_rule(rule) == rule


@pytest.mark.parametrize(("rule", "hint"), [
    ("", "empty"),
    ("FREQ=SOMETIMES", "FREQ=DAILY"),
    ("0 9 * *", "5-field cron"),
    ("0 0 9 * * *", "5-field cron"),
    ("every day", "5-field cron"),
    ("DTSTART;TZID=America/New_York:20260301T090000\nRRULE:FREQ=DAILY", "local time without a zone"),
])
def test_invalid_rules_say_what_is_wrong(rule, hint):
    with pytest.raises(ValidationFailed) as raised:
        validate_rule(rule)

    assert hint in raised.value.message


def test_an_unknown_zone_is_a_validation_error():
    with pytest.raises(ValidationFailed, match="Unknown time zone"):
        next_occurrence("0 9 * * *", "Mars/Olympus_Mons", utc(2026, 1, 1))


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Not/AZone"])
def test_a_zone_must_be_an_iana_name_not_a_file_zoneinfo_happens_to_read(name):
    with pytest.raises(ValidationFailed):
        zone(name)
