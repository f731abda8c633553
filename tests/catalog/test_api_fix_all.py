"""POST /api/v1/products/fix: the failing main images of chosen products, or of a batch's, fixed in one job."""

import uuid

import pytest

from catalog.models import ProductImage
from config.jobs.models import Job, JobEvent
from tests.catalog.factories import (
    BatchItemFactory,
    CatalogJobFactory,
    ProductImageFactory,
)
from tests.catalog.main_images import cup_on_wood, main_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def fix_all(django_capture_on_commit_callbacks):
    """POST /api/v1/products/fix with this body; the response (task captured by ``queued``)."""

    def send(client, body):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/api/v1/products/fix", body, format="json")

    return send

def test_only_the_chosen_products_failing_main_images_are_fixed_with_live_progress(
        alice, owner, fix_all, queued, run_queued, labeler_present):
    chosen = main_image(owner, cup_on_wood(), title="Chosen")
    also_chosen = main_image(owner, cup_on_wood(), title="Also chosen")
    passing = main_image(owner, cup_on_wood(), amazon_passes=True, title="Chosen but passing")
    left_out = main_image(owner, cup_on_wood(), title="Failing, not chosen")

    response = fix_all(alice, {"marketplace": "amazon", "product_ids": [
        str(chosen.product_id), str(also_chosen.product_id), str(passing.product_id)]})

    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get(pk=body["job_id"])
    assert body["status"] == "queued" and body["status_url"] == f"http://testserver/api/v1/jobs/{job.pk}"
    assert body["image_ids"] == [str(chosen.pk), str(also_chosen.pk)]
    run_queued()

    job.refresh_from_db()
    assert job.status == "completed", job.error_message
    assert [f["source_image_id"] for f in job.result["fixed"]] == [str(chosen.pk), str(also_chosen.pk)]
    assert set(ProductImage.objects.exclude(fixed_from=None).values_list("fixed_from", flat=True)) == {
        chosen.pk, also_chosen.pk}
    assert not ProductImage.objects.filter(fixed_from__in=[passing, left_out]).exists()
    events = JobEvent.objects.filter(job=job, type="step_update", step="load", status="running")
    assert [(e.completed, e.total) for e in events] == [(0, 2), (1, 2)]
    answered = alice.get(body["status_url"]).json()
    assert answered["job_type"] == "fix_all" and answered["result"] == job.result

def test_a_batch_fixes_the_failing_main_images_of_the_products_it_analysed(alice, owner, fix_all, queued):
    in_batch = main_image(owner, title="In the batch")
    main_image(owner, title="Not in the batch")
    batch = CatalogJobFactory(owner=owner, kind="catalog.batch", status="completed")
    BatchItemFactory(job=batch, image=in_batch)
    BatchItemFactory(job=batch, image=ProductImageFactory(product=in_batch.product))  # a second photo

    response = fix_all(alice, {"marketplace": "amazon", "batch_id": str(batch.pk)})

    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.params["image_ids"] == [str(in_batch.pk)] and job.params["batch_id"] == str(batch.pk)
    assert len(queued) == 1

def test_another_users_products_are_422_naming_them_and_start_nothing(alice, owner, other_user, fix_all, queued):
    mine = main_image(owner)
    theirs = main_image(other_user, title="Not mine")
    missing = uuid.uuid4()

    response = fix_all(alice, {"marketplace": "amazon",
                               "product_ids": [str(mine.product_id), str(theirs.product_id), str(missing)]})

    assert response.status_code == 422
    assert response.json() == {"detail": f"Some product IDs are invalid: {theirs.product_id}, {missing}."}
    assert not Job.objects.filter(kind="catalog.fix_all").exists() and not queued

def test_another_users_batch_is_404(alice, other_user, fix_all, queued):
    theirs = main_image(other_user)
    batch = CatalogJobFactory(owner=other_user, kind="catalog.batch", status="completed")
    BatchItemFactory(job=batch, image=theirs)

    response = fix_all(alice, {"marketplace": "amazon", "batch_id": str(batch.pk)})

    assert response.status_code == 404 and response.json() == {"detail": "Batch not found."} and not queued

def test_a_job_that_is_not_an_analysis_batch_is_404(alice, owner, fix_all, queued):
    image = main_image(owner)
    fix_job = CatalogJobFactory(owner=owner, kind="catalog.fix", status="completed")
    BatchItemFactory(job=fix_job, image=image)

    response = fix_all(alice, {"marketplace": "amazon", "batch_id": str(fix_job.pk)})

    assert response.status_code == 404 and not queued

def test_an_empty_selection_is_422_with_its_message(alice, owner, fix_all, queued):
    main_image(owner)

    response = fix_all(alice, {"marketplace": "amazon", "product_ids": []})

    assert response.status_code == 422 and response.json() == {"detail": "Choose at least one product."}
    assert not queued

def test_no_selection_at_all_is_422(alice, owner, fix_all, queued):
    main_image(owner)

    response = fix_all(alice, {"marketplace": "amazon"})

    assert response.status_code == 422 and "product_ids or batch_id" in str(response.json()["detail"])
    assert not queued

def test_both_products_and_a_batch_is_422(alice, owner, fix_all, queued):
    image = main_image(owner)
    batch = CatalogJobFactory(owner=owner, kind="catalog.batch", status="completed")

    response = fix_all(alice, {"marketplace": "amazon", "product_ids": [str(image.product_id)],
                               "batch_id": str(batch.pk)})

    assert response.status_code == 422 and response.json() == {"detail": "Give product_ids or batch_id, not both."}
    assert not queued

@pytest.mark.parametrize("body", [{"marketplace": "etsy"}, {"marketplace": None}, {}])
def test_an_unknown_or_missing_marketplace_is_422(alice, owner, fix_all, queued, body):
    image = main_image(owner)

    response = fix_all(alice, {**body, "product_ids": [str(image.product_id)]})

    assert response.status_code == 422 and "marketplace" in str(response.json()["detail"])
    assert not queued

def test_chosen_products_with_nothing_failing_is_422(alice, owner, fix_all, queued):
    passing = main_image(owner, amazon_passes=True)

    response = fix_all(alice, {"marketplace": "amazon", "product_ids": [str(passing.product_id)]})

    assert response.status_code == 422 and response.json() == {
        "detail": "No analysed main image fails this marketplace's rules."}
    assert not queued

def test_a_malformed_product_id_is_422(alice, fix_all, queued):
    response = fix_all(alice, {"marketplace": "amazon", "product_ids": ["not-a-uuid"]})

    assert response.status_code == 422 and "product_ids" in str(response.json()["detail"]) and not queued

def test_it_needs_credentials(fix_all):
    from rest_framework.test import APIClient

    assert fix_all(APIClient(), {"marketplace": "amazon", "product_ids": [str(uuid.uuid4())]}).status_code == 401

def test_a_shadow_asked_for_every_photo_reaches_each_fix(alice, owner, fix_all, queued, run_queued, monkeypatch,
                                                         labeler_present):
    from catalog import fixing

    asked = []
    real = fixing.fix_main_image
    monkeypatch.setattr(fixing, "fix_main_image", lambda *a, **kw: asked.append(kw["shadow"]) or real(*a, **kw))
    images = [main_image(owner, cup_on_wood(), title=f"Cup {n}") for n in range(2)]

    fix_all(alice, {"marketplace": "amazon", "shadow": True, "product_ids": [str(i.product_id) for i in images]})
    assert Job.objects.get(kind="catalog.fix_all").params["shadow"] is True
    run_queued()

    assert asked == [True, True]
