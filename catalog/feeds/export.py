"""The feeds of one owner's catalog, and what each product still misses: the API and the pages call these."""

from django.conf import settings

from catalog.choices import ProductStatus
from catalog.feeds import google, shopify
from catalog.feeds.listing import listings_for
from catalog.feeds.readiness import FEEDS, GOOGLE, SHOPIFY, exportable, missing_for, ready
from catalog.models import Product


def readiness(owner, *, products=None) -> list[dict]:
    """Each of ``owner``'s products that are not archived (or each of ``products``, theirs), with what
    each feed still needs of it."""
    if products is None:
        products = Product.objects.for_user(owner).exclude(status=ProductStatus.ARCHIVED).prefetch_related("images")
    return [{
        "product_id": listing.product_id, "title": listing.title, "status": listing.status,
        **{feed: {"included": exportable(listing, feed), "ready": ready(listing, feed),
                  "missing": [{"attribute": m.attribute, "reason": m.reason, "recommended": m.recommended}
                              for m in missing_for(listing, feed)]}
           for feed in FEEDS},
    } for listing in listings_for(owner, products=products)]


def google_tsv(owner) -> str:
    """Google Merchant Center's TSV of ``owner``'s exportable products."""
    return google.tsv(_exportable(owner, GOOGLE))


def google_xml(owner) -> bytes:
    """Google Merchant Center's RSS 2.0 feed of ``owner``'s exportable products."""
    return google.xml(_exportable(owner, GOOGLE), title=f"{owner.company or owner.email} products",
                      link=settings.SITE_URL, description="Product feed exported from the StageCraft catalog.")


def shopify_csv(owner) -> str:
    """Shopify's product import CSV of ``owner``'s exportable products."""
    return shopify.csv_text(_exportable(owner, SHOPIFY))


def _exportable(owner, feed: str) -> list:
    products = Product.objects.for_user(owner).filter(status=ProductStatus.ACTIVE).prefetch_related("images")
    return [listing for listing in listings_for(owner, products=products) if exportable(listing, feed)]
