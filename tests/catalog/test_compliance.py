"""catalog.compliance: every marketplace rule reported with what was measured and the limit."""

from dataclasses import replace

import pytest

from catalog.compliance import check_compliance
from catalog.marketplace_rules import AMAZON, EBAY, GOOGLE_MERCHANT, RULES, SHOPIFY
from catalog.measure import measure
from tests.catalog import drawn


def measured(image):
    return measure(image, file_size_bytes=drawn.jpeg_size(image))


def checks_of(m, category="home") -> dict:
    return {(check.marketplace, check.rule): check for check in check_compliance(m, category=category)}


@pytest.fixture(scope="module")
def studio():
    """A 1200 px red product on pure white at 90% fill."""
    return measured(drawn.product_photo())


def test_every_rule_is_reported_with_its_measurement_threshold_and_source(studio):
    checks = check_compliance(studio, category="home")

    assert [(check.marketplace, check.rule) for check in checks] == [(rule.marketplace, rule.rule) for rule in RULES]
    assert {check.marketplace for check in checks} == {AMAZON, GOOGLE_MERCHANT, SHOPIFY, EBAY}
    for check in checks:
        assert check.measured is not None and check.threshold is not None
        assert "https://" in check.source


def test_a_product_on_pure_white_at_90_percent_passes_amazons_main_image_rules(studio):
    checks = checks_of(studio)

    background = checks[AMAZON, "main_image_white_background"]
    assert background.passed and background.measured.startswith("rgb(255, 255, 255)")
    assert background.threshold == "rgb(255, 255, 255)"
    fill = checks[AMAZON, "main_image_product_fill"]
    assert fill.passed and fill.measured == pytest.approx(0.9, abs=0.01) and fill.threshold == 0.85
    assert checks[AMAZON, "zoom_longest_side"].passed


def test_a_grey_background_fails_amazon_and_reports_its_colour():
    background = checks_of(measured(drawn.product_photo(background=drawn.GREY)))[AMAZON, "main_image_white_background"]

    assert not background.passed and not background.advisory
    assert background.measured.startswith("rgb(128, 128, 128)")


def test_a_product_at_60_percent_fails_amazons_fill_and_reports_0_6():
    fill = checks_of(measured(drawn.product_photo(fill=0.6)))[AMAZON, "main_image_product_fill"]

    assert not fill.passed and fill.measured == pytest.approx(0.6, abs=0.01)


def test_apparel_needs_250_px_where_other_products_need_100(studio):
    small = replace(studio, width=200, height=200)

    assert checks_of(small, "home")[GOOGLE_MERCHANT, "minimum_size"].passed
    apparel = checks_of(small, "clothing")[GOOGLE_MERCHANT, "minimum_size"]
    assert not apparel.passed and apparel.threshold == 250 and apparel.measured == 200
    assert not checks_of(small, "footwear")[GOOGLE_MERCHANT, "minimum_size"].passed


def test_recommendations_are_advisory(studio):
    checks = checks_of(studio)

    assert checks[GOOGLE_MERCHANT, "recommended_size"].passed
    for key in ((SHOPIFY, "recommended_size"), (EBAY, "recommended_longest_side")):
        assert checks[key].advisory and not checks[key].passed
    assert checks[SHOPIFY, "recommended_square"].passed and checks[SHOPIFY, "recommended_square"].measured == 1.0


def test_size_limits_fail_past_them(studio):
    big = replace(studio, width=6000, height=4000, megapixels=24.0, file_size_bytes=17_000_000)
    checks = checks_of(big)

    assert not checks[SHOPIFY, "maximum_megapixels"].passed
    assert checks[GOOGLE_MERCHANT, "maximum_megapixels"].passed
    size = checks[GOOGLE_MERCHANT, "maximum_file_size"]
    assert not size.passed and size.measured == 17_000_000 and size.threshold == 16_000_000
    assert checks[SHOPIFY, "recommended_square"].measured == 1.5


def test_the_ebay_minimum_is_500_px_on_the_longest_side():
    small = checks_of(measured(drawn.product_photo((480, 300))))[EBAY, "minimum_longest_side"]

    assert not small.passed and small.measured == 480 and small.threshold == 500
