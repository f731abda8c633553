"""The dashboard: one tile per product with the person's last items and a start action, usage by product."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config import dashboard
from config.accounts.views import RECENT_JOBS
from config.jobs.models import Job
from staging.models import Staging, Style
from tests.catalog.factories import ProductFactory
from tests.designs.factories import DesignVersionFactory
from tests.factories import UserFactory
from tests.floorplans.factories import FloorplanSessionFactory
from tests.personas.factories import CharacterFactory, ContentItemFactory, GenerationJobFactory
from tests.staging.factories import StagingJobFactory

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


def staging(owner, **fields) -> Staging:
    """A staging row as the service leaves it, without the photo work."""
    return Staging.objects.create(owner=owner, job=StagingJobFactory(owner=owner), original_image="x.jpg",
                                  style=Style.objects.first(), **fields)


def test_the_staging_tile_lists_the_persons_stagings_newest_first(page, owner, other_user):
    for name in ("12 Elm St", "3 Birch Ln", "9 Cedar Ave", "40 Pine Rd"):
        staging(owner, property_name=name)
    staging(other_user, property_name="Their flat")

    tile = next(tile for tile in page().context["tiles"] if tile.product == "Virtual staging")

    assert [item.title for item in tile.items] == ["40 Pine Rd", "9 Cedar Ave", "3 Birch Ln"]
    assert all(item.url.startswith("/staging/") for item in tile.items)


def test_every_start_action_opens_its_page(page, client):
    for tile in page().context["tiles"]:
        assert client.get(tile.start_url).status_code == 200, tile.product


def test_a_product_not_used_this_cycle_shows_zero(page, owner):
    DesignVersionFactory(spec__owner=owner)

    html = page().content.decode()

    assert '<span class="usage-figure">1 design versions</span>' in html
    assert '<span class="usage-figure">0 stagings</span>' in html


def test_an_expired_floor_plan_session_is_listed_without_a_link(page, owner):
    session = FloorplanSessionFactory(owner=owner, address="7 Gone Way", expires_at=timezone.now() - timedelta(days=1))

    html = page().content.decode()

    assert "7 Gone Way <small>Expired</small>" in html and f"/floorplans/{session.pk}/" not in html


def test_recent_jobs_link_to_their_object_and_to_their_job_page(page, owner):
    session = FloorplanSessionFactory(owner=owner, address="12 Oak Street")
    mapped = Job.objects.create(owner=owner, kind="floorplans.satellite", task="floorplans.tasks.fetch_satellite",
                                params={"session_id": str(session.pk)}, metered=False)
    publish = Job.objects.create(owner=owner, kind="personas_publish", task="personas.tasks.publish_post",
                                 metered=False)

    html = page().content.decode()

    assert f'<a href="/floorplans/{session.pk}/">Fetching the satellite view at 12 Oak Street</a>' in html
    assert f'<a href="/jobs/{mapped.pk}/">job details</a>' in html
    # A job with no object of its own links to its job page only.
    assert f'<a href="/jobs/{publish.pk}/">Publishing a post</a>' in html


def test_usage_counts_what_took_plan_usage_this_cycle_by_product(page, owner):
    GenerationJobFactory.create_batch(3, owner=owner, metered=True, usage_counted=True)
    GenerationJobFactory(owner=owner, metered=True, usage_counted=False)  # failed: its unit went back
    old = GenerationJobFactory(owner=owner, metered=True, usage_counted=True)
    type(old).objects.filter(pk=old.pk).update(created_at=owner.cycle_started_at - timezone.timedelta(days=1))
    GenerationJobFactory(metered=True, usage_counted=True)  # another person's
    ContentItemFactory(character=CharacterFactory(owner=owner))  # written by hand: no usage
    DesignVersionFactory(spec__owner=owner)

    tiles = {tile.product: tile for tile in page().context["tiles"]}

    assert tiles["Brand characters"].used_this_cycle == 3
    assert tiles["3D designs"].used_this_cycle == 1
    assert tiles["Virtual staging"].used_this_cycle == 0


def test_the_dashboard_costs_a_bounded_number_of_queries(page, owner, django_assert_max_num_queries):
    for _ in range(5):
        staging(owner)
        ProductFactory(owner=owner)
        DesignVersionFactory(spec__owner=owner)
        CharacterFactory(owner=owner)
    for _ in range(RECENT_JOBS):
        session = FloorplanSessionFactory(owner=owner)
        Job.objects.create(owner=owner, kind="floorplans.satellite", task="floorplans.tasks.fetch_satellite",
                           params={"session_id": str(session.pk)}, metered=False)
    # Session, user and job list, two per tile (a count and the last items), then one per recent job to name it.
    with django_assert_max_num_queries(15 + RECENT_JOBS):
        page()


def test_staff_see_the_engines_page_from_the_dashboard(client, staff):
    client.force_login(staff)
    assert 'href="/admin/ai/engines/"' in client.get("/dashboard/").content.decode()


def test_a_tile_is_registered_once():
    before = len(dashboard._tiles)
    dashboard.register(1, dashboard._tiles[0][1])
    assert len(dashboard._tiles) == before
