"""Fix all failing main images: one job over the user's failing primary photos, one photo after another."""

import pytest
from PIL import Image

from catalog.models import ProductImage
from config.jobs.models import Job, JobEvent
from tests.catalog.conftest import encoded
from tests.catalog.factories import (
    BatchItemFactory,
    CatalogJobFactory,
    ProductImageFactory,
)
from tests.catalog.main_images import cup_on_wood, main_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def start(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)

    def post(marketplace: str = "amazon", **choice):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/catalog/fix-failing", {"marketplace": marketplace, **choice})

    return post

def test_the_product_list_has_the_fix_all_button(client, owner, product):
    client.force_login(owner)

    page = client.get("/catalog/").content.decode()

    assert 'action="/catalog/fix-failing"' in page and "Fix all failing main images" in page

def test_only_failing_main_images_are_fixed_each_with_its_own_steps_and_live_progress(
        start, owner, other_user, queued, run_queued, labeler_present):
    failing = main_image(owner, cup_on_wood(), amazon_passes=False, title="Cup A")
    blank = main_image(owner, encoded(Image.new("RGB", (800, 600), "white")), amazon_passes=False, title="Blank")
    passing = main_image(owner, cup_on_wood(), amazon_passes=True, title="Cup B")
    strangers = main_image(other_user, cup_on_wood(), amazon_passes=False, title="Not mine")

    response = start()
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.params["image_ids"] == [str(failing.pk), str(blank.pk)]
    run_queued()

    job.refresh_from_db()
    assert job.status == "completed", job.error_message
    assert [f["source_image_id"] for f in job.result["fixed"]] == [str(failing.pk)]
    assert [(f["source_image_id"], f["code"]) for f in job.result["failed"]] == [
        (str(blank.pk), "NO_PRODUCT_TO_CUT_OUT")]
    fixed = ProductImage.objects.get(pk=job.result["fixed"][0]["image_id"])
    assert (fixed.fixed_from, fixed.fixed_for) == (failing, "amazon")
    assert not ProductImage.objects.filter(fixed_from__in=[passing, strangers]).exists()
    # Per-photo steps; the live stream counts photos.
    events = JobEvent.objects.filter(job=job, type="step_update")
    assert {("fix", str(failing.pk)), ("fix", str(blank.pk)), ("store", str(failing.pk))} <= {
        (e.step, e.item) for e in events}
    assert [(e.completed, e.total) for e in events.filter(step="load", status="running")] == [(0, 2), (1, 2)]

def test_a_list_whose_every_photo_fails_fails_the_job(start, owner, queued, run_queued):
    main_image(owner, encoded(Image.new("RGB", (800, 600), "white")), amazon_passes=False)

    start()
    run_queued()

    job = Job.objects.get()
    assert (job.status, job.error_code) == ("failed", "ANALYSIS_FAILED")

def test_nothing_failing_says_so_and_starts_nothing(start, owner, queued):
    main_image(owner, b"", amazon_passes=True)

    response = start()

    assert response.status_code == 302 and response["Location"] == "/catalog/"
    assert not Job.objects.exists() and not queued

def test_a_photo_already_fixed_for_the_marketplace_is_left_out(start, owner, queued):
    source = main_image(owner, b"", amazon_passes=False)
    ProductImageFactory(product=source.product, fixed_from=source, fixed_for="amazon")

    start("amazon")
    assert not Job.objects.exists()
    start("ebay")  # no eBay check failed either
    assert not Job.objects.exists()

def test_an_unknown_marketplace_starts_nothing(start, owner, queued):
    main_image(owner, b"", amazon_passes=False)

    assert start("etsy")["Location"] == "/catalog/" and not Job.objects.exists()

def test_each_product_of_the_list_has_a_checkbox_for_the_fix_of_selected_products(client, owner, product):
    client.force_login(owner)

    page = client.get("/catalog/").content.decode()

    assert f'name="product_ids" value="{product.pk}" form="fix-all-form"' in page
    assert 'name="scope" value="selected"' in page

def test_the_selected_products_only_are_fixed(start, owner, queued):
    chosen = main_image(owner, b"", amazon_passes=False, title="Chosen")
    main_image(owner, b"", amazon_passes=False, title="Not chosen")

    response = start(scope="selected", product_ids=[str(chosen.product_id)])

    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.params["image_ids"] == [str(chosen.pk)] and job.params["product_ids"] == [str(chosen.product_id)]

def test_fixing_selected_products_with_none_ticked_says_so(start, owner, queued):
    main_image(owner, b"", amazon_passes=False)

    response = start(scope="selected")

    assert response["Location"] == "/catalog/" and not Job.objects.exists()
    messages = [m.message for m in response.wsgi_request._messages]
    assert messages == ["Choose at least one product."]

def test_a_finished_batch_page_offers_the_fix_of_its_products(client, owner):
    image = main_image(owner, b"", amazon_passes=False)
    batch = CatalogJobFactory(owner=owner, kind="catalog.batch", status="completed")
    BatchItemFactory(job=batch, image=image)
    client.force_login(owner)

    page = client.get(f"/catalog/batches/{batch.pk}/").content.decode()

    assert f'name="batch_id" value="{batch.pk}"' in page and "Fix failing main images of this batch" in page

def test_the_batch_form_fixes_the_batch_products_only(start, owner, queued):
    image = main_image(owner, b"", amazon_passes=False, title="In the batch")
    main_image(owner, b"", amazon_passes=False, title="Elsewhere")
    batch = CatalogJobFactory(owner=owner, kind="catalog.batch", status="completed")
    BatchItemFactory(job=batch, image=image)

    response = start(batch_id=str(batch.pk))

    job = Job.objects.get(kind="catalog.fix_all")
    assert response["Location"] == f"/jobs/{job.pk}/" and job.params["image_ids"] == [str(image.pk)]

def test_another_users_batch_is_404_on_the_page(start, other_user, queued):
    batch = CatalogJobFactory(owner=other_user, kind="catalog.batch", status="completed")
    BatchItemFactory(job=batch, image=main_image(other_user, b"", amazon_passes=False))

    assert start(batch_id=str(batch.pk)).status_code == 404 and not queued

def test_the_job_page_names_what_was_chosen(client, start, owner, queued):
    chosen = main_image(owner, b"", amazon_passes=False, title="Chosen")
    batched = main_image(owner, b"", amazon_passes=False, title="Batched")
    batch = CatalogJobFactory(owner=owner, kind="catalog.batch", status="completed")
    BatchItemFactory(job=batch, image=batched)

    by_list = start(scope="selected", product_ids=[str(chosen.product_id)])
    by_batch = start(batch_id=str(batch.pk))

    listed = client.get(by_list["Location"]).content.decode()
    assert "Fixing failing main images for Amazon of 1 chosen product" in listed
    page = client.get(by_batch["Location"]).content.decode()
    assert "Fixing failing main images for Amazon of a batch&#x27;s products" in page
    assert f"/catalog/batches/{batch.pk}/" in page
