"""What each feed still needs of a product, attribute by attribute, before it can be exported.

Google Merchant Center requires id, title, description, link, image_link,
availability, price and, for new products, brand and a GTIN (or an MPN when
the product has none); it truncates nothing silently but disapproves titles
over 150 and descriptions over 5,000 characters. Shopify's import needs a
title, and a product without a price imports at 0.00, so the catalog asks
for one; its product category (Shopify's Standard Product Taxonomy) is
recommended, not required: Shopify reads category metafields and tax rates
from it. Only active products are exported; a draft is listed with its gaps
so the seller can finish it first.
"""

from dataclasses import dataclass

from catalog.choices import ProductStatus
from catalog.feeds.listing import Listing

GOOGLE = "google"
SHOPIFY = "shopify"
FEEDS = (GOOGLE, SHOPIFY)
TITLE_MAX = 150
DESCRIPTION_MAX = 5000


@dataclass(frozen=True)
class Missing:
    """An attribute a feed needs and the product lacks (or has in a form the feed refuses).

    A ``recommended`` one does not keep the product out of the feed.
    """

    attribute: str
    reason: str
    recommended: bool = False


def missing_for(listing: Listing, feed: str) -> list[Missing]:
    """What ``feed`` (``google`` or ``shopify``) still needs of ``listing``; empty when it is ready."""
    return _google(listing) if feed == GOOGLE else _shopify(listing)


def exportable(listing: Listing, feed: str) -> bool:
    """In the feed: an active product that misses nothing the feed requires."""
    return listing.status == ProductStatus.ACTIVE and ready(listing, feed)


def ready(listing: Listing, feed: str) -> bool:
    """Nothing ``feed`` requires is missing (recommended attributes aside)."""
    return all(m.recommended for m in missing_for(listing, feed))


def _google(listing: Listing) -> list[Missing]:
    missing = []
    if len(listing.title) > TITLE_MAX:
        missing.append(Missing("title", f"Google refuses titles over {TITLE_MAX} characters."))
    if not listing.description:
        missing.append(Missing("description", "Write a description (or analyse a photo with a language model)."))
    elif len(listing.description) > DESCRIPTION_MAX:
        missing.append(Missing("description", f"Google refuses descriptions over {DESCRIPTION_MAX} characters."))
    if not listing.link:
        missing.append(Missing("link", "The product's page on your shop."))
    if not listing.images:
        missing.append(Missing("image_link", "Upload a photo."))
    missing += _price(listing)
    if not listing.brand:
        missing.append(Missing("brand", "Google requires the brand of new products."))
    if not listing.gtin and not listing.mpn:
        missing.append(Missing("gtin", "Give the barcode (GTIN), or the MPN when the product has no GTIN."))
    return missing


def _shopify(listing: Listing) -> list[Missing]:
    missing = _price(listing)
    if not listing.shopify_product_category:
        missing.append(Missing("product_category", "Recommended: a category of Shopify's product taxonomy "
                                                   "(its full path or id); Shopify reads category metafields "
                                                   "and tax rates from it.", recommended=True))
    return missing


def _price(listing: Listing) -> list[Missing]:
    if listing.price is None or listing.price <= 0:
        return [Missing("price", "Set a price above zero.")]
    return []
