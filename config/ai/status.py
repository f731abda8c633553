"""What health endpoints and the admin page say about each engine."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class Status:
    """The states an engine can report, as shown to operators."""

    READY = "ready"
    NOT_CONFIGURED = "not configured"
    NOT_INSTALLED = "not installed"
    WEIGHTS_NOT_PRESENT = "weights not present"
    UNREACHABLE = "unreachable"
    ERROR = "error"


@dataclass(frozen=True)
class EngineStatus:
    status: str
    detail: str = ""


_lock = threading.Lock()
_probes: dict[tuple, tuple[float, EngineStatus]] = {}


def cached_probe(key: tuple, probe: Callable[[], EngineStatus], *, ttl: float) -> EngineStatus:
    """Run a remote health probe at most once per ``ttl`` seconds for ``key``.

    /ready is polled often; asking a model server each time would add its
    latency to every poll and load it for nothing.
    """
    now = time.monotonic()
    with _lock:
        hit = _probes.get(key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    result = probe()
    with _lock:
        _probes[key] = (time.monotonic(), result)
    return result

