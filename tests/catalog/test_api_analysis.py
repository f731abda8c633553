"""/api/v1/analysis/{image_id}, its retry, and /api/v1/products/{id}/analysis."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import AnalysisResult, ProductImage
from config.jobs.models import Job
from tests.catalog.factories import (
    AnalysisResultFactory,
    DetectedDefectFactory,
    ExtractedAttributeFactory,
    ProductImageFactory,
)

pytestmark = pytest.mark.django_db

SEED_FIELDS = {"id", "product_image_id", "model_version", "classification_label", "classification_confidence",
               "classification_scores", "description_text", "description_model", "processing_time_ms", "status",
               "error_message", "extracted_attributes", "detected_defects", "created_at", "updated_at"}


@pytest.fixture
def image(product, photo_jpeg):
    return ProductImageFactory(product=product, data=photo_jpeg)


def analysis_of(image: ProductImage, *, label="binder", minutes_ago=0, **fields) -> AnalysisResult:
    analysis = AnalysisResultFactory(
        image=image, classification_label=label, classification_confidence=0.96,
        classification_scores={label: 0.96, "envelope": 0.04}, processing_time_ms=1250,
        created_at=timezone.now() - timedelta(minutes=minutes_ago), **fields)
    ExtractedAttributeFactory(analysis=analysis, attribute_name="color", attribute_value="red", confidence=0.61)
    DetectedDefectFactory(analysis=analysis, defect_type="blur", severity="low", confidence=0.72,
                          bounding_box={"x": 120, "y": 85, "width": 45, "height": 12},
                          description="Part of the product is out of focus.")
    return analysis


def retry(client, image, capture):
    with capture(execute=True):
        return client.post(f"/api/v1/analysis/{image.pk}/retry")


def test_the_latest_analysis_is_returned_in_the_seed_shape(alice, image):
    analysis_of(image, label="envelope", minutes_ago=5)
    latest = analysis_of(image, label="binder")
    response = alice.get(f"/api/v1/analysis/{image.pk}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= SEED_FIELDS
    assert (body["id"], body["product_image_id"], body["classification_label"]) == (str(latest.pk), str(image.pk),
                                                                                    "binder")
    assert body["classification_scores"] == {"binder": 0.96, "envelope": 0.04}
    assert body["description_text"] is None and body["error_message"] is None
    assert [set(a) for a in body["extracted_attributes"]] == [{"id", "attribute_name", "attribute_value",
                                                               "confidence"}]
    assert body["detected_defects"][0]["bounding_box"] == {"x": 120, "y": 85, "width": 45, "height": 12}
    assert set(body["detected_defects"][0]) == {"id", "defect_type", "severity", "confidence", "bounding_box",
                                                "description"}


def test_an_image_without_analysis_is_404(alice, image):
    response = alice.get(f"/api/v1/analysis/{image.pk}")
    assert response.status_code == 404 and response.json() == {"detail": "No analysis result for this image."}


def test_another_users_analysis_is_404(charlie, image):
    analysis_of(image)
    assert charlie.get(f"/api/v1/analysis/{image.pk}").status_code == 404


def test_the_products_analyses_list_every_run_of_every_image(alice, product, image, photo_jpeg):
    second = ProductImageFactory(product=product, data=photo_jpeg, original_filename="back.jpg")
    old = analysis_of(image, minutes_ago=10)
    new = analysis_of(image, minutes_ago=1)
    other = analysis_of(second, minutes_ago=5)
    body = alice.get(f"/api/v1/products/{product.pk}/analysis").json()
    assert [a["id"] for a in body] == [str(new.pk), str(other.pk), str(old.pk)]
    assert set(body[0]) >= SEED_FIELDS


def test_retry_queues_a_new_job_for_the_image(alice, image, queued, owner, django_capture_on_commit_callbacks):
    analysis_of(image)
    response = retry(alice, image, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    body = response.json()
    assert body == {"job_id": body["job_id"], "status": "queued", "message": "Analysis retry started"}
    job = Job.objects.get(pk=body["job_id"])
    assert job.kind == "catalog.single" and queued[0][1] == (str(job.pk),)
    owner.refresh_from_db()
    assert owner.usage_this_cycle == 1


def test_retry_while_the_image_is_queued_or_running_is_409(alice, image, queued, django_capture_on_commit_callbacks):
    assert retry(alice, image, django_capture_on_commit_callbacks).status_code == 200
    response = retry(alice, image, django_capture_on_commit_callbacks)
    assert response.status_code == 409 and "already" in response.json()["detail"]
    from config.jobs import services as jobs

    jobs.claim_job(Job.objects.get().pk)  # now running
    assert retry(alice, image, django_capture_on_commit_callbacks).status_code == 409


def test_retry_of_an_image_not_uploaded_yet_is_422(alice, product, django_capture_on_commit_callbacks):
    pending = ProductImageFactory(product=product, upload_status="pending")
    assert retry(alice, pending, django_capture_on_commit_callbacks).status_code == 422


def test_retry_of_another_users_image_is_404(charlie, image, queued, django_capture_on_commit_callbacks):
    assert retry(charlie, image, django_capture_on_commit_callbacks).status_code == 404 and not queued


def test_retry_with_the_plan_spent_is_403(alice, image, owner, queued, django_capture_on_commit_callbacks):
    owner.monthly_usage_limit = 0
    owner.save()
    response = retry(alice, image, django_capture_on_commit_callbacks)
    assert response.status_code == 403 and not queued and not Job.objects.exists()


def test_the_61st_analysis_request_in_a_minute_is_429(alice, image, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "catalog_analysis": "2/m"}
    analysis_of(image)
    assert alice.get(f"/api/v1/analysis/{image.pk}").status_code == 200
    assert alice.get(f"/api/v1/batch/{image.pk}").status_code == 404  # batch shares the tier
    limited = alice.get(f"/api/v1/analysis/{image.pk}")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


def test_analysis_needs_a_token(api, image):
    assert api.get(f"/api/v1/analysis/{image.pk}").status_code == 401
    assert api.post(f"/api/v1/analysis/{image.pk}/retry").status_code == 401
