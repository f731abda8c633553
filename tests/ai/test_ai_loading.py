"""Local models load once per process, within the memory budget."""

import gc
import threading

import pytest
from django.test import override_settings

from config.ai.errors import EngineUnavailable
from config.ai.loading import MB, installed, is_loaded, load_once


def test_a_model_loads_once_even_when_threads_race(request):
    key = f"test:{request.node.name}"
    loads = []

    def load():
        loads.append(1)
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(load_once(key, size_bytes=1, load=load)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(loads) == 1
    assert all(result is results[0] for result in results)
    assert is_loaded(key)


@override_settings(AI_MEMORY_BUDGET_MB=1)
def test_a_model_that_would_exceed_the_budget_is_refused(request):
    with pytest.raises(EngineUnavailable, match="AI_MEMORY_BUDGET_MB=1"):
        load_once(f"test:{request.node.name}", size_bytes=2 * MB, load=object)
    assert not is_loaded(f"test:{request.node.name}")


def test_unreadable_weights_are_unavailable(request):
    def load():
        raise OSError("truncated file")

    with pytest.raises(EngineUnavailable, match="truncated file"):
        load_once(f"test:{request.node.name}", size_bytes=0, load=load)


def test_installed_checks_without_importing():
    assert installed("json", "numpy")
    assert not installed("json", "no_such_module_here")


def test_a_loaded_model_is_frozen_out_of_the_collectors_walks(request):
    gc.unfreeze()
    weights = [[index] for index in range(10_000)]

    load_once(f"test:{request.node.name}", size_bytes=1, load=lambda: weights)

    # Frozen objects are out of every generation the collector walks.
    assert gc.get_freeze_count() >= len(weights)
    assert not any(tracked is weights for tracked in gc.get_objects())
    gc.unfreeze()
