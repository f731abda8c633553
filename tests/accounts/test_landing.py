"""The front door: signed-out visitors see what StageCraft does; signed-in users their dashboard."""

import pytest

pytestmark = pytest.mark.django_db

PRODUCTS = ["Virtual staging", "Floor plans", "Catalog checks", "3D designs", "Brand personas"]


def test_a_signed_out_visitor_sees_the_five_products_and_the_way_in(client):
    response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert all(f"<h2>{name}</h2>" in page for name in PRODUCTS)
    assert 'href="/accounts/signup/"' in page and 'href="/accounts/login/"' in page


def test_a_signed_in_user_goes_to_the_dashboard(client, owner):
    client.force_login(owner)

    assert client.get("/").url == "/dashboard/"


def test_every_page_has_a_favicon_and_favicon_ico_answers(client):
    page = client.get("/").content.decode()
    response = client.get("/favicon.ico")

    assert 'rel="icon" href="/static/img/favicon.svg"' in page
    assert response.status_code == 301 and response.url == "/static/img/favicon.svg"
