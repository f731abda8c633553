"""The catalog pages: grid, product, photo upload, re-run, batch with exports, dashboard."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services
from catalog.models import AnalysisResult, BatchItem, Product, ProductImage
from config.jobs.models import Job
from tests.catalog.factories import ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db
# The product form's selects, which a browser always sends.
FEED_SELECTS = {"condition": "new", "availability": "in_stock"}


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def analysed(owner, product, photo_jpeg, queued, run_queued, django_capture_on_commit_callbacks):
    """The product with one photo uploaded through the service and analysed inline."""
    with django_capture_on_commit_callbacks(execute=True):
        image, job = services.upload_direct(owner, product_id=product.pk,
                                            upload=SimpleUploadedFile("front.jpg", photo_jpeg))
    run_queued()
    return image, job


def test_grid_lists_only_the_users_products(signed_in, product, other_user):
    ProductFactory(owner=other_user, title="Someone else's lamp")
    response = signed_in.get("/catalog/")
    assert response.status_code == 200
    assert product.title in response.content.decode()
    assert "Someone else&#x27;s lamp" not in response.content.decode()


def test_grid_filters_by_category_status_and_search(signed_in, owner, product):
    ProductFactory(owner=owner, title="Oak side table", category="furniture", status="active")
    page = signed_in.get("/catalog/", {"category": "furniture"}).content.decode()
    assert "Oak side table" in page and product.title not in page
    page = signed_in.get("/catalog/", {"status": "draft"}).content.decode()
    assert product.title in page and "Oak side table" not in page
    page = signed_in.get("/catalog/", {"search": "oak"}).content.decode()
    assert "Oak side table" in page and product.title not in page


def test_grid_shows_marketplace_badges_of_the_latest_analysis(signed_in, analysed):
    page = signed_in.get("/catalog/").content.decode()
    assert "Amazon" in page and ("✓" in page or "✗" in page)


def test_grid_counts_only_photos_that_arrived(signed_in, product, photo_jpeg):
    ProductImageFactory(product=product, data=photo_jpeg)
    ProductImageFactory(product=product, upload_status="pending", s3_key="uploads/never-sent.jpg")
    ProductImageFactory(product=product, upload_status="failed", s3_key="uploads/broken.jpg")
    page = signed_in.get("/catalog/").content.decode()
    assert "· 1 photo</p>" in page


def test_it_creates_a_product(signed_in, owner):
    response = signed_in.post("/catalog/", {"title": "Linen shirt", "description": "Blue", "category": "clothing",
                                            "status": "draft"})
    product = Product.objects.get(owner=owner, title="Linen shirt")
    assert response.status_code == 302 and response.url == f"/catalog/{product.pk}/"
    assert product.category == "clothing"


def test_create_without_a_title_shows_the_error(signed_in, owner):
    response = signed_in.post("/catalog/", {"title": "", "status": "draft"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Product.objects.filter(owner=owner).exists()


def test_it_edits_a_product(signed_in, product):
    seen = {"title": product.title, "description": product.description, "category": product.category,
             "status": product.status}
    response = signed_in.post(f"/catalog/{product.pk}/", {"title": "Studio headphones", "description": "Closed back",
                                                          "category": "electronics", "status": "active",
                                                          **FEED_SELECTS,
                                                          **{f"initial-{k}": v for k, v in seen.items()}})
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.title, product.description, product.status) == ("Studio headphones", "Closed back", "active")


def test_saving_a_stale_form_keeps_what_the_analysis_set(signed_in, product):
    seen = {"title": product.title, "description": product.description, "category": "", "status": "draft"}
    Product.objects.filter(pk=product.pk).update(category="bags", status="active")  # the pipeline, meanwhile
    response = signed_in.post(f"/catalog/{product.pk}/", {**seen, "title": "Renamed", **FEED_SELECTS,
                                                          **{f"initial-{k}": v for k, v in seen.items()}})
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.title, product.category, product.status) == ("Renamed", "bags", "active")


def test_upload_from_the_page_creates_an_image_and_a_job(signed_in, product, photo_jpeg, queued,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(f"/catalog/{product.pk}/photos", {"file": SimpleUploadedFile("a.jpg", photo_jpeg)},
                                  HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    image = ProductImage.objects.get(pk=body["image_id"], product=product)
    assert image.upload_status == "uploaded"
    assert BatchItem.objects.filter(job_id=body["job_id"], image=image).exists()
    assert [func for func, *_ in queued] == ["catalog.tasks.run_analysis"]


def test_upload_of_a_non_image_is_shown_not_a_500(signed_in, product, queued):
    response = signed_in.post(f"/catalog/{product.pk}/photos", {"file": SimpleUploadedFile("a.jpg", b"not an image")})
    assert response.status_code == 422
    assert "banner-error" in response.content.decode()
    assert not ProductImage.objects.exists()


def test_product_page_shows_the_analysis(signed_in, product, analysed):
    page = signed_in.get(f"/catalog/{product.pk}/").content.decode()
    analysis = AnalysisResult.objects.get(image=analysed[0])
    assert analysis.classification_label in page
    assert "No language model configured." in page
    assert "Re-run analysis" in page
    # Rules as sentences with the measured and the required value, marketplaces spelt their way.
    assert "Longest side is " in page and " px; needs at least 500 px" in page
    assert "eBay" in page and "Ebay" not in page and "main_image_product_fill" not in page


def test_rerun_queues_a_new_job(signed_in, product, analysed, queued):
    image, first = analysed
    response = signed_in.post(f"/catalog/images/{image.pk}/rerun")
    assert response.status_code == 302
    assert Job.objects.filter(catalog_items__image=image).exclude(pk=first.pk).count() == 1


def test_rerun_while_analysing_shows_the_domain_error(signed_in, owner, product, analysed, queued):
    image, _ = analysed
    services.retry_analysis(owner, image_id=image.pk)
    response = signed_in.post(f"/catalog/images/{image.pk}/rerun", follow=True)
    assert "already queued or running" in response.content.decode()


def test_other_users_product_and_batch_pages_are_404(client, other_user, product, analysed):
    _, job = analysed
    client.force_login(other_user)
    assert client.get(f"/catalog/{product.pk}/").status_code == 404
    assert client.post(f"/catalog/{product.pk}/", {"title": "x", "status": "draft"}).status_code == 404
    assert client.get(f"/catalog/batches/{job.pk}/").status_code == 404
    assert client.get(f"/catalog/batches/{job.pk}/export.csv").status_code == 404
    assert client.post(f"/catalog/images/{analysed[0].pk}/rerun").status_code == 404


def test_pages_require_login(client, product):
    assert client.get("/catalog/").status_code == 302
    assert client.get(f"/catalog/{product.pk}/").status_code == 302


def test_batch_page_lists_items(signed_in, analysed):
    _, job = analysed
    page = signed_in.get(f"/catalog/batches/{job.pk}/").content.decode()
    assert "front.jpg" in page and "Export CSV" in page


def test_batch_exports_have_the_analysed_rows(signed_in, analysed):
    image, job = analysed
    label = AnalysisResult.objects.get(image=image).classification_label
    response = signed_in.get(f"/catalog/batches/{job.pk}/export.csv")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["image_id"], r["status"], r["label"]) for r in rows] == [(str(image.pk), "completed", label)]
    body = signed_in.get(f"/catalog/batches/{job.pk}/export.json").json()
    assert body["items"][0]["label"] == label and body["items"][0]["status"] == "completed"


def test_cancel_a_queued_batch(signed_in, owner, product, analysed, queued, django_capture_on_commit_callbacks):
    job = services.retry_analysis(owner, image_id=analysed[0].pk)
    with django_capture_on_commit_callbacks(execute=True):  # the job's on_finish settles it after commit
        assert signed_in.post(f"/catalog/batches/{job.pk}/cancel").status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled"
    page = signed_in.get(f"/catalog/batches/{job.pk}/").content.decode()
    assert "Retry 1 failed photo" in page
    response = signed_in.post(f"/catalog/batches/{job.pk}/retry")
    assert response.status_code == 302 and response.url != f"/catalog/batches/{job.pk}/"


def test_dashboard_renders_counts(signed_in, analysed):
    page = signed_in.get("/catalog/dashboard/").content.decode()
    assert 'data-stat="total_products">1<' in page
    assert 'data-stat="completed_analyses">1<' in page
    assert "Recent jobs" in page
