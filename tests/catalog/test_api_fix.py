"""POST /api/v1/products/{id}/images/{image_id}/fix: a marketplace main image made, stored and analysed."""

import uuid

import pytest
from PIL import Image

from catalog.main_image_fix import MARKETPLACES
from catalog.models import AnalysisResult, ProductImage
from config.jobs.models import Job, JobStep
from tests.catalog.conftest import encoded
from tests.catalog.drawn_scenes import cup_scene
from tests.catalog.factories import ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db

FILL = "main_image_product_fill"


@pytest.fixture
def fix(django_capture_on_commit_callbacks):
    """POST the fix of ``image`` of ``product`` with this body; the response (task captured by ``queued``)."""

    def send(client, product, image, body):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/api/v1/products/{product.pk}/images/{image.pk}/fix", body, format="json")

    return send


def drawn_cup(size, backdrop: str) -> bytes:
    photo, _ = cup_scene(size, fill=0.5, backdrop=backdrop)
    return encoded(Image.fromarray(photo), quality=92)


def amazon_fill(image: ProductImage):
    analysis = AnalysisResult.objects.filter(image=image).latest("created_at")
    return analysis.compliance_checks.get(marketplace=MARKETPLACES["amazon"], rule=FILL)


def test_a_cup_on_wood_fixed_for_amazon_is_a_new_analysed_image_that_passes_the_fill_rule(
        alice, product, upload, fix, run_queued, queued, labeler_present):
    body = upload(alice, product, drawn_cup((3000, 2250), "wood"))
    run_queued()
    source = ProductImage.objects.get(pk=body["image_id"])
    source_bytes = open_bytes(source)

    response = fix(alice, product, source, {"marketplace": "amazon"})
    assert response.status_code == 202, response.content
    started = response.json()
    assert started["image_id"] == str(source.pk) and started["status"] == "queued"
    run_queued()

    job = Job.objects.get(pk=started["job_id"])
    assert job.status == "completed", job.error_message
    fixed = ProductImage.objects.get(pk=job.result["image_id"])
    assert (fixed.product_id, fixed.fixed_from_id, fixed.fixed_for) == (product.pk, source.pk, "amazon")
    assert job.result["marketplace"] == "amazon" and job.result["unmet"] == []
    assert {c["rule"] for c in job.result["checks"]} >= {FILL, "product_cutout"}
    assert amazon_fill(fixed).passed and not amazon_fill(source).passed
    assert open_bytes(source) == source_bytes  # the source is never overwritten
    steps = list(JobStep.objects.filter(job=job).values_list("name", "status"))
    assert steps[:3] == [("load", "completed"), ("fix", "completed"), ("store", "completed")]

    answered = alice.get(f"/api/v1/jobs/{job.pk}").json()
    assert answered["job_type"] == "fix" and answered["result"] == job.result
    assert (answered["total_images"], answered["processed_images"]) == (1, 1)

    shown = alice.get(f"/api/v1/products/{product.pk}").json()["images"]
    by_id = {image["id"]: image for image in shown}
    assert (by_id[str(fixed.pk)]["fixed_from"], by_id[str(fixed.pk)]["fixed_for"]) == (str(source.pk), "amazon")
    assert (by_id[str(source.pk)]["fixed_from"], by_id[str(source.pk)]["fixed_for"]) == (None, "")


def test_a_source_too_small_for_zoom_completes_with_the_zoom_rule_unmet(alice, product, fix, run_queued, queued,
                                                                        labeler_present):
    source = ProductImageFactory(product=product, data=drawn_cup((600, 450), "white"))

    started = fix(alice, product, source, {"marketplace": "amazon"}).json()
    run_queued()

    job = Job.objects.get(pk=started["job_id"])
    assert job.status == "completed", job.error_message
    assert [c["rule"] for c in job.result["unmet"]] == ["zoom_longest_side"]
    assert job.result["unmet"][0]["measured"] < job.result["unmet"][0]["threshold"] == 1000


def test_a_photo_with_nothing_to_cut_out_fails_the_job_with_its_code(alice, product, fix, run_queued, queued):
    source = ProductImageFactory(product=product, data=encoded(Image.new("RGB", (800, 600), "white")))

    started = fix(alice, product, source, {"marketplace": "ebay"}).json()
    run_queued()

    job = Job.objects.get(pk=started["job_id"])
    assert (job.status, job.error_code) == ("failed", "NO_PRODUCT_TO_CUT_OUT")
    assert ProductImage.objects.filter(product=product).count() == 1


@pytest.mark.parametrize("body", [{"marketplace": "etsy"}, {}, {"marketplace": ["amazon"]}])
def test_an_unknown_or_missing_marketplace_is_422(alice, product, fix, queued, body):
    source = ProductImageFactory(product=product)

    response = fix(alice, product, source, body)

    assert response.status_code == 422 and "marketplace" in str(response.json()["detail"])
    assert not queued and not Job.objects.exists()


def test_another_users_product_is_404(charlie, product, fix, queued):
    source = ProductImageFactory(product=product)

    response = fix(charlie, product, source, {"marketplace": "amazon"})

    assert response.status_code == 404 and response.json() == {"detail": "Product not found."} and not queued


def test_an_image_of_another_product_is_404(alice, owner, product, fix, queued):
    elsewhere = ProductImageFactory(product=ProductFactory(owner=owner, title="Lamp"))

    response = fix(alice, product, elsewhere, {"marketplace": "amazon"})

    assert response.status_code == 404 and response.json() == {"detail": "Image not found."} and not queued


def test_a_missing_image_is_404(alice, product, queued):
    response = alice.post(f"/api/v1/products/{product.pk}/images/{uuid.uuid4()}/fix", {"marketplace": "amazon"},
                          format="json")

    assert response.status_code == 404 and not queued


def test_an_image_not_uploaded_yet_is_422(alice, product, fix, queued):
    pending = ProductImageFactory(product=product, upload_status="pending")

    response = fix(alice, product, pending, {"marketplace": "amazon"})

    assert response.status_code == 422 and not queued


def open_bytes(image: ProductImage) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(image.s3_key, "rb") as stored:
        return stored.read()


def test_a_fixed_image_that_cannot_be_analysed_fails_the_job_with_analysis_failed(alice, product, fix, run_queued,
                                                                                  queued, monkeypatch):
    from catalog import pipeline
    from config.ai.errors import EngineUnavailable

    def missing():
        raise EngineUnavailable("No labeler.")

    monkeypatch.setattr(pipeline.registry, "labeler", missing)
    source = ProductImageFactory(product=product, data=drawn_cup((600, 450), "white"))

    started = fix(alice, product, source, {"marketplace": "amazon"}).json()
    run_queued()

    job = Job.objects.get(pk=started["job_id"])
    assert (job.status, job.error_code) == ("failed", "ANALYSIS_FAILED")
    fixed = ProductImage.objects.get(fixed_from=source)  # stored, its analysis failed
    assert AnalysisResult.objects.get(image=fixed).status == "failed"


@pytest.mark.parametrize(("body", "shadow"), [({}, False), ({"shadow": True}, True), ({"shadow": False}, False)])
def test_shadow_is_off_unless_asked_and_reaches_the_fix(alice, product, fix, run_queued, queued, monkeypatch, body,
                                                       shadow):
    from catalog import fixing

    asked = []
    real = fixing.fix_main_image
    monkeypatch.setattr(fixing, "fix_main_image", lambda *a, **kw: asked.append(kw["shadow"]) or real(*a, **kw))
    source = ProductImageFactory(product=product, data=drawn_cup((600, 450), "white"))

    started = fix(alice, product, source, {"marketplace": "ebay", **body}).json()
    job = Job.objects.get(pk=started["job_id"])
    assert job.params["shadow"] is shadow
    run_queued()

    assert asked == [shadow]


def test_a_shadow_that_is_not_a_boolean_is_422(alice, product, fix, queued):
    source = ProductImageFactory(product=product)

    response = fix(alice, product, source, {"marketplace": "amazon", "shadow": "maybe"})

    assert response.status_code == 422 and "shadow" in str(response.json()["detail"]) and not queued
