"""The catalog in real Chromium: sign in, create a product, drop a photo, watch it analysed, edit, re-run."""

import importlib.util

import pytest

from catalog.models import AnalysisResult, Product, ProductImage
from tests.catalog.drawn import product_photo
from tests.conftest import require
from tests.e2e.browser import chromium_page, screenshot
from tests.e2e.processes import asgi_server, process_env, qcluster
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.processes, pytest.mark.django_db(transaction=True)]

# The worker loads the local labeler and embedder on its first image.
ANALYSIS_LIMIT_MS = 180_000
DONE = '[data-image]:not([data-job]) [data-analysis-status="completed"]'


def test_create_a_product_upload_a_photo_watch_it_analysed_edit_and_rerun(monkeypatch, tmp_path):
    require(all(importlib.util.find_spec(name) for name in ("efficientnet_lite_pytorch", "sentence_transformers")),
            "the local models are not installed (requirements-ai.txt)")
    # Playwright's sync API keeps an event loop on this thread; the ORM calls here are plain test code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    user = UserFactory(email="seller@example.com")
    photo = tmp_path / "red-box.jpg"
    product_photo((640, 640), fill=0.7).save(photo, "JPEG", quality=90)
    env = process_env()
    with asgi_server(env) as url, qcluster(env), chromium_page() as page:
        page.goto(f"{url}/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{url}/dashboard/")

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
        page.get_by_label("Title").fill("Red storage box")
        page.get_by_label("Description").fill("A sturdy box for the shelf.")
        page.get_by_role("button", name="Create product").click()
        product = Product.objects.get(owner=user)
        page.wait_for_url(f"{url}/catalog/{product.pk}/")

        # Choosing the file uploads it: the no-JavaScript Upload button is hidden, so it cannot send it twice.
        assert not page.locator("[data-upload-submit]").is_visible()
        page.locator("[data-photo-form] input[type=file]").set_input_files(str(photo))
        page.locator("[data-uploads] li").wait_for()
        screenshot(page, "catalog-02-product")
        page.locator(DONE).wait_for(timeout=ANALYSIS_LIMIT_MS)
        card = page.locator("[data-image]").first
        assert "No language model configured." in card.inner_text()
        assert card.locator("td.pass, td.fail").count() > 0
        assert page.locator("[data-overall-percent]").inner_text() == "100%"
        page.get_by_text("All 1 photo analysed.").wait_for()
        assert ProductImage.objects.filter(product=product).count() == 1
        # The analysis filled the category, and the open form follows; the status stays the owner's.
        page.wait_for_function("document.querySelector('.product-form [name=\"category\"]').value !== ''")
        assert page.locator('.product-form [name="status"]').input_value() == "draft"
        screenshot(page, "catalog-03-analysis")

        page.get_by_label("Title").fill("Red storage box, large")
        page.get_by_label("Status").select_option("active")
        page.get_by_role("button", name="Save changes").click()
        page.get_by_text("Product saved.").wait_for()
        product.refresh_from_db()
        assert (product.title, product.status) == ("Red storage box, large", "active") and product.category

        page.get_by_role("button", name="Re-run analysis of red-box.jpg").click()
        page.locator("[data-image][data-job]").wait_for()
        page.locator(DONE).wait_for(timeout=ANALYSIS_LIMIT_MS)
        assert AnalysisResult.objects.filter(image__product=product, status="completed").count() == 2

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
        page.locator("[data-product] .market").first.wait_for()
        screenshot(page, "catalog-01-grid")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{url}/catalog/{product.pk}/")
        screenshot(page, "catalog-02-product-phone")
