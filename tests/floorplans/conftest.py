"""Floor plan fixtures: the owner's API client, a session, inline workers and the vision model stand-in."""

import pydoc

import pytest

from config.jobs import services as jobs
from floorplans import services
from tests.floorplans.factories import FloorplanSessionFactory


@pytest.fixture
def fp(api, owner, jwt_for):
    """The owner's API client, signed in with a JWT as the parent app sends it."""
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {jwt_for(owner)}")
    return api


@pytest.fixture
def session(owner):
    return FloorplanSessionFactory(owner=owner, address="123 Main St, Oakland, CA 94601")


@pytest.fixture
def inline_jobs(monkeypatch):
    """Run queued tasks at once in this process (needs a committing test: ``transaction=True``)."""
    monkeypatch.setattr(jobs, "async_task", lambda func, *args, **options: pydoc.locate(func)(*args))


@pytest.fixture
def vision(openai_stand_in):
    """The configured vision model is an OpenAI-compatible stand-in; script its answers with ``reply``."""
    return openai_stand_in


@pytest.fixture
def short_wait(monkeypatch):
    """Requests give up on their model job after a fraction of a second."""
    monkeypatch.setattr(services, "wait_seconds", lambda: 0.3)
