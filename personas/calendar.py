"""The calendar page's grid: scheduled posts placed on the days and at the times of their character's zone.

Posts are stored in UTC. A character in Tokyo and one in New York can both
post "at 09:00"; each post is shown at its own character's wall-clock time,
on the date it falls on there.
"""

import calendar as stdlib_calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from personas.models import ScheduledPost

DAY = "day"
WEEK = "week"
MONTH = "month"
VIEWS = (DAY, WEEK, MONTH)


@dataclass
class Entry:
    post: ScheduledPost
    local: datetime  # scheduled_at in the character's zone

    @property
    def zone(self) -> str:
        return self.local.tzname() or ""

    @property
    def wall(self) -> datetime:
        # Naive on purpose: templates convert aware datetimes to the server's zone before formatting.
        return self.local.replace(tzinfo=None)

    @property
    def iso(self) -> str:
        return self.local.isoformat()


@dataclass
class Day:
    day: date
    in_period: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Grid:
    view: str
    anchor: date
    start: date  # first day shown
    end: date  # day after the last day shown
    weeks: list[list[Day]]
    previous: date
    next: date

    @property
    def title(self) -> str:
        if self.view == MONTH:
            return self.anchor.strftime("%B %Y")
        if self.view == DAY:
            return f"{self.start:%A %d %B %Y}"
        last = self.end - timedelta(days=1)
        return f"{self.start:%d %b} to {last:%d %b %Y}"

    @property
    def count(self) -> int:
        return sum(len(d.entries) for week in self.weeks for d in week)

    @property
    def agenda(self) -> list[Day]:
        """The period's days that have posts (and today), in order: the list phones read instead of the grid."""
        return [d for week in self.weeks for d in week
                if d.in_period and (d.entries or d.is_today or self.view == DAY)]


def zone_of(name: str) -> ZoneInfo:
    """The named zone, or UTC for a name this machine does not know."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _period(view: str, anchor: date) -> tuple[date, date, date, date]:
    """First and after-last day shown (whole Monday-first weeks), and the anchors of the periods around it."""
    if view == MONTH:
        first = anchor.replace(day=1)
        days = stdlib_calendar.monthrange(anchor.year, anchor.month)[1]
        after = first + timedelta(days=days)
        start = first - timedelta(days=first.weekday())
        end = after + timedelta(days=(7 - after.weekday()) % 7)
        previous = (first - timedelta(days=1)).replace(day=1)
        return start, end, previous, after
    if view == DAY:
        return anchor, anchor + timedelta(days=1), anchor - timedelta(days=1), anchor + timedelta(days=1)
    start = anchor - timedelta(days=anchor.weekday())
    return start, start + timedelta(days=7), start - timedelta(days=7), start + timedelta(days=7)


def build_grid(posts, *, view: str, anchor: date, today: date) -> Grid:
    """Place ``posts`` (a queryset of scheduled posts) on a day, week or month grid around ``anchor``."""
    view = view if view in VIEWS else WEEK
    start, end, previous, following = _period(view, anchor)
    # A day either side in UTC covers every zone's local dates.
    low = datetime.combine(start - timedelta(days=1), time.min, tzinfo=ZoneInfo("UTC"))
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=ZoneInfo("UTC"))
    days: dict[date, Day] = {}
    cursor = start
    while cursor < end:
        in_period = cursor.month == anchor.month if view == MONTH else True
        days[cursor] = Day(cursor, in_period, cursor == today)
        cursor += timedelta(days=1)
    window = posts.filter(scheduled_at__gte=low, scheduled_at__lt=high).select_related("character", "account",
                                                                                      "content")
    for post in window.order_by("scheduled_at"):
        local = post.scheduled_at.astimezone(zone_of(post.character.timezone))
        if local.date() in days:
            days[local.date()].entries.append(Entry(post, local))
    for day in days.values():
        day.entries.sort(key=lambda entry: (entry.local.time(), entry.post.character.name))
    ordered = list(days.values())
    weeks = [ordered[i:i + 7] for i in range(0, len(ordered), 7)]
    return Grid(view, anchor, start, end, weeks, previous, following)
