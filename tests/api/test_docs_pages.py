"""The API docs pages lead back to the app and load nothing from other hosts (the CSP would refuse it)."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_link_back_to_the_app(client, path):
    page = client.get(path).content.decode()

    assert '<a href="/"' in page or 'class="back-to-app" href="/"' in page
    assert "Back to StageCraft" in page


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_load_nothing_from_other_hosts(client, path):
    page = client.get(path).content.decode()

    assert "fonts.googleapis.com" not in page and "fonts.gstatic.com" not in page
    assert not re.search(r'(?:src|href)="https?://', page)
