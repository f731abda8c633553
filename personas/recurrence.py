"""When a recurring post or rule fires next: RFC 5545 RRULEs and cron lines on local wall-clock time.

Both forms are evaluated on naive wall-clock times in the schedule's zone and
only then converted to UTC, so "every day at 09:00" in New York is 09:00 local
in winter (14:00 UTC) and in summer (13:00 UTC). Two local times need a rule:

- a time that does not exist (the spring-forward gap, 02:30 on the day clocks
  jump from 02:00 to 03:00) moves forward to the first valid time, 03:00;
- a time that happens twice (the fall-back hour) takes its first occurrence
  (``fold=0``), so a daily 01:30 post goes out once, not twice.
"""

import contextlib
import functools
import re
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import croniter
from dateutil.rrule import rrulestr

from config.errors import ValidationFailed

# Candidates of the rule that fall at or before ``after`` once converted (the repeated
# fall-back hour, a gap moved forward) are skipped; this bounds the search.
_MAX_CANDIDATES = 100
_DTSTART_LINE = re.compile(r"^DTSTART[^:\n]*:[^\n]*\n?", re.IGNORECASE | re.MULTILINE)


def is_rrule(rule: str) -> bool:
    """True for an RFC 5545 recurrence (it names a FREQ), False for a cron line."""
    return "FREQ=" in rule.upper()


@functools.cache
def zone_names() -> frozenset[str]:
    """Every IANA zone name (``ZoneInfo`` alone would also take file names such as "localtime",
    which some systems' ``available_timezones`` lists too)."""
    return frozenset(available_timezones()) - {"localtime", "posixrules"} | {"UTC"}


# The tz database's geographic regions; the rest are legacy aliases ("US/Eastern", "Etc/GMT+5").
REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian",
           "Pacific")


@functools.cache
def timezone_choices() -> list:
    """UTC, then the canonical zones grouped by region (Django renders each group as an <optgroup>).

    Legacy names outside the regions ("US/Eastern", "Etc/GMT+5") are left out, and so are the old
    names inside them ("Asia/Calcutta" beside "Asia/Kolkata") where the tz database's zone.tab says
    which names are current.
    """
    listed = zone_tab_names()
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(available_timezones()):
        region, _, place = name.partition("/")
        if region in REGIONS and place and (not listed or name in listed):
            groups.setdefault(region, []).append((name, place.replace("_", " ").replace("/", " / ")))
    return [("UTC", "UTC"), *groups.items()]


def zone_tab_names() -> set[str]:
    """The zone names in the tz database's zone.tab (one or more per country); empty where it is not shipped."""
    candidates = [Path(base) / "zone.tab" for base in TZPATH]
    with contextlib.suppress(ModuleNotFoundError, TypeError):  # the tzdata package, where zoneinfo falls back to it
        candidates.append(Path(str(resources.files("tzdata.zoneinfo") / "zone.tab")))
    for path in candidates:
        if path.is_file():
            rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines())
            return {row[2] for row in rows if len(row) >= 3 and not row[0].startswith("#")}
    return set()


@functools.cache
def canonical_zone_names() -> tuple[str, ...]:
    """UTC and the current name of every zone, as the pages offer them: what the API schema lists
    (the services also take the legacy aliases). Cached: serializers read it each time they are built."""
    return ("UTC", *(name for _, options in timezone_choices()[1:] for name, _ in options))


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or ``ValidationFailed`` naming the problem."""
    try:
        if name not in zone_names():
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationFailed(f"Unknown time zone {name!r}; use an IANA name such as 'America/New_York'.",
                               details={"timezone": name}) from None


def validate_rule(rule: str) -> str:
    """Check a recurrence and return it stripped; ``ValidationFailed`` says what is wrong with it.

    Accepts an RRULE ("FREQ=DAILY", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE", optionally after a
    floating "DTSTART:20260301T090000" line) or a 5-field cron line ("0 9 * * *").
    """
    rule = (rule or "").strip()
    if not rule:
        raise ValidationFailed("The recurrence rule is empty.")
    if is_rrule(rule):
        try:
            parsed = rrulestr(rule, dtstart=datetime(2000, 1, 1))
        except (ValueError, TypeError) as exc:
            raise ValidationFailed(f"Not a valid RRULE ({exc}); for example 'FREQ=DAILY' or "
                                   "'RRULE:FREQ=WEEKLY;BYDAY=MO,WE'.", details={"rule": rule}) from None
        if getattr(parsed, "_dtstart", None) is not None and parsed._dtstart.tzinfo is not None:
            raise ValidationFailed("DTSTART must be a local time without a zone (e.g. DTSTART:20260301T090000); "
                                   "the schedule's timezone applies.", details={"rule": rule})
        return rule
    fields = rule.split()
    if len(fields) != 5 or not croniter.is_valid(rule):
        raise ValidationFailed("Not a valid recurrence: give an RRULE such as 'FREQ=DAILY' or a 5-field cron "
                               "line 'minute hour day month weekday' such as '0 9 * * *'.", details={"rule": rule})
    return rule


def anchor_rule(rule: str, local_start: datetime) -> str:
    """Pin an RRULE's series start (DTSTART) to ``local_start``'s wall-clock time; cron lines are returned as is.

    An RRULE without BYHOUR takes its time of day, and INTERVAL/COUNT their phase,
    from DTSTART; pinning it keeps a daily post at its first local time however
    late a retry published the previous occurrence.
    """
    if not is_rrule(rule):
        return rule
    body = _DTSTART_LINE.sub("", rule.strip()).strip()
    if not body.upper().startswith("RRULE:"):
        body = f"RRULE:{body}"
    return f"DTSTART:{local_start.replace(tzinfo=None):%Y%m%dT%H%M%S}\n{body}"


def next_occurrence(rule: str, tz: str, after: datetime, *, start: datetime | None = None) -> datetime | None:
    """The first occurrence of ``rule`` strictly after ``after``, in UTC; ``None`` when the rule has ended.

    ``rule`` is an RRULE or a 5-field cron line evaluated on wall-clock time in ``tz``.
    ``start`` is the series start for an RRULE without a DTSTART line (defaults to
    ``after``). A naive ``after``/``start`` is read as UTC.
    """
    rule = validate_rule(rule)
    zoneinfo = zone(tz)
    after = _aware(after)
    local_after = after.astimezone(zoneinfo).replace(tzinfo=None)
    candidates = _local_candidates(rule, local_after, _aware(start or after).astimezone(zoneinfo))
    for _ in range(_MAX_CANDIDATES):
        local = next(candidates, None)
        if local is None:
            return None
        instant = to_utc(local, zoneinfo)
        if instant > after:
            return instant
    return None


def to_utc(local: datetime, zoneinfo: ZoneInfo) -> datetime:
    """A naive wall-clock time in ``zoneinfo`` as a UTC instant (gap: forward to its end; repeat: first)."""
    local = local.replace(tzinfo=None, fold=0)
    instant = local.replace(tzinfo=zoneinfo).astimezone(UTC)
    if instant.astimezone(zoneinfo).replace(tzinfo=None) == local:
        return instant
    return _gap_end(local, zoneinfo)


def localize(value: datetime, tz: str) -> datetime:
    """``value`` as an aware UTC instant; a naive ``value`` is wall-clock time in ``tz``."""
    if value.tzinfo is None:
        return to_utc(value, zone(tz))
    return value.astimezone(UTC)


def _local_candidates(rule: str, local_after: datetime, local_start: datetime):
    """Naive local occurrences after ``local_after``, in order."""
    if is_rrule(rule):
        series = rrulestr(rule, dtstart=local_start.replace(tzinfo=None, microsecond=0))
        cursor = local_after
        while True:
            cursor = series.after(cursor, inc=False)
            if cursor is None:
                return
            yield cursor
    else:
        cron = croniter(rule, local_after)
        while True:
            yield cron.get_next(datetime)


def _gap_end(local: datetime, zoneinfo: ZoneInfo) -> datetime:
    """The first instant after the transition that skipped ``local``: the gap's first valid time."""
    # fold=0 reads the skipped time with the offset before the change and fold=1 with the
    # one after; the transition lies between the two instants.
    low = local.replace(tzinfo=zoneinfo, fold=1).astimezone(UTC)
    high = local.replace(tzinfo=zoneinfo, fold=0).astimezone(UTC)
    low, high = min(low, high), max(low, high)
    after_offset = high.astimezone(zoneinfo).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zoneinfo).utcoffset() == after_offset:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
