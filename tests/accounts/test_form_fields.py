"""The account forms render each field through partials/form_field.html: what aria-describedby names exists."""

import re

import pytest

pytestmark = pytest.mark.django_db


def described_inputs(html: str) -> dict[str, list[str]]:
    """Each input's (or fieldset's) name or id, with the ids its aria-describedby names."""
    found = {}
    for tag in re.findall(r"<(?:input|select|textarea|fieldset)\b[^>]*>", html):
        described = re.search(r'aria-describedby="([^"]*)"', tag)
        if described:
            key = re.search(r'(?:name|id)="([^"]*)"', tag)
            found[key.group(1) if key else tag] = described.group(1).split()
    return found


def assert_described(html: str, field_name: str, *suffixes: str) -> None:
    """``field_name``'s input names ``id_<field_name><suffix>`` for each suffix, and each id is on the page."""
    ids = described_inputs(html).get(field_name)
    assert ids == [f"id_{field_name}{suffix}" for suffix in suffixes], described_inputs(html)
    for element_id in ids:
        assert len(re.findall(rf'\bid="{element_id}"', html)) == 1, f"no element with id {element_id}"


def test_sign_up_describes_the_password_with_its_help_text(client):
    html = client.get("/accounts/signup/").content.decode()

    assert_described(html, "password", "_helptext")
    assert "At least 8 characters" in html


def test_sign_up_errors_are_named_by_the_field_they_belong_to(client):
    html = client.post("/accounts/signup/", {"email": "not-an-email", "password": "short"}).content.decode()

    assert_described(html, "email", "_error")
    assert_described(html, "password", "_helptext", "_error")
    assert 'aria-invalid="true"' in html


def test_sign_in_errors_are_named_by_the_field_they_belong_to(client):
    html = client.post("/accounts/login/", {"username": "", "password": ""}).content.decode()

    assert_described(html, "username", "_error")
    assert_described(html, "password", "_error")


def test_the_api_key_form_names_its_error(client, owner):
    client.force_login(owner)

    html = client.post("/accounts/api-keys/", {"name": "k" * 101}).content.decode()

    assert_described(html, "name", "_error")
    assert "at most 100 characters" in html


def test_a_field_without_help_or_errors_describes_nothing(client, owner):
    client.force_login(owner)

    html = client.get("/accounts/api-keys/").content.decode()

    assert 'name="name"' in html and "name" not in described_inputs(html)
