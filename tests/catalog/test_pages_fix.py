"""The product page's main-image fix: a form per photo starting the job, and a fixed image's before/after."""

import re

import pytest

from catalog.models import ProductImage
from config.jobs.models import Job
from tests.catalog.factories import AnalysisResultFactory, ComplianceCheckFactory, ProductImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    return client


def test_each_uploaded_photo_has_a_fix_form_listing_the_four_marketplaces(signed_in, product):
    image = ProductImageFactory(product=product)

    page = signed_in.get(f"/catalog/{product.pk}/").content.decode()

    form = re.search(rf'<form method="post" action="/catalog/images/{image.pk}/fix".*?</form>', page, re.S)
    assert form is not None
    assert re.findall(r'<option value="(\w+)">', form.group()) == ["amazon", "google", "shopify", "ebay"]


def test_the_fix_form_starts_the_job_and_opens_its_live_page(signed_in, product, queued,
                                                              django_capture_on_commit_callbacks):
    image = ProductImageFactory(product=product)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(f"/catalog/images/{image.pk}/fix", {"marketplace": "shopify"})

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.params["marketplace"], job.params["image_id"]) == ("catalog.fix", "shopify", str(image.pk))
    assert len(queued) == 1
    assert "Making a Shopify main image of" in signed_in.get(response["Location"]).content.decode()


def test_an_unknown_marketplace_says_so_on_the_product_page_and_starts_nothing(signed_in, product, queued):
    image = ProductImageFactory(product=product)

    response = signed_in.post(f"/catalog/images/{image.pk}/fix", {"marketplace": "etsy"}, follow=True)

    assert "Choose a marketplace." in response.content.decode()
    assert not Job.objects.exists() and not queued


def test_another_users_photo_is_404(client, other_user, product, queued):
    image = ProductImageFactory(product=product)
    client.force_login(other_user)

    assert client.post(f"/catalog/images/{image.pk}/fix", {"marketplace": "amazon"}).status_code == 404
    assert not Job.objects.exists()


def test_a_fixed_image_shows_before_and_after_with_the_badges_of_each(signed_in, product):
    source = ProductImageFactory(product=product, original_filename="cup.jpg")
    fixed = ProductImageFactory(product=product, original_filename="cup_amazon.jpg", fixed_from=source,
                                fixed_for="amazon")
    ComplianceCheckFactory(analysis=AnalysisResultFactory(image=source), rule="main_image_product_fill",
                           measured=0.5, threshold=0.85, passed=False)
    ComplianceCheckFactory(analysis=AnalysisResultFactory(image=fixed), rule="main_image_product_fill",
                           measured=0.88, threshold=0.85, passed=True)

    page = signed_in.get(f"/catalog/{product.pk}/").content.decode()

    block = re.search(r"<div class=\"before-after\" data-before-after>.*?</div>", page, re.S).group()
    assert "Fixed for Amazon" in block
    before, after = block.split("<figcaption>After:")
    assert "cup.jpg" in before and 'class="market is-fail"' in before and "is-pass" not in before
    assert "cup_amazon.jpg" in after and 'class="market is-pass"' in after and "is-fail" not in after
    assert page.count("data-before-after") == 1  # only the fixed image has one
    assert ProductImage.objects.get(pk=fixed.pk).fixed_from == source


def test_the_fix_forms_offer_the_soft_shadow_and_pass_it_on(signed_in, product, queued):
    image = ProductImageFactory(product=product)
    assert 'name="shadow"' in signed_in.get(f"/catalog/{product.pk}/").content.decode()

    signed_in.post(f"/catalog/images/{image.pk}/fix", {"marketplace": "amazon", "shadow": "on"})

    assert Job.objects.get().params["shadow"] is True
