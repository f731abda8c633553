"""Product feeds read back column by column: Google Merchant Center TSV and XML, Shopify's import CSV."""

import csv
import io
import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from catalog import shopify_category
from catalog.feeds import export, google, shopify
from catalog.gtin import gtin_problem
from tests.catalog.factories import AnalysisResultFactory, ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db

G = "{http://base.google.com/ns/1.0}"
PRICE = re.compile(r"^\d+\.\d{2} [A-Z]{3}$")
# Google Merchant Center's documented value sets.
AVAILABILITY = {"in_stock", "out_of_stock", "preorder", "backorder"}
CONDITION = {"new", "refurbished", "used"}
SHOPIFY_BOOLEANS = {"TRUE", "FALSE"}


@pytest.fixture
def ready(owner):
    """An active product with every attribute, two photos, and analysis copy on the primary one."""
    product = ProductFactory(owner=owner, title="Red storage box", description="A sturdy red box.\n\nWith a lid.",
                             status="active", price=Decimal("15.5"), currency="EUR", brand="Boxco",
                             gtin="4006381333931", mpn="BX-1", condition="new", availability="backorder",
                             link="https://shop.example/red-box", google_product_category="Home & Garden",
                             shopify_product_category="Home & Garden > Household Supplies > Storage & Organization",
                             category="home", subcategory="storage")
    front = ProductImageFactory(product=product, data=b"front", original_filename="front.jpg")
    side = ProductImageFactory(product=product, data=b"side", original_filename="side.jpg")
    AnalysisResultFactory(image=front, tags=["red box", "storage, lidded"], alt_text="A red box, front view.")
    AnalysisResultFactory(image=side, alt_text="The box from the side.")
    return product


def parse_tsv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))


def test_the_google_tsv_has_the_documented_header_and_one_valid_row_per_ready_product(owner, ready):
    ProductFactory(owner=owner, title="Draft without a price")
    ProductFactory(owner=owner, title="Active without a price", status="active")
    text = export.google_tsv(owner)
    assert text.splitlines()[0].split("\t") == google.COLUMNS
    [row] = parse_tsv(text)
    assert row["id"] == str(ready.pk)
    assert row["title"] == "Red storage box"
    assert row["description"] == "A sturdy red box. With a lid."  # line breaks folded: one row per product
    assert row["link"] == "https://shop.example/red-box"
    assert row["image_link"].startswith("http") and "," not in row["image_link"]
    assert len(row["additional_image_link"].split(",")) == 1
    assert row["availability"] in AVAILABILITY and row["availability"] == "backorder"
    assert PRICE.match(row["price"]) and row["price"] == "15.50 EUR"
    assert row["brand"] == "Boxco" and row["mpn"] == "BX-1"
    assert gtin_problem(row["gtin"]) is None and row["gtin"] == "4006381333931"
    assert row["condition"] in CONDITION
    assert row["google_product_category"] == "Home & Garden"


def test_tabs_and_line_breaks_in_text_cannot_break_a_tsv_row(owner, ready):
    ready.title = "Red\tbox"
    ready.description = "Line one\r\nline\ttwo"
    ready.save()
    [row] = parse_tsv(export.google_tsv(owner))
    assert row["title"] == "Red box" and row["description"] == "Line one line two"
    assert len(row) == len(google.COLUMNS)


def test_the_google_xml_is_rss_with_every_attribute_in_the_g_namespace(owner, ready):
    root = ElementTree.fromstring(export.google_xml(owner))
    assert root.tag == "rss" and root.get("version") == "2.0"
    [item] = root.iter("item")
    assert item.findtext(f"{G}id") == str(ready.pk)
    assert item.findtext(f"{G}title") == "Red storage box"
    assert item.findtext(f"{G}price") == "15.50 EUR"
    assert item.findtext(f"{G}availability") in AVAILABILITY
    assert item.findtext(f"{G}condition") in CONDITION
    assert gtin_problem(item.findtext(f"{G}gtin")) is None
    assert item.findtext(f"{G}image_link").startswith("http")
    assert len(item.findall(f"{G}additional_image_link")) == 1  # repeated, not comma-joined
    assert {child.tag.removeprefix(G) for child in item} == set(google.COLUMNS)


def test_the_shopify_csv_has_the_import_columns_and_a_row_per_further_photo(owner, ready):
    rows = list(csv.DictReader(io.StringIO(export.shopify_csv(owner))))
    assert list(rows[0]) == shopify.COLUMNS
    first, second = rows
    assert re.fullmatch(r"[a-z0-9-]+", first["Handle"]) and first["Handle"] == second["Handle"]
    assert first["Title"] == "Red storage box"
    assert first["Body (HTML)"] == "<p>A sturdy red box.</p><p>With a lid.</p>"
    assert first["Vendor"] == "Boxco" and first["Type"] == "home > storage"
    assert first["Product Category"] == "Home & Garden > Household Supplies > Storage & Organization"
    assert shopify_category.category_problem(first["Product Category"]) is None
    assert first["Tags"] == "red box, storage  lidded"  # a comma inside a tag would split it
    assert first["Published"] in SHOPIFY_BOOLEANS and first["Status"] == "active"
    assert (first["Option1 Name"], first["Option1 Value"]) == ("Title", "Default Title")
    assert first["Variant Price"] == "15.50" and first["Variant Barcode"] == "4006381333931"
    assert first["Variant Inventory Policy"] == "continue"  # backorder: orders still taken
    assert (first["Image Position"], first["Image Alt Text"]) == ("1", "A red box, front view.")
    assert first["Image Src"].startswith("http")
    # A further photo repeats only the handle and the image columns.
    assert {k for k, v in second.items() if v} == {"Handle", "Image Src", "Image Position", "Image Alt Text"}
    assert (second["Image Position"], second["Image Alt Text"]) == ("2", "The box from the side.")


def test_an_out_of_stock_product_refuses_orders_in_shopify(owner, ready):
    ready.availability = "out_of_stock"
    ready.save()
    rows = list(csv.DictReader(io.StringIO(export.shopify_csv(owner))))
    assert rows[0]["Variant Inventory Policy"] == "deny"


def test_the_description_is_escaped_as_html_for_shopify(owner, ready):
    ready.description = "<script>x</script> & more"
    ready.save()
    rows = list(csv.DictReader(io.StringIO(export.shopify_csv(owner))))
    assert rows[0]["Body (HTML)"] == "<p>&lt;script&gt;x&lt;/script&gt; &amp; more</p>"


@pytest.mark.parametrize("value", ["4006381333931", "036000291452", "96385074", "00012345600012"])
def test_valid_gtins_pass(value):
    assert gtin_problem(value) is None


@pytest.mark.parametrize(("value", "words"), [("4006381333932", "last digit should be 1"),
                                              ("036000291453", "should be 2"), ("12345", "8, 12, 13 or 14"),
                                              ("40063813339x1", "8, 12, 13 or 14"), ("٤٠٠٦٣٨١٣٣٣٩٣١", "digits")])
def test_invalid_gtins_are_named(value, words):
    assert words in gtin_problem(value)

