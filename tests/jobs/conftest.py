import pydoc

import pytest

from config.jobs import selftest, services


@pytest.fixture
def queued(monkeypatch):
    """Capture enqueued tasks instead of sending them to a broker."""
    sent = []
    monkeypatch.setattr(services, "async_task", lambda func, *args, **options: sent.append((func, args, options)))
    return sent


@pytest.fixture
def run_queued(queued):
    """Run captured tasks in this process, as a worker would."""

    def run():
        while queued:
            func, args, _ = queued.pop(0)
            pydoc.locate(func)(*args)

    return run


@pytest.fixture
def make_selftest(owner, django_capture_on_commit_callbacks):
    def make(user=None, metered=False, **params):
        with django_capture_on_commit_callbacks(execute=True):
            return services.create_job(user or owner, kind=selftest.KIND, task=selftest.TASK,
                                       params={"ticks": 2, "delay": 0, **params}, metered=metered, timeout_seconds=30)

    return make
