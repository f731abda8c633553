"""/api/v1/dashboard/stats, /recent and /category-distribution: counted from the user's rows."""

import pytest

from config.jobs import selftest
from config.jobs import services as jobs
from tests.catalog.factories import (
    AnalysisResultFactory,
    DetectedDefectFactory,
    ProductFactory,
    ProductImageFactory,
)

pytestmark = pytest.mark.django_db


def test_stats_count_the_users_catalog(alice, owner, other_user, product, photo_jpeg, batch, queued):
    images = ProductImageFactory.create_batch(2, product=product, data=photo_jpeg)
    for ms in (1000, 1300):
        AnalysisResultFactory(image=images[0], processing_time_ms=ms)
    DetectedDefectFactory(analysis=AnalysisResultFactory(image=images[1], status="failed"))
    batch(alice, product, images)
    ProductFactory(owner=other_user, title="Not Alice's")
    assert alice.get("/api/v1/dashboard/stats").json() == {
        "total_products": 1, "total_images": 2, "completed_analyses": 2, "total_defects": 1, "active_jobs": 1,
        "avg_processing_time_ms": 1150, "duplicate_images": 0,
    }


def test_stats_of_a_new_user_are_zero(alice):
    assert alice.get("/api/v1/dashboard/stats").json() == {
        "total_products": 0, "total_images": 0, "completed_analyses": 0, "total_defects": 0, "active_jobs": 0,
        "avg_processing_time_ms": None, "duplicate_images": 0,
    }


def test_recent_lists_the_latest_catalog_jobs(alice, owner, product, photo_jpeg, batch, queued):
    job_id = batch(alice, product, [ProductImageFactory(product=product, data=photo_jpeg)]).json()["id"]
    jobs.create_job(owner, kind=selftest.KIND, task=selftest.TASK, metered=False)  # not a catalog job
    body = alice.get("/api/v1/dashboard/recent").json()
    assert body == [{"id": job_id, "job_type": "batch", "status": "queued", "total_images": 1,
                     "processed_images": 0, "created_at": body[0]["created_at"], "completed_at": None}]


def test_category_distribution_counts_products_per_category(alice, owner, other_user):
    for title, category in [("TV", "electronics"), ("Radio", "electronics"), ("Shirt", "clothing"),
                            ("Chair", "furniture"), ("Jacket", "clothing"), ("Phone", "electronics"),
                            ("Mystery", "")]:
        ProductFactory(owner=owner, title=title, category=category)
    ProductFactory(owner=other_user, title="Sofa", category="furniture")
    assert alice.get("/api/v1/dashboard/category-distribution").json() == [
        {"category": "electronics", "count": 3}, {"category": "clothing", "count": 2},
        {"category": "furniture", "count": 1},
    ]


@pytest.mark.parametrize("path", ["stats", "recent", "category-distribution"])
def test_the_dashboard_needs_a_token(api, path):
    assert api.get(f"/api/v1/dashboard/{path}").status_code == 401


def test_total_images_counts_only_images_that_arrived(alice, product, photo_jpeg):
    ProductImageFactory(product=product, data=photo_jpeg)
    ProductImageFactory(product=product, upload_status="pending", s3_key="uploads/never-sent.jpg")
    ProductImageFactory(product=product, upload_status="failed", s3_key="uploads/broken.jpg")

    assert alice.get("/api/v1/dashboard/stats").json()["total_images"] == 1
