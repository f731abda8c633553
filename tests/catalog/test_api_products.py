"""/api/v1/products: list (filters, search, pages), create, get, patch, delete; the shared error codes."""

import pytest
from django.core.files.storage import default_storage

from catalog.models import AnalysisResult, Product, ProductImage
from tests.catalog.factories import AnalysisResultFactory, ProductFactory

pytestmark = pytest.mark.django_db

# Seed 001's fields, unchanged, and the additions the product feeds need.
PRODUCT_FIELDS = {"id", "user_id", "title", "description", "category", "subcategory", "ai_description", "status",
                  "metadata_", "images", "created_at", "updated_at",
                  "price", "currency", "brand", "gtin", "mpn", "condition", "availability", "link",
                  "google_product_category", "shopify_product_category"}
IMAGE_FIELDS = {"id", "s3_key", "original_filename", "content_type", "file_size_bytes", "width", "height",
                "is_primary", "upload_status", "created_at"}


def create(client, **body):
    return client.post("/api/v1/products", {"title": "Wireless Bluetooth Headphones", **body}, format="json")


def test_create_answers_201_with_the_full_product(alice, owner):
    response = create(alice, description="Premium over-ear headphones with ANC.", category="electronics")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == PRODUCT_FIELDS
    assert body["user_id"] == str(owner.pk) and body["status"] == "draft" and body["ai_description"] is None
    assert body["metadata_"] == {} and body["images"] == [] and body["created_at"].endswith("Z")
    assert Product.objects.get(pk=body["id"]).owner == owner


def test_create_without_a_title_is_422(alice):
    response = alice.post("/api/v1/products", {"description": "no title"}, format="json")
    assert response.status_code == 422
    assert response.json() == {"detail": "title: This field is required."}


def test_a_malformed_body_is_400(alice):
    response = alice.post("/api/v1/products", "{not json", content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"detail"}


def test_no_token_is_401(api):
    response = api.get("/api/v1/products")
    assert response.status_code == 401 and set(response.json()) == {"detail"}


def test_an_expired_or_forged_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert api.get("/api/v1/products").status_code == 401


def test_the_list_pages_through_the_users_products_only(alice, owner, other_user):
    for n in range(5):
        ProductFactory(owner=owner, title=f"Mug {n}")
    ProductFactory(owner=other_user, title="Someone else's mug")
    body = alice.get("/api/v1/products?page=2&page_size=2").json()
    assert (body["total"], body["page"], body["page_size"], body["pages"]) == (5, 2, 2, 3)
    assert [item["title"] for item in body["items"]] == ["Mug 2", "Mug 1"]  # newest first
    assert set(body["items"][0]) == PRODUCT_FIELDS


def test_an_empty_list_has_no_pages(alice):
    assert alice.get("/api/v1/products").json() == {"items": [], "total": 0, "page": 1, "page_size": 20, "pages": 0}


@pytest.mark.parametrize("query", ["page_size=0", "page_size=101", "page=0", "page=x", "status=deleted"])
def test_bad_list_parameters_are_422(alice, query):
    response = alice.get(f"/api/v1/products?{query}")
    assert response.status_code == 422 and set(response.json()) == {"detail"}


def test_the_list_filters_by_category_and_status(alice, owner):
    ProductFactory(owner=owner, title="Sneaker", category="footwear", status="active")
    ProductFactory(owner=owner, title="Boot", category="footwear")
    ProductFactory(owner=owner, title="Lamp", category="furniture", status="active")
    titles = [p["title"] for p in alice.get("/api/v1/products?category=footwear&status=active").json()["items"]]
    assert titles == ["Sneaker"]


def test_a_blank_status_is_no_filter(alice, owner):
    # The schema lists "" among the statuses: a form's empty select sends it.
    ProductFactory(owner=owner, title="Sneaker", status="active")
    ProductFactory(owner=owner, title="Boot")
    assert alice.get("/api/v1/products?status=").json()["total"] == 2


def test_search_finds_words_in_title_and_description(alice, owner):
    ProductFactory(owner=owner, title="Wireless Bluetooth Headphones", description="Over-ear, noise cancelling")
    ProductFactory(owner=owner, title="Desk lamp", description="Warm light for reading at night")
    ProductFactory(owner=owner, title="Coffee mug", description="Stoneware")
    assert [p["title"] for p in alice.get("/api/v1/products?search=headphones").json()["items"]] == [
        "Wireless Bluetooth Headphones"]
    assert [p["title"] for p in alice.get("/api/v1/products?search=reading").json()["items"]] == ["Desk lamp"]
    assert alice.get("/api/v1/products?search=teapot").json()["total"] == 0


def test_get_returns_the_product_with_its_images(alice, product, photo_jpeg, upload):
    upload(alice, product, photo_jpeg, "headphones_front.jpg")
    body = alice.get(f"/api/v1/products/{product.pk}").json()
    assert set(body) == PRODUCT_FIELDS and len(body["images"]) == 1
    image = body["images"][0]
    assert set(image) >= IMAGE_FIELDS
    assert image["original_filename"] == "headphones_front.jpg" and image["is_primary"] is True
    assert (image["width"], image["height"], image["upload_status"]) == (640, 640, "uploaded")


def test_another_users_product_is_404_for_every_method(charlie, product):
    url = f"/api/v1/products/{product.pk}"
    assert charlie.get(url).status_code == 404
    assert charlie.patch(url, {"title": "Mine now"}, format="json").status_code == 404
    assert charlie.delete(url).status_code == 404
    assert charlie.get(f"{url}/analysis").status_code == 404
    assert charlie.get(url).json() == {"detail": "Product not found."}
    product.refresh_from_db()
    assert product.title == "Wireless Bluetooth Headphones"


def test_patch_changes_only_the_fields_sent(alice, product):
    response = alice.patch(f"/api/v1/products/{product.pk}", {"title": "Updated Title", "status": "active"},
                           format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["status"], body["category"]) == ("Updated Title", "active", "electronics")
    assert body["description"] == "Premium over-ear headphones with ANC."


def test_patch_with_an_unknown_status_is_422(alice, product):
    assert alice.patch(f"/api/v1/products/{product.pk}", {"status": "gone"}, format="json").status_code == 422


def test_delete_is_204_and_removes_images_analyses_and_files(alice, product, photo_jpeg, upload,
                                                            django_capture_on_commit_callbacks):
    image_id = upload(alice, product, photo_jpeg)["image_id"]
    image = ProductImage.objects.get(pk=image_id)
    AnalysisResultFactory(image=image)
    assert default_storage.exists(image.s3_key)
    with django_capture_on_commit_callbacks(execute=True):  # files go once the delete commits
        response = alice.delete(f"/api/v1/products/{product.pk}")
    assert response.status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()
    assert not ProductImage.objects.exists() and not AnalysisResult.objects.exists()
    assert not default_storage.exists(image.s3_key)
    assert alice.get(f"/api/v1/products/{product.pk}").status_code == 404


def test_deleting_a_product_cancels_its_queued_job_and_gives_the_unit_back(alice, product, photo_jpeg, upload,
                                                                         owner):
    from config.jobs.models import Job

    job_id = upload(alice, product, photo_jpeg)["job_id"]
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1
    alice.delete(f"/api/v1/products/{product.pk}")
    assert Job.objects.get(pk=job_id).status == "cancelled"
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 0


def test_the_121st_read_in_a_minute_is_429_with_retry_after(alice, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "catalog_read": "3/m"}
    answers = [alice.get("/api/v1/products") for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 200]
    # The tier is shared: a product write counts against the same budget.
    limited = create(alice)
    assert limited.status_code == 429 and limited.json() == {"detail": "Rate limit exceeded."}
    assert int(limited["Retry-After"]) > 0 and limited["X-RateLimit-Limit"] == "3"


def test_read_limits_are_per_user(alice, charlie, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "catalog_read": "1/m"}
    assert alice.get("/api/v1/products").status_code == 200
    assert alice.get("/api/v1/products").status_code == 429
    assert charlie.get("/api/v1/products").status_code == 200


def test_an_unexpected_failure_is_500_revealing_nothing(alice, monkeypatch):
    from catalog import selectors

    monkeypatch.setattr(selectors, "products_for", lambda *a, **k: 1 / 0)
    response = alice.get("/api/v1/products")
    assert response.status_code == 500
    assert response.json() == {"detail": "An internal error occurred."}
