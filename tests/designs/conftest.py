"""Designs fixtures: clients carrying an API key and a JWT, and jobs run in-process."""

import pydoc

import pytest
from rest_framework.test import APIClient

from config.accounts.services import create_api_key, issue_tokens


def credentials(user) -> dict:
    """The two headers seed 002 requires, for ``user``."""
    _, raw_key = create_api_key(user, name="designs")
    return {"HTTP_X_API_KEY": raw_key, "HTTP_AUTHORIZATION": f"Bearer {issue_tokens(user)['access_token']}"}


@pytest.fixture
def designer(owner):
    """An API client sending the owner's key and token on every request."""
    client = APIClient()
    client.credentials(**credentials(owner))
    return client


@pytest.fixture
def inline_jobs(monkeypatch):
    """Run each queued job at once in this process, as a worker would (needs committed rows)."""
    from config.jobs import services as jobs

    monkeypatch.setattr(jobs, "async_task", lambda func, *args, **options: pydoc.locate(func)(*args))
