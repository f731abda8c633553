"""The catalog pipeline in process: drawn product photos through the inline worker, one image and batches."""

import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from catalog import pipeline, services
from catalog.models import AnalysisResult, BatchItem, Product, ProductImage
from config.ai.imagenet_classes import IMAGENET_CLASSES
from config.jobs import services as jobs
from config.jobs.models import Job, JobStep
from tests.ai.test_ai_llm_openai import completion, openai_settings
from tests.catalog.conftest import encoded, events_of
from tests.catalog.drawn import product_photo
from tests.catalog.factories import ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db

STEPS = ["preprocess", "classify", "categorize", "measure", "defects", "compliance", "describe"]
COPY = {"title": "Red storage box with printed label", "description": "A red box with a cream label panel.",
        "tags": ["Red Box", "storage", "storage", "label"], "alt_text": "A red box on a white background."}


def analysed(client, product, data, upload, run_queued, name="photo.jpg") -> tuple[ProductImage, Job]:
    body = upload(client, product, data, name)
    run_queued()
    return ProductImage.objects.get(pk=body["image_id"]), Job.objects.get(pk=body["job_id"])


def usage(user) -> int:
    user.refresh_from_db()
    return user.usage_this_cycle


def test_a_drawn_product_photo_is_analysed_from_its_pixels(alice, product, photo_jpeg, upload, run_queued, owner,
                                                           labeler_present):
    image, job = analysed(alice, product, photo_jpeg, upload, run_queued)
    assert job.status == "completed" and job.result == {"total_images": 1, "processed_images": 1,
                                                        "failed_images": 0}
    analysis = AnalysisResult.objects.get(image=image)
    assert analysis.status == "completed" and analysis.job == job and analysis.error_message is None
    # Classification: the labeler's five best ImageNet labels, the first one chosen.
    scores = analysis.classification_scores
    assert len(scores) == 5 and set(scores) <= set(IMAGENET_CLASSES)
    assert analysis.classification_label == max(scores, key=scores.get)
    assert analysis.classification_confidence == max(scores.values())
    assert analysis.category and analysis.category_method in ("embedding", "fallback")
    # Measurements of what was drawn: a 448 px box centred on 640 px of white.
    m = analysis.measurements
    assert (m["width"], m["height"], m["background_is_white"]) == (640, 640, True)
    box = m["foreground_box"]
    assert abs(box["x"] - 96) <= 4 and abs(box["width"] - 448) <= 8 and abs(m["fill_ratio"] - 0.7) < 0.02
    attributes = {(a.attribute_name, a.attribute_value) for a in analysis.attributes.all()}
    assert ("background", "white") in attributes and ("color", "red") in attributes
    assert ("object", analysis.classification_label) in attributes
    # 640 px is below Amazon's 1000 px zoom size: the defect and the failed rule say so.
    assert "low_resolution" in set(analysis.defects.values_list("defect_type", flat=True))
    checks = {(c.marketplace, c.rule): c for c in analysis.compliance_checks.all()}
    assert checks[("amazon", "zoom_longest_side")].passed is False
    assert checks[("amazon", "main_image_white_background")].passed is True
    # No language model configured: the text stays empty and the step says why.
    assert analysis.describe_status == "not_configured"
    assert analysis.description_text is None and analysis.title is None and analysis.alt_text is None
    assert analysis.processing_time_ms > 0 and analysis.model_version.startswith("catalog-1")
    assert usage(owner) == 1


def test_each_step_reports_running_then_completed_with_the_image_id_then_the_job_completes(
        alice, product, photo_jpeg, upload, run_queued, labeler_present):
    image, job = analysed(alice, product, photo_jpeg, upload, run_queued)
    events = events_of(job.pk)
    assert [e["type"] for e in events[:2]] == ["job_queued", "job_started"] and events[-1]["type"] == "job_complete"
    updates = [e for e in events if e["type"] == "step_update"]
    assert [(e["step"], e["status"]) for e in updates] == [(s, status) for s in STEPS
                                                          for status in ("running", "completed")]
    assert {e["image_id"] for e in updates} == {str(image.pk)}
    # Progress counts images (seed 001), not steps: the one image is done when its last step is.
    assert [e["progress"]["completed"] for e in updates if e["status"] == "completed"] == [0] * 6 + [1]
    assert {e["progress"]["total"] for e in updates} == {1}
    classify = next(e for e in updates if e["step"] == "classify" and e["status"] == "completed")
    assert set(classify["data"]) == {"classification_label", "confidence"}
    describe = next(e for e in updates if e["step"] == "describe" and e["status"] == "completed")
    assert describe["data"] == {"status": "not_configured"}
    assert events[-1]["data"] == {"total_images": 1, "processed_images": 1, "failed_images": 0}


def test_the_thumbnail_and_web_copy_are_stored_and_never_upscaled(alice, product, upload, run_queued,
                                                                  labeler_present):
    data = encoded(product_photo((2000, 1000), fill=0.6), quality=90)
    image, _ = analysed(alice, product, data, upload, run_queued)
    thumbnail = Image.open(default_storage.open(image.thumbnail.name))
    web = Image.open(default_storage.open(image.web_image.name))
    assert thumbnail.size == (400, 200) and web.size == (1600, 800)
    assert image.thumbnail.name == f"products/{product.owner_id}/{product.pk}/{image.pk}_thumb.jpg"
    small, _ = analysed(alice, product, encoded(product_photo((300, 200))), upload, run_queued)
    assert Image.open(default_storage.open(small.web_image.name)).size == (300, 200)


def test_a_transparent_png_is_analysed_on_white(alice, product, upload, run_queued, labeler_present):
    cut_out = product_photo((500, 500), fill=0.6).convert("RGBA")
    pixels = cut_out.load()
    for x in range(500):
        for y in range(500):
            if pixels[x, y][:3] == (255, 255, 255):
                pixels[x, y] = (0, 0, 0, 0)
    image, job = analysed(alice, product, encoded(cut_out, "PNG"), upload, run_queued, "cutout.png")
    assert job.status == "completed"
    assert AnalysisResult.objects.get(image=image).measurements["background_is_white"] is True


def test_with_a_language_model_the_describe_step_writes_the_copy(alice, product, photo_jpeg, upload, run_queued,
                                                                stand_in, labeler_present):
    stand_in.reply(completion(json.dumps(COPY)))
    with openai_settings(stand_in.url):
        image, job = analysed(alice, product, photo_jpeg, upload, run_queued)
    analysis = AnalysisResult.objects.get(image=image)
    assert analysis.describe_status == "completed" and analysis.description_model == "gpt-test"
    assert (analysis.title, analysis.description_text, analysis.alt_text) == (
        COPY["title"], COPY["description"], COPY["alt_text"])
    assert analysis.tags == ["red box", "storage", "label"]
    product.refresh_from_db()
    assert product.ai_description == COPY["description"]
    # The model was told what the pipeline measured, so its copy cannot contradict it.
    sent = json.dumps(stand_in.requests[0].body)
    assert analysis.classification_label in sent and "640" in sent
    step = JobStep.objects.get(job=job, name="describe")
    assert step.result_data["status"] == "completed" and step.result_data["model"] == "gpt-test"


def test_a_language_model_failure_fails_only_the_describe_step(alice, product, photo_jpeg, upload, run_queued,
                                                              stand_in, labeler_present):
    stand_in.reply(completion("not json"))
    stand_in.reply(completion("still not json"))
    with openai_settings(stand_in.url):
        image, job = analysed(alice, product, photo_jpeg, upload, run_queued)
    analysis = AnalysisResult.objects.get(image=image)
    assert job.status == "completed" and analysis.status == "completed"
    assert analysis.describe_status == "failed" and analysis.description_text is None
    assert analysis.classification_label and analysis.compliance_checks.exists()
    assert JobStep.objects.get(job=job, name="describe").status == "failed"


def test_an_analysis_fills_a_missing_category_and_leaves_the_status_to_the_owner(alice, owner, photo_jpeg, upload,
                                                                                  run_queued, labeler_present):
    product = ProductFactory(owner=owner)
    upload(alice, product, photo_jpeg)
    product.refresh_from_db()
    assert product.status == "draft"
    run_queued()
    product.refresh_from_db()
    analysis = AnalysisResult.objects.get(status="completed")
    assert (product.status, product.category, product.subcategory) == ("draft", analysis.category,
                                                                       analysis.subcategory)


def test_an_analysis_leaves_an_archived_product_archived(alice, owner, photo_jpeg, upload, run_queued,
                                                         labeler_present):
    product = ProductFactory(owner=owner, status="archived")
    upload(alice, product, photo_jpeg)
    run_queued()
    product.refresh_from_db()
    assert AnalysisResult.objects.get().status == "completed" and product.status == "archived"


def test_a_batch_with_a_bad_image_completes_with_that_image_failed(alice, product, photo_jpeg, batch,
                                                                  run_queued, owner, labeler_present):
    images = ProductImageFactory.create_batch(3, product=product, data=photo_jpeg)
    # Bytes that changed in storage after the upload was checked.
    default_storage.delete(images[1].s3_key)
    default_storage.save(images[1].s3_key, ContentFile(b"\xff\xd8\xff\xe0 truncated"))
    response = batch(alice, product, images)
    assert response.status_code == 201
    assert usage(owner) == 3
    run_queued()
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == "completed"
    body = alice.get(f"/api/v1/batch/{job.pk}").json()
    assert (body["total_images"], body["processed_images"], body["failed_images"]) == (3, 2, 1)
    statuses = [AnalysisResult.objects.get(image=image).status for image in images]
    assert statuses == ["completed", "failed", "completed"]
    bad = AnalysisResult.objects.get(image=images[1])
    assert bad.error_message == "The stored file is not a decodable image."
    assert usage(owner) == 2  # the failed image gave its unit back
    events = events_of(job.pk)
    failed = [e for e in events if e["status"] == "failed"]
    assert [(e["step"], e["image_id"]) for e in failed] == [("preprocess", str(images[1].pk))]
    assert events[-1]["type"] == "job_complete" and events[-1]["data"]["failed_images"] == 1
    # The third image ran after the second failed.
    assert events.index(failed[0]) < next(i for i, e in enumerate(events) if e["image_id"] == str(images[2].pk))


def test_websocket_progress_counts_images_not_steps(alice, product, photo_jpeg, batch, run_queued, labeler_present):
    images = ProductImageFactory.create_batch(3, product=product, data=photo_jpeg)
    job_id = batch(alice, product, images).json()["id"]
    run_queued()

    updates = [e for e in events_of(job_id) if e["type"] == "step_update"]
    assert {e["progress"]["total"] for e in updates} == {3}
    for position, image in enumerate(images):
        mine = [e for e in updates if e["image_id"] == str(image.pk)]
        # Every event of the image counts the images before it, until its last step completes it.
        assert [e["progress"]["completed"] for e in mine] == [position] * 13 + [position + 1]
    fractions = [e["fraction"] for e in updates]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert updates[13]["fraction"] == round(1 / 3, 4)  # the first image's last step: one image of three


def test_a_failed_image_counts_as_done_in_the_progress(alice, product, photo_jpeg, batch, run_queued,
                                                       labeler_present):
    images = ProductImageFactory.create_batch(3, product=product, data=photo_jpeg)
    default_storage.delete(images[0].s3_key)
    default_storage.save(images[0].s3_key, ContentFile(b"\xff\xd8\xff\xe0 truncated"))
    job_id = batch(alice, product, images).json()["id"]
    run_queued()

    updates = [e for e in events_of(job_id) if e["type"] == "step_update"]
    assert [(e["step"], e["status"], e["progress"]) for e in updates if e["image_id"] == str(images[0].pk)] == [
        ("preprocess", "running", {"completed": 0, "total": 3}), ("preprocess", "failed", {"completed": 1, "total": 3})]
    assert {e["progress"]["completed"] for e in updates if e["image_id"] == str(images[1].pk)} == {1, 2}
    assert updates[-1]["progress"] == {"completed": 3, "total": 3}


def test_a_batch_where_every_image_fails_is_failed_and_costs_nothing(alice, product, batch,
                                                                     run_queued, owner):
    images = ProductImageFactory.create_batch(2, product=product, data=b"not an image at all")
    job_id = batch(alice, product, images).json()["id"]
    run_queued()
    job = Job.objects.get(pk=job_id)
    assert (job.status, job.error_code) == ("failed", "ANALYSIS_FAILED")
    assert events_of(job_id)[-1]["type"] == "job_failed"
    assert usage(owner) == 0
    assert alice.get(f"/api/v1/jobs/{job_id}").json()["error_message"].startswith("All 2 image(s) failed")


def test_without_local_models_every_image_fails_with_the_engines_reason(alice, product, photo_jpeg, upload,
                                                                        run_queued, settings, owner):
    settings.AI_LOCAL_MODELS = False
    image, job = analysed(alice, product, photo_jpeg, upload, run_queued)
    assert job.status == "failed"
    assert "AI_LOCAL_MODELS" in AnalysisResult.objects.get(image=image).error_message
    assert JobStep.objects.get(job=job, name="classify").status == "failed"
    assert usage(owner) == 0


def test_cancelling_mid_batch_stops_the_images_not_started(alice, product, photo_jpeg, batch,
                                                           run_queued, owner, monkeypatch, labeler_present):
    images = ProductImageFactory.create_batch(3, product=product, data=photo_jpeg)
    job_id = batch(alice, product, images).json()["id"]
    analyse_item = pipeline.analyse_item

    def cancel_after_the_first(job, item, **kwargs):
        analyse_item(job, item, **kwargs)
        if item.position == 0:
            assert alice.delete(f"/api/v1/batch/{job.pk}").status_code == 204

    monkeypatch.setattr(pipeline, "analyse_item", cancel_after_the_first)
    run_queued()
    job = Job.objects.get(pk=job_id)
    assert job.status == "cancelled"
    assert [item.status for item in BatchItem.objects.filter(job=job)] == ["completed", "cancelled", "cancelled"]
    assert not AnalysisResult.objects.filter(image__in=images[1:]).exists()
    events = events_of(job_id)
    assert events[-1]["type"] == "job_cancelled"
    assert not [e for e in events if e["image_id"] in (str(images[1].pk), str(images[2].pk))]
    assert usage(owner) == 1


def test_a_job_cancelled_before_it_starts_runs_nothing_and_gives_every_unit_back(
        alice, product, photo_jpeg, batch, run_queued, owner, django_capture_on_commit_callbacks):
    images = ProductImageFactory.create_batch(2, product=product, data=photo_jpeg)
    job_id = batch(alice, product, images).json()["id"]
    # Through the platform's own cancel, which knows nothing of the catalog's units: the job's on_finish does.
    with django_capture_on_commit_callbacks(execute=True):
        assert alice.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 200
    run_queued()
    assert not AnalysisResult.objects.exists()
    assert set(BatchItem.objects.values_list("status", flat=True)) == {"cancelled"}
    assert usage(owner) == 0
    product.refresh_from_db()
    assert product.status == "draft"


def test_retrying_a_failed_job_runs_the_images_again_and_charges_them_again(
        alice, product, photo_jpeg, batch, run_queued, owner, labeler_present,
        django_capture_on_commit_callbacks):
    images = ProductImageFactory.create_batch(2, product=product, data=photo_jpeg)
    for image in images:
        default_storage.delete(image.s3_key)
    job_id = batch(alice, product, images).json()["id"]
    run_queued()
    assert Job.objects.get(pk=job_id).status == "failed" and usage(owner) == 0
    for image in images:  # the files are back
        default_storage.save(image.s3_key, ContentFile(photo_jpeg))
    with django_capture_on_commit_callbacks(execute=True):
        assert alice.post(f"/api/v1/jobs/{job_id}/retry").status_code == 200
    run_queued()
    job = Job.objects.get(pk=job_id)
    assert job.status == "completed" and job.result["processed_images"] == 2
    assert list(AnalysisResult.objects.filter(job=job).values_list("status", flat=True)) == ["completed"] * 2
    assert usage(owner) == 2


def test_a_failed_image_of_a_completed_batch_is_retried_on_its_own(alice, product, photo_jpeg, batch,
                                                                    run_queued, owner, labeler_present,
                                                                    django_capture_on_commit_callbacks):
    good = ProductImageFactory(product=product, data=photo_jpeg)
    bad = ProductImageFactory(product=product, data=b"garbage")
    batch(alice, product, [good, bad])
    run_queued()
    default_storage.delete(bad.s3_key)
    default_storage.save(bad.s3_key, ContentFile(photo_jpeg))
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post(f"/api/v1/analysis/{bad.pk}/retry")
    assert response.status_code == 200
    run_queued()
    assert alice.get(f"/api/v1/analysis/{bad.pk}").json()["status"] == "completed"
    assert AnalysisResult.objects.filter(image=bad).count() == 2  # each run keeps its row
    assert usage(owner) == 2


def test_a_redelivered_task_does_not_analyse_an_image_twice(alice, product, photo_jpeg, batch,
                                                             run_queued, owner, labeler_present):
    images = ProductImageFactory.create_batch(2, product=product, data=photo_jpeg)
    job_id = batch(alice, product, images).json()["id"]
    # A first worker claims the job, analyses the first image, and dies.
    job = jobs.claim_job(job_id)
    first = BatchItem.objects.get(job=job, position=0)
    pipeline.analyse_item(job, first, total_images=2)
    analysis_id = AnalysisResult.objects.get(image=images[0]).pk
    # The broker delivers the task again once its retry window, longer than the job's timeout, has passed.
    Job.objects.filter(pk=job.pk).update(started_at=job.started_at - timedelta(seconds=job.timeout_seconds + 1))
    run_queued()
    job.refresh_from_db()
    assert job.status == "completed" and job.attempts == 2
    assert AnalysisResult.objects.get(image=images[0]).pk == analysis_id
    assert AnalysisResult.objects.filter(job=job, status="completed").count() == 2
    # The second run's progress starts from the image the first run finished.
    second = [e["progress"] for e in events_of(job.pk) if e["image_id"] == str(images[1].pk)]
    assert second[0] == {"completed": 1, "total": 2} and second[-1] == {"completed": 2, "total": 2}
    runs = [e for e in events_of(job_id) if e["image_id"] == str(images[0].pk) and e["step"] == "preprocess"]
    assert len(runs) == 2  # one running, one completed: never started again
    assert usage(owner) == 2


def test_deleting_the_product_while_its_job_waits_leaves_nothing_running(
        alice, product, photo_jpeg, upload, run_queued, django_capture_on_commit_callbacks):
    job_id = upload(alice, product, photo_jpeg)["job_id"]
    with django_capture_on_commit_callbacks(execute=True):
        alice.delete(f"/api/v1/products/{product.pk}")
    run_queued()
    assert Job.objects.get(pk=job_id).status == "cancelled"
    assert not Product.objects.exists() and not AnalysisResult.objects.exists()


def test_a_staff_rerun_is_not_charged_and_skips_images_already_queued(product, photo_jpeg, owner,
                                                                     queued, django_capture_on_commit_callbacks):
    image = ProductImageFactory(product=product, data=photo_jpeg)
    with django_capture_on_commit_callbacks(execute=True):
        (job,) = services.rerun_images([image])
    assert job.params["charged"] is False and BatchItem.objects.get(job=job).usage_counted is False
    assert usage(owner) == 0 and len(queued) == 1
    assert services.rerun_images([image]) == []


def test_a_completed_analysis_and_batch_reach_the_owners_webhooks(alice, owner, product, photo_jpeg, upload,
                                                                  run_queued, batch, labeler_present):
    from config.webhooks import services as webhooks
    from config.webhooks.models import WebhookDelivery
    from tests.catalog.factories import ProductImageFactory

    webhooks.create_endpoint(owner, url="https://hooks.example.com/catalog",
                             events=["catalog.analysis.completed", "catalog.batch.completed"])
    image, _ = analysed(alice, product, photo_jpeg, upload, run_queued)
    single = WebhookDelivery.objects.get(event_type="catalog.analysis.completed").payload["data"]
    assert single["product_image_id"] == str(image.pk) and single["status"] == "completed"

    images = ProductImageFactory.create_batch(2, product=product, data=photo_jpeg)
    batch(alice, product, images)
    run_queued()
    assert WebhookDelivery.objects.filter(event_type="catalog.analysis.completed").count() == 3
    (done,) = WebhookDelivery.objects.filter(event_type="catalog.batch.completed")
    assert done.payload["data"]["job_type"] == "batch" and done.payload["data"]["processed_images"] == 2
