"""The product page: what the AI can do is said before any upload, and the page script finds its hooks."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services, views
from config.ai import readiness

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "catalog-product.js"


@pytest.fixture
def page_of(client):
    def get(user, product) -> str:
        client.force_login(user)
        response = client.get(f"/catalog/{product.pk}/")
        assert response.status_code == 200
        return response.content.decode()
    return get


@pytest.fixture
def language_model(monkeypatch):
    monkeypatch.setattr(views.readiness, "language_model", lambda: readiness.READY)


def test_without_a_language_model_the_page_says_up_front_that_copy_is_not_written(page_of, owner, product):
    page = page_of(owner, product)

    assert "data-copy-unavailable" in page
    assert "an administrator needs to connect a language model" in page
    assert "Photos are still analysed" in page
    assert "See the AI engines" not in page  # the link is for staff
    assert "AI_" not in page


def test_staff_also_get_the_ai_engines_page(page_of, staff, product):
    product.owner = staff
    product.save()

    page = page_of(staff, product)

    assert '<a href="/admin/ai/engines/">See the AI engines</a>' in page
    assert "AI_" not in page


def test_with_a_language_model_nothing_is_said_against_it(page_of, owner, product, language_model):
    page = page_of(owner, product)

    assert "data-copy-unavailable" not in page
    assert "language model" not in page


def test_a_photo_analysed_without_a_model_is_explained_without_setting_names(page_of, owner, product, photo_jpeg,
                                                                             queued, run_queued,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_direct(owner, product_id=product.pk, upload=SimpleUploadedFile("front.jpg", photo_jpeg))
    run_queued()

    page = page_of(owner, product)

    assert "No language model configured. The listing copy is written once an administrator connects one." in page
    assert "AI_" not in page


def test_a_photo_analysed_before_the_model_was_connected_says_how_to_get_its_copy(
        page_of, owner, product, photo_jpeg, queued, run_queued, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_direct(owner, product_id=product.pk, upload=SimpleUploadedFile("front.jpg", photo_jpeg))
    run_queued()
    monkeypatch.setattr(views.readiness, "language_model", lambda: readiness.READY)

    page = page_of(owner, product)

    assert "no language model was connected when this photo was analysed. Re-run the analysis to write it." in page


def test_the_header_shows_status_and_category_in_the_block_the_script_replaces_live(page_of, owner, product):
    page = page_of(owner, product)

    header = re.search(r"<p class=\"lede\" data-product-summary>(.*?)</p>", page, re.S).group(1)
    assert "data-product-status" in header and "Draft" in header
    assert re.search(r"<span data-product-category>\s*electronics\s*</span>", header)
    assert 'querySelector("[data-product-summary]")' in SCRIPT.read_text()


def test_every_hook_the_product_script_looks_for_is_on_the_page(page_of, owner, product, photo_jpeg, queued,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # queued, not run: the card shows its progress block
        services.upload_direct(owner, product_id=product.pk, upload=SimpleUploadedFile("front.jpg", photo_jpeg))

    page = page_of(owner, product)

    # data-no-images is the empty list's placeholder, gone once a photo is there.
    hooks = set(re.findall(r"\[(data-[a-z-]+)[\]=]", SCRIPT.read_text())) - {"data-no-images"}
    assert hooks >= {"data-upload-submit", "data-progress-block", "data-product-summary"}
    assert [hook for hook in sorted(hooks) if hook not in page] == []


def test_the_no_javascript_upload_button_is_hidden_by_the_script_that_uploads_on_choosing():
    script = SCRIPT.read_text()

    # Choosing files uploads them; a visible Upload button sent each photo a second time.
    assert 'form.querySelector("[data-upload-submit]").hidden = true;' in script
    assert "attachDropzone(zone, { onFiles: uploadAll })" in script
