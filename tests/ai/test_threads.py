"""Each process's local models take their share of the cores, so a cluster's workers do not oversubscribe them."""

import pytest

from config.ai import threads
from config.jobs.hooks import on_worker_spawned


@pytest.fixture
def cores(monkeypatch):
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 8)
    monkeypatch.setattr(threads, "_in_worker", False)


def test_the_web_process_uses_every_core(cores, settings):
    settings.AI_CPU_THREADS = 0
    assert threads.per_process() == 8


@pytest.mark.django_db
def test_a_worker_takes_its_share_of_the_cores(cores, settings):
    settings.AI_CPU_THREADS = 0
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 3}

    on_worker_spawned(sender=None, proc_name="Process-1")

    assert threads.per_process() == 2


def test_more_workers_than_cores_still_get_one_thread(cores, settings):
    settings.AI_CPU_THREADS = 0
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 16}
    threads.mark_worker()
    assert threads.per_process() == 1


def test_the_setting_overrides(cores, settings):
    settings.AI_CPU_THREADS = 3
    threads.mark_worker()
    assert threads.per_process() == 3
