"""How an API answer writes a moment: ISO 8601 in UTC, ending in ``Z`` (``2025-01-31T09:30:00.123456Z``).

The seed documents all show this form. Django's aware datetimes come back in
UTC, whose ``isoformat()`` ends in ``+00:00``; one helper makes the ``Z`` so no
answer writes it by hand.
"""

from datetime import UTC, datetime
from typing import overload

from django.utils import timezone


@overload
def iso8601(moment: datetime) -> str: ...
@overload
def iso8601(moment: None) -> None: ...
def iso8601(moment: datetime | None) -> str | None:
    """``moment`` as ISO 8601 in UTC with a ``Z``; ``None`` stays ``None``.

    An aware moment in another zone is converted to UTC first; a naive one is
    written as it is (no zone to convert from).
    """
    if moment is None:
        return None
    if timezone.is_aware(moment):
        moment = moment.astimezone(UTC)
    return moment.isoformat().replace("+00:00", "Z")


def now_iso8601() -> str:
    """The current moment, written as ``iso8601`` writes it."""
    return iso8601(timezone.now())
