"""Shared fixtures: the cast (owner, other_user, staff), API clients, services.

Which backends a run uses comes from the environment exactly as in
production: no env vars is the embedded mode; ``DATABASE_URL`` and
``REDIS_URL`` select PostgreSQL and Redis. ``scripts/test`` runs the suite in
both modes.
"""

import os
import pydoc
import signal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"

# A shell without job control starts its background commands with Ctrl-C ignored (POSIX), and
# scripts/test runs one mode in the background. The stop tests send SIGINT to this process and
# to the servers it starts, which inherit an ignored signal, so Python's own handling comes back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def require(condition: bool, reason: str) -> None:
    """Skip when a local tool is missing, but never in CI, where it must exist."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The embedded mode's cache lives in a table migrations do not create."""
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache(request, monkeypatch):
    """Rate-limit counters, socket counts and saved engine settings must not leak between tests.

    A test without the database has no saved engine settings (and may not read the cache table).
    """
    from config.ai import overrides

    if "django_db_setup" in request.fixturenames or request.node.get_closest_marker("django_db"):
        cache.clear()
    else:
        monkeypatch.setattr(overrides, "current", dict)
    overrides.invalidate_local()
    yield


@pytest.fixture(autouse=True)
def _outbound_to_stand_ins(settings):
    """Stand-in servers listen on 127.0.0.1, which the outbound policy refuses in production mode.

    tests/hardening/test_ssrf.py turns the policy back on.
    """
    settings.OUTBOUND_ALLOW_PRIVATE = True


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings, request):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The default hasher is slow on purpose and tests create many users. Real
    # server processes keep the default, so their users need real hashes.
    if not request.node.get_closest_marker("processes"):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def owner(db):
    return UserFactory(email="alice@example.com")


@pytest.fixture
def other_user(db):
    return UserFactory(email="charlie@example.com")


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def owner_api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


@pytest.fixture
def jwt_for():
    """Access token for a user, as the login endpoint would issue it."""
    from config.accounts.services import issue_tokens

    return lambda user: issue_tokens(user)["access_token"]


@pytest.fixture
def queued(monkeypatch):
    """Capture enqueued tasks instead of sending them to a broker."""
    from config.jobs import services as jobs

    sent = []
    monkeypatch.setattr(jobs, "async_task", lambda func, *args, **options: sent.append((func, args, options)))
    return sent


@pytest.fixture
def run_queued(queued, django_capture_on_commit_callbacks):
    """Run what was queued in this process, as a worker would, until nothing is left."""

    def run():
        while queued:
            func, args, _ = queued.pop(0)
            with django_capture_on_commit_callbacks(execute=True):
                pydoc.locate(func)(*args)

    return run


@pytest.fixture
def stand_in():
    """A local HTTP server standing in for a third-party API (see tests/standin.py)."""
    from tests.standin import StandIn

    server = StandIn()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def openai_stand_in(stand_in, settings):
    """The configured language model is an OpenAI-compatible stand-in (model "vision-test")."""
    settings.AI_LLM_PROVIDER = "openai"
    settings.AI_LLM_MODEL = "vision-test"
    settings.AI_LLM_BASE_URL = stand_in.url + "/v1"
    settings.AI_LLM_API_KEY = "test-key"
    settings.AI_LLM_MAX_RETRIES = 0
    return stand_in


@pytest.fixture
def uses_redis() -> bool:
    return bool(settings.REDIS_URL)
