"""The dashboard: one tile per product with the person's last items and a start action, usage by product."""

import pytest
from django.utils import timezone

from config import dashboard
from tests.catalog.factories import ProductFactory
from tests.designs.factories import DesignVersionFactory
from tests.factories import UserFactory
from tests.floorplans.factories import FloorplanSessionFactory
from tests.personas.factories import CharacterFactory, ContentItemFactory

pytestmark = pytest.mark.django_db

PRODUCTS = ["Virtual staging", "Floor plans", "Product catalog", "3D designs", "Brand characters"]


@pytest.fixture
def page(client, owner):
    client.force_login(owner)

    def get():
        response = client.get("/dashboard/")
        assert response.status_code == 200
        return response

    return get


def test_every_product_has_a_tile_with_a_start_action(page):
    response = page()

    tiles = response.context["tiles"]
    assert [tile.product for tile in tiles] == PRODUCTS
    html = response.content.decode()
    for tile in tiles:
        assert f'href="{tile.start_url}"' in html and tile.start_label in html
    assert html.count("Nothing here yet.") == 5


def test_tiles_show_the_persons_last_items_and_not_anyone_elses(page, owner):
    ProductFactory(owner=owner, title="Walnut side table")
    FloorplanSessionFactory(owner=owner, address="12 Harbour View Rd")
    DesignVersionFactory(spec__owner=owner, spec__name="Oak desk")
    CharacterFactory(owner=owner, name="Maya Rivers")
    stranger = UserFactory()
    ProductFactory(owner=stranger, title="Someone else's lamp")
    CharacterFactory(owner=stranger, name="Not Mine")

    html = page().content.decode()

    for title in ("Walnut side table", "12 Harbour View Rd", "Oak desk", "Maya Rivers"):
        assert title in html
    assert "Someone else" not in html and "Not Mine" not in html


def test_usage_is_counted_by_product_since_the_cycle_began(page, owner):
    character = CharacterFactory(owner=owner)
    ContentItemFactory.create_batch(3, character=character)
    old = ContentItemFactory(character=character)
    type(old).objects.filter(pk=old.pk).update(created_at=owner.cycle_started_at - timezone.timedelta(days=1))
    DesignVersionFactory(spec__owner=owner)
    ContentItemFactory(character=CharacterFactory())  # another person's

    tiles = {tile.product: tile for tile in page().context["tiles"]}

    assert tiles["Brand characters"].used_this_cycle == 3
    assert tiles["3D designs"].used_this_cycle == 1
    assert tiles["Virtual staging"].used_this_cycle == 0


def test_the_dashboard_costs_a_bounded_number_of_queries(page, owner, django_assert_max_num_queries):
    for _ in range(5):
        ProductFactory(owner=owner)
        FloorplanSessionFactory(owner=owner)
        DesignVersionFactory(spec__owner=owner)
        CharacterFactory(owner=owner)
    with django_assert_max_num_queries(20):
        page()


def test_staff_see_the_engines_page_from_the_dashboard(client, staff):
    client.force_login(staff)
    assert 'href="/admin/ai/engines/"' in client.get("/dashboard/").content.decode()


def test_a_tile_is_registered_once():
    before = len(dashboard._tiles)
    dashboard.register(1, dashboard._tiles[0][1])
    assert len(dashboard._tiles) == before
