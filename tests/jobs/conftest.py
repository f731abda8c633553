
import pytest

from config.jobs import selftest, services


@pytest.fixture
def make_selftest(owner, django_capture_on_commit_callbacks):
    def make(user=None, metered=False, **params):
        with django_capture_on_commit_callbacks(execute=True):
            return services.create_job(user or owner, kind=selftest.KIND, task=selftest.TASK,
                                       params={"ticks": 2, "delay": 0, **params}, metered=metered, timeout_seconds=30)

    return make
