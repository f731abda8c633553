"""catalog.shopify_category: the shapes Shopify's CSV reads in its Product Category column."""

import re

import pytest

from catalog.shopify_category import PATTERN, category_problem, csv_value


@pytest.mark.parametrize("value", [
    "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs",
    "Animals & Pet Supplies > Pet Supplies > Dog Supplies > Dog Beds",
    "Apparel & Accessories > Clothing",
    "hg", "hg-11-10-9-6", "gid://shopify/TaxonomyCategory/aa-1-13-8", "",
])
def test_a_taxonomy_path_or_id_is_accepted(value):
    assert category_problem(value) is None


@pytest.mark.parametrize("value", [
    "Mugs", "Home & Garden>Mugs", "Home & Garden > ", " Home & Garden > Mugs", "A > > B", "A >\nB > C",
    "HG-11", "hg_11", "hg-11-", "gid://shopify/TaxonomyCategory/", "gid://shopify/ProductTaxonomyNode/12",
    "Home & Garden > " + "x" * 250,
])
def test_other_shapes_are_refused_in_words(value):
    assert "full path of Shopify's product taxonomy" in category_problem(value)


def test_the_schema_pattern_and_the_check_agree():
    for value in ("Home & Garden > Decor", "hg-1", "Mugs", "A > > B"):
        assert bool(re.search(PATTERN, value)) == (category_problem(value) is None)


def test_the_csv_gets_the_bare_id_and_the_path_as_given():
    assert csv_value("gid://shopify/TaxonomyCategory/hg-11-10") == "hg-11-10"
    assert csv_value("hg-11-10") == "hg-11-10"
    assert csv_value("Home & Garden > Decor") == "Home & Garden > Decor"
