"""Jobs an app hands to the broker itself, in its own order, instead of at commit.

django-q2's brokers are first in, first out. An app that orders its jobs (staging:
by plan, then age) keeps them in the database and registers, in its
``AppConfig.ready``, a dispatcher for their kind (``register("staging.stage",
dispatch)``). Such a job is queued without being enqueued; ``services.hand_over``
runs the dispatcher instead of ``enqueue`` (at creation, on a retry or a lost
worker's recovery), the minute sweep runs every dispatcher as a safety net, and
the dispatcher sends jobs with ``services.enqueue_once``.
"""

from collections.abc import Callable

_dispatchers: dict[str, Callable[[], int]] = {}


def register(kind: str, dispatcher: Callable[[], int]) -> None:
    """Let ``dispatcher()`` hand jobs of ``kind`` to the broker; it returns how many it sent."""
    _dispatchers[kind] = dispatcher


def dispatcher_for(kind: str) -> Callable[[], int] | None:
    """The dispatcher of ``kind``, or None when its jobs are enqueued at commit."""
    return _dispatchers.get(kind)


def dispatchers() -> dict[str, Callable[[], int]]:
    """Every registered kind and its dispatcher."""
    return dict(_dispatchers)
