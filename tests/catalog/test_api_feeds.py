"""/api/v1/feeds/*: the files and readiness per user; the feed fields on /api/v1/products; the pages."""

import csv
import io
import json
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from catalog.models import Product
from tests.catalog.factories import ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db

FEED_FIELDS = {"price", "currency", "brand", "gtin", "mpn", "condition", "availability", "link",
               "google_product_category", "shopify_product_category"}
COMPLETE = {"price": "15.00", "currency": "USD", "brand": "Boxco", "gtin": "036000291452", "mpn": "BX-1",
            "condition": "used", "availability": "preorder", "link": "https://shop.example/box",
            "google_product_category": "1604",
            "shopify_product_category": "Home & Garden > Decor > Decorative Trays"}
MUGS = "Home & Garden > Kitchen & Dining > Tableware > Drinkware > Mugs"


def ready_product(owner, **fields):
    product = ProductFactory(owner=owner, status="active", description="A red box.", price=Decimal("9.99"),
                             brand="Boxco", gtin="4006381333931", link="https://shop.example/box", **fields)
    ProductImageFactory(product=product, data=b"front")
    return product


def test_a_product_takes_and_answers_every_feed_field(alice):
    response = alice.post("/api/v1/products", {"title": "Box", **COMPLETE}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {name: body[name] for name in FEED_FIELDS} == COMPLETE
    product = Product.objects.get(pk=body["id"])
    assert product.price == Decimal("15.00") and product.gtin == "036000291452"


def test_a_new_product_answers_the_feed_defaults(alice, settings):
    settings.CATALOG_DEFAULT_CURRENCY = "EUR"
    body = alice.post("/api/v1/products", {"title": "Box"}, format="json").json()
    assert {name: body[name] for name in FEED_FIELDS} == {
        "price": None, "currency": "EUR", "brand": "", "gtin": "", "mpn": "", "condition": "new",
        "availability": "in_stock", "link": "", "google_product_category": "", "shopify_product_category": ""}


def test_a_gtin_with_a_wrong_check_digit_is_refused_naming_the_right_one(alice, product):
    response = alice.patch(f"/api/v1/products/{product.pk}", {"gtin": "4006381333932"}, format="json")
    assert response.status_code == 422
    assert response.json() == {"detail": "gtin 4006381333932 has a wrong check digit: the last digit should be 1."}
    product.refresh_from_db()
    assert product.gtin == ""


@pytest.mark.parametrize("gtin", ["12345", "40063813339x1", "4006381333931234"])
def test_a_gtin_that_is_not_8_12_13_or_14_digits_is_refused(alice, gtin):
    response = alice.post("/api/v1/products", {"title": "Box", "gtin": gtin}, format="json")
    assert response.status_code == 422 and "gtin" in response.json()["detail"]
    assert not Product.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("price", "-1"), ("currency", "usd"), ("condition", "damaged"),
                                              ("availability", "in stock soon"), ("link", "not a url")])
def test_bad_feed_values_are_422(alice, product, field, value):
    response = alice.patch(f"/api/v1/products/{product.pk}", {field: value}, format="json")
    assert response.status_code == 422 and response.json()["detail"].startswith(field)


def test_a_valid_gtin_is_saved(alice, product):
    response = alice.patch(f"/api/v1/products/{product.pk}", {"gtin": "96385074"}, format="json")
    assert response.status_code == 200 and response.json()["gtin"] == "96385074"


def test_feeds_need_a_signed_in_user(client):
    for path in ("google.tsv", "google.xml", "shopify.csv", "readiness"):
        assert client.get(f"/api/v1/feeds/{path}").status_code == 401


def test_the_feeds_hold_only_the_users_ready_active_products(alice, owner, other_user):
    mine = ready_product(owner, title="Mine")
    ready_product(other_user, title="Theirs")
    ProductFactory(owner=owner, title="Unfinished", status="active")
    draft = ready_product(owner, title="Draft")
    Product.objects.filter(pk=draft.pk).update(status="draft")

    tsv = alice.get("/api/v1/feeds/google.tsv")
    assert tsv.status_code == 200 and tsv["Content-Type"].startswith("text/tab-separated-values")
    assert 'filename="google-products.tsv"' in tsv["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(tsv.content.decode()), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert [row["id"] for row in rows] == [str(mine.pk)]

    xml = alice.get("/api/v1/feeds/google.xml")
    assert xml.status_code == 200 and xml["Content-Type"].startswith("application/xml")
    ids = [item.findtext("{http://base.google.com/ns/1.0}id") for item in ElementTree.fromstring(xml.content)
           .iter("item")]
    assert ids == [str(mine.pk)]

    shop = alice.get("/api/v1/feeds/shopify.csv")
    assert shop.status_code == 200 and shop["Content-Type"].startswith("text/csv")
    titles = [row["Title"] for row in csv.DictReader(io.StringIO(shop.content.decode()))]
    assert titles == ["Mine"]


def test_readiness_lists_what_each_feed_misses_per_product(alice, owner, other_user):
    ready = ready_product(owner, title="Ready", shopify_product_category=MUGS)
    bare = ProductFactory(owner=owner, title="Bare", status="active")
    ProductFactory(owner=owner, title="Old", status="archived")
    ProductFactory(owner=other_user, title="Theirs")

    body = {row["title"]: row for row in alice.get("/api/v1/feeds/readiness").json()}
    assert set(body) == {"Ready", "Bare"}
    assert body["Ready"]["product_id"] == str(ready.pk)
    assert body["Ready"]["google"] == {"included": True, "missing": []}
    assert body["Ready"]["shopify"] == {"included": True, "missing": []}
    assert body["Bare"]["product_id"] == str(bare.pk)
    assert [m["attribute"] for m in body["Bare"]["google"]["missing"]] == [
        "description", "link", "image_link", "price", "brand", "gtin"]
    assert body["Bare"]["google"]["included"] is False
    assert body["Bare"]["shopify"]["included"] is False
    assert [(m["attribute"], m["recommended"]) for m in body["Bare"]["shopify"]["missing"]] == [
        ("price", False), ("product_category", True)]
    assert body["Bare"]["shopify"]["missing"][0]["reason"] == "Set a price above zero."


def test_an_mpn_stands_in_for_a_missing_gtin_and_an_overlong_title_is_named(alice, owner):
    product = ready_product(owner, title="x" * 151)
    Product.objects.filter(pk=product.pk).update(gtin="", mpn="BX-1")

    [row] = alice.get("/api/v1/feeds/readiness").json()
    assert [m["attribute"] for m in row["google"]["missing"]] == ["title"]


def test_the_language_models_description_fills_a_blank_one(alice, owner):
    product = ready_product(owner, title="Box")
    Product.objects.filter(pk=product.pk).update(description="", ai_description="A red box, written by a model.")

    rows = list(csv.DictReader(io.StringIO(alice.get("/api/v1/feeds/google.tsv").content.decode()),
                               delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0]["description"] == "A red box, written by a model."


def test_the_feeds_page_has_the_download_buttons_and_the_gaps(client, owner):
    ProductFactory(owner=owner, title="Bare", status="active")
    client.force_login(owner)
    page = client.get("/catalog/feeds/").content.decode()
    for path in ("google.tsv", "google.xml", "shopify.csv"):
        assert f'href="/api/v1/feeds/{path}"' in page
    assert "<strong>price</strong>: Set a price above zero." in page
    assert 'href="/catalog/feeds/"' in client.get("/catalog/").content.decode()


def test_the_session_downloads_the_feed_the_page_links_to(client, owner):
    ready_product(owner, title="Mine")
    client.force_login(owner)
    response = client.get("/api/v1/feeds/shopify.csv")
    assert response.status_code == 200 and b"Mine" in response.content


def test_the_product_page_edits_the_feed_fields_and_refuses_a_bad_gtin(client, owner, product):
    client.force_login(owner)
    page = client.get(f"/catalog/{product.pk}/").content.decode()
    assert 'name="gtin"' in page and 'name="price"' in page

    form = {"title": product.title, "category": product.category, "description": product.description,
            "status": "draft", "condition": "new", "availability": "in_stock", "currency": "",
            "price": "12.50", "brand": "Boxco", "gtin": "4006381333932"}
    response = client.post(f"/catalog/{product.pk}/", form)
    assert response.status_code == 200 and "the last digit should be 1" in response.content.decode()
    product.refresh_from_db()
    assert product.price is None

    response = client.post(f"/catalog/{product.pk}/", {**form, "gtin": "4006381333931"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.price, product.brand, product.gtin) == (Decimal("12.50"), "Boxco", "4006381333931")


@pytest.mark.parametrize("price", [15, "1e3", "+5.00", "15.001", " 15"])
def test_a_price_other_than_a_plain_decimal_string_is_422(alice, product, price):
    response = alice.patch(f"/api/v1/products/{product.pk}", {"price": price}, format="json")
    assert response.status_code == 422 and response.json()["detail"].startswith("price")


def test_a_link_must_be_http_or_https(alice, product):
    response = alice.patch(f"/api/v1/products/{product.pk}", {"link": "ftp://shop.example/box"}, format="json")
    assert response.status_code == 422 and response.json()["detail"].startswith("link")


@pytest.mark.parametrize(("path", "accept"), [("google.tsv", "text/tab-separated-values"),
                                              ("google.xml", "application/xml"), ("shopify.csv", "text/csv")])
def test_a_client_may_ask_for_the_feeds_own_media_type(alice, owner, path, accept):
    ready_product(owner, title="Mine")
    response = alice.get(f"/api/v1/feeds/{path}", HTTP_ACCEPT=accept)
    assert response.status_code == 200 and response["Content-Type"].startswith(accept)
    assert b"Mine" in response.content


def test_an_unauthenticated_request_for_a_csv_still_gets_the_json_error(client):
    response = client.get("/api/v1/feeds/shopify.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 401 and set(json.loads(response.content)) == {"detail"}


def test_the_admin_lists_the_feed_fields_and_its_form_refuses_a_bad_gtin(client, staff, owner):
    from django.core.exceptions import ValidationError

    product = ready_product(owner, title="Mine")
    client.force_login(staff)
    listing = client.get("/admin/catalog/product/?availability__exact=in_stock")
    assert listing.status_code == 200 and "Mine" in listing.content.decode()
    assert client.get(f"/admin/catalog/product/{product.pk}/change/").status_code == 200
    product.gtin = "4006381333932"
    with pytest.raises(ValidationError, match="last digit should be 1"):
        product.full_clean()


def test_the_product_page_says_what_each_feed_still_needs(client, owner):
    bare = ProductFactory(owner=owner, title="Bare", status="active")
    ready = ready_product(owner, title="Ready")
    client.force_login(owner)

    page = client.get(f"/catalog/{bare.pk}/").content.decode()
    assert "<strong>brand</strong>: Google requires the brand of new products." in page
    assert "In the feed" not in page
    assert client.get(f"/catalog/{ready.pk}/").content.decode().count("In the feed") == 2


def test_a_product_without_a_shopify_category_is_in_the_feed_with_the_category_recommended(alice, owner):
    ready_product(owner, title="Uncategorised")

    [row] = alice.get("/api/v1/feeds/readiness").json()

    assert row["shopify"]["included"] is True
    assert [(m["attribute"], m["recommended"]) for m in row["shopify"]["missing"]] == [("product_category", True)]
    assert "Shopify's product taxonomy" in row["shopify"]["missing"][0]["reason"]
    titles = [r["Title"] for r in csv.DictReader(io.StringIO(alice.get("/api/v1/feeds/shopify.csv").content.decode()))]
    assert titles == ["Uncategorised"]


@pytest.mark.parametrize(("given", "in_csv"), [
    (MUGS, MUGS),
    ("hg-11-10-9-6", "hg-11-10-9-6"),
    ("gid://shopify/TaxonomyCategory/hg-11-10-9-6", "hg-11-10-9-6"),
])
def test_the_shopify_csv_writes_the_product_category_column(alice, owner, given, in_csv):
    product = ready_product(owner, title="Mug")

    response = alice.patch(f"/api/v1/products/{product.pk}", {"shopify_product_category": given}, format="json")
    assert response.status_code == 200 and response.json()["shopify_product_category"] == given

    [row] = csv.DictReader(io.StringIO(alice.get("/api/v1/feeds/shopify.csv").content.decode()))
    assert row["Product Category"] == in_csv
    [state] = alice.get("/api/v1/feeds/readiness").json()
    assert state["shopify"] == {"included": True, "missing": []}


@pytest.mark.parametrize("value", ["Mugs", "Home & Garden >Mugs", "Home & Garden > ", " > Mugs", "A > > B",
                                   "HG-11", "gid://shopify/TaxonomyCategory/", "gid://shopify/Product/12",
                                   "Home & Garden > " + "x" * 250])
def test_a_shopify_category_of_another_shape_is_422(alice, product, value):
    response = alice.patch(f"/api/v1/products/{product.pk}", {"shopify_product_category": value}, format="json")

    assert response.status_code == 422 and "shopify_product_category" in response.json()["detail"]
    product.refresh_from_db()
    assert product.shopify_product_category == ""


def test_the_product_page_saves_a_shopify_category_and_refuses_a_bad_one(client, owner, product):
    client.force_login(owner)
    page = client.get(f"/catalog/{product.pk}/").content.decode()
    assert 'name="shopify_product_category"' in page

    form = {"title": product.title, "status": product.status, "condition": "new", "availability": "in_stock"}
    refused = client.post(f"/catalog/{product.pk}/", {**form, "shopify_product_category": "Mugs"})
    assert refused.status_code == 200 and "must be a full path" in refused.content.decode()
    assert "must be a full path" not in page
    client.post(f"/catalog/{product.pk}/", {**form, "shopify_product_category": MUGS})
    product.refresh_from_db()
    assert product.shopify_product_category == MUGS


def test_the_admin_edits_the_shopify_category_and_its_form_refuses_another_shape(client, staff, owner):
    from django.core.exceptions import ValidationError

    product = ready_product(owner, title="Mine")
    client.force_login(staff)
    change = client.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()
    assert 'name="shopify_product_category"' in change
    product.shopify_product_category = "Mugs"
    with pytest.raises(ValidationError, match="must be a full path"):
        product.full_clean()
