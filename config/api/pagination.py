"""The two pagination styles the seed documents use.

``page_params`` reads ``page``/``page_size`` (catalog products); ``limit_params``
reads ``limit``/``offset`` (jobs, personas). Both validate their bounds and raise
``ValidationFailed`` so each app answers in its own envelope.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from config.errors import ValidationFailed

# How far into a list a client may ask for. Unbounded, a page or offset of
# 10**20 overflows PostgreSQL's bigint OFFSET and answered 500; no list here
# holds ten million rows for one owner.
MAX_OFFSET = 10_000_000
# What the schema states for each paging parameter (``config.api.schema``); the parsers below enforce it.
# The last page is fixed (not a function of page_size) so the schema can state it: with the largest
# page size it reaches MAX_OFFSET rows in.
MAX_PAGE_SIZE = 100
BOUNDS = {"limit": (1, 100), "page_size": (1, MAX_PAGE_SIZE), "offset": (0, MAX_OFFSET),
          "page": (1, MAX_OFFSET // MAX_PAGE_SIZE + 1)}


def _int_param(params, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{name} must be an integer.") from None
    if not low <= value <= high:
        raise ValidationFailed(f"{name} must be between {low} and {high}.")
    return value


@dataclass(frozen=True)
class Window:
    offset: int
    limit: int

    def slice(self, queryset: QuerySet) -> tuple[list, int]:
        """Return the window's rows and the total count."""
        return list(queryset[self.offset : self.offset + self.limit]), queryset.count()


def page_params(params, *, default_size: int = 20) -> tuple[int, int, Window]:
    """Return ``(page, page_size, window)`` for 1-based page numbers."""
    size = _int_param(params, "page_size", default_size, *BOUNDS["page_size"])
    page = _int_param(params, "page", 1, *BOUNDS["page"])
    return page, size, Window((page - 1) * size, size)


def limit_params(params, *, default_limit: int = 20) -> Window:
    """Return the window for ``limit``/``offset`` parameters."""
    limit = _int_param(params, "limit", default_limit, *BOUNDS["limit"])
    offset = _int_param(params, "offset", 0, *BOUNDS["offset"])
    return Window(offset, limit)
