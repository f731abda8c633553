"""Pages say rules as sentences with the measured and required values (catalog.wording)."""

import pytest

from catalog.compliance import ComplianceCheck
from catalog.wording import marketplace_name, rule_sentence


def check(marketplace, rule, measured, threshold, passed=False):
    return ComplianceCheck(marketplace, rule, measured, threshold, passed, False, "")


@pytest.mark.parametrize(("given", "sentence"), [
    (check("amazon", "main_image_product_fill", 0.62, 0.85), "Product fills 62 % of the frame; needs at least 85 %"),
    (check("amazon", "zoom_longest_side", 800, 1000), "Longest side is 800 px; needs at least 1,000 px"),
    (check("google_merchant", "maximum_megapixels", 80.5, 64), "Image is 80.5 megapixels; at most 64 allowed"),
    (check("google_merchant", "maximum_file_size", 17_500_000, 16_000_000), "File is 17.5 MB; at most 16 MB allowed"),
    (check("amazon", "main_image_white_background", "rgb(240, 238, 230), uniformity 0.12", "rgb(255, 255, 255)"),
     "Background is not white (rgb(240, 238, 230), uniformity 0.12); needs plain white rgb(255, 255, 255)"),
    (check("amazon", "main_image_white_background", "rgb(255, 255, 255), uniformity 0.99", "rgb(255, 255, 255)",
           passed=True), "Background is white"),
])
def test_a_rule_reads_as_a_sentence_with_both_values(given, sentence):
    assert rule_sentence(given) == sentence


def test_marketplaces_are_spelt_as_they_spell_themselves():
    assert [marketplace_name(key) for key in ("amazon", "google_merchant", "shopify", "ebay")] == \
        ["Amazon", "Google Merchant Center", "Shopify", "eBay"]
