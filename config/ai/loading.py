"""Local models: loaded lazily, once per process, within a memory budget.

Web and worker processes import this module without torch; the heavy imports
happen inside the ``load`` callables, on first use.

The budget (``AI_MEMORY_BUDGET_MB``, 0 = none) counts the size of each model's
weights as they will sit in memory, summed over everything this process has
loaded. It is a floor, not the peak (activations come on top), and it keeps a
small worker from loading a diffusion model next to the labeler and embedder.
"""

import gc
import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings

from config.ai.errors import EngineUnavailable

T = TypeVar("T")

MB = 2**20


@dataclass(frozen=True)
class _Loaded:
    model: Any
    size_bytes: int


# One lock for all loads: two threads asking for the same model must not load
# it twice, and loads are rare enough that serialising them costs nothing.
_lock = threading.Lock()
_loaded: dict[str, _Loaded] = {}


def load_once(key: str, *, size_bytes: int, load: Callable[[], T]) -> T:
    """Return the model cached under ``key``, calling ``load()`` the first time.

    Raises ``EngineUnavailable`` when loading would exceed the memory budget or
    the files cannot be read.
    """
    cached = _loaded.get(key)
    if cached is not None:
        return cached.model
    with _lock:
        cached = _loaded.get(key)
        if cached is not None:
            return cached.model
        budget = settings.AI_MEMORY_BUDGET_MB * MB
        used = loaded_bytes()
        if budget and used + size_bytes > budget:
            raise EngineUnavailable(
                f"Loading {key} ({size_bytes // MB} MB) would exceed AI_MEMORY_BUDGET_MB="
                f"{settings.AI_MEMORY_BUDGET_MB} ({used // MB} MB already loaded)."
            )
        try:
            model = load()
        except (OSError, ValueError, RuntimeError) as exc:
            raise EngineUnavailable(f"Could not load {key}: {exc}") from exc
        _loaded[key] = _Loaded(model, size_bytes)
        # A model and the libraries it imported live as long as the process: hundreds of thousands of
        # objects that every full collection would walk again (MiniLM: 1.4 ms of each designs request,
        # docs/performance.md). Frozen, the collector leaves them alone.
        gc.freeze()
        return model


def is_loaded(key: str) -> bool:
    return key in _loaded


def loaded_bytes() -> int:
    """Estimated bytes of every model this process holds."""
    return sum(item.size_bytes for item in _loaded.values())


def installed(*modules: str) -> bool:
    """True when every module can be imported, checked without importing it."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in modules)
    except (ImportError, ValueError):
        return False
