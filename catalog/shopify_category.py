"""Shopify's product category: a category of its Standard Product Taxonomy, by full path or by id.

Shopify's product CSV reads its ``Product Category`` column as the category's full
name, levels joined by " > " ("Home & Garden > Kitchen & Dining > Tableware >
Drinkware > Mugs", the form of ``ProductTaxonomyNode.fullName``), or as its id
("hg-11-10-9-6"); an Admin API id (``gid://shopify/TaxonomyCategory/hg-11-10-9-6``)
is accepted here and written to the CSV as the bare id, the part Shopify's import
reads. A value of another shape is refused on input rather than dropped by the
import. A top level alone ("Home & Garden") is given by its id ("hg"), so a
single word is never taken for a path. Whether the category exists is the
taxonomy's release, which the catalog does not ship: Shopify's import says so.
"""

import re

from django.core.exceptions import ValidationError

GID_PREFIX = "gid://shopify/TaxonomyCategory/"
_ID = r"[a-z]{2}(?:-[0-9]+)*"
# A level: no ">" or control character, not starting or ending with a space.
_LEVEL = r"[^\s>\x00-\x1f](?:[^>\x00-\x1f]*[^\s>\x00-\x1f])?"
# Stated as is in the API schema (ECMA and Python read it alike).
PATTERN = rf"^(?:(?:{re.escape(GID_PREFIX)})?{_ID}|{_LEVEL}(?: > {_LEVEL})+)$"
MAX_LENGTH = 255
PROBLEM = ("shopify_product_category must be a full path of Shopify's product taxonomy, levels joined by "
           "\" > \" (\"Home & Garden > Kitchen & Dining > Tableware\"), or a category id (\"hg-11-10\" or "
           f"\"{GID_PREFIX}hg-11-10\").")


def category_problem(value: str) -> str | None:
    """Why ``value`` is not a Shopify product category, in words; ``None`` when it is one (or blank)."""
    if not value or (len(value) <= MAX_LENGTH and re.fullmatch(PATTERN, value)):
        return None
    return PROBLEM


def validate_shopify_category(value: str) -> None:
    """Django field validator (forms and the admin) with the same rule as the services."""
    problem = category_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_shopify_category")


def csv_value(value: str) -> str:
    """The column's value in Shopify's product CSV: the path as given, an id without its ``gid://`` prefix."""
    return value.removeprefix(GID_PREFIX)
