"""Shopify's product CSV import: one row per product with its first photo, then one row per further photo.

Columns as Shopify's import template names them, in its order. A product has
one variant (``Option1 Name`` "Title", ``Option1 Value`` "Default Title", as
Shopify writes single-variant products); further photo rows repeat only the
``Handle`` and the image columns. Prices are in the store's currency (the CSV
has no currency column). ``Product Category`` is the product's own Shopify
category (``catalog.shopify_category``: a taxonomy path, or an id without its
``gid://`` prefix), blank when the seller gave none; ``Type`` carries the
analysis' category.
"""

import csv
import io
from html import escape

from django.utils.text import slugify

from catalog.choices import Availability
from catalog.feeds.listing import Listing
from catalog.shopify_category import csv_value

COLUMNS = ["Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
           "Option1 Name", "Option1 Value", "Variant SKU", "Variant Inventory Policy", "Variant Fulfillment Service",
           "Variant Price", "Variant Requires Shipping", "Variant Taxable", "Variant Barcode", "Image Src",
           "Image Position", "Image Alt Text", "Status"]
# Orders for a product not in stock: accepted when it is coming (``continue``), refused otherwise.
SELLS_WHEN_OUT = {Availability.PREORDER, Availability.BACKORDER}


def handle(listing: Listing) -> str:
    """A handle unique per product: letters, digits and dashes (Shopify's rule), then the id's first 8 digits."""
    words = slugify(listing.title).replace("_", "-").strip("-")[:200] or "product"
    return f"{words}-{listing.product_id[:8]}"


def rows(listing: Listing) -> list[dict[str, str]]:
    """The listing's rows: the product with its first photo, then its further photos."""
    first = {
        "Handle": handle(listing), "Title": listing.title, "Body (HTML)": body_html(listing.description),
        "Vendor": listing.brand, "Product Category": csv_value(listing.shopify_product_category),
        "Type": listing.product_type, "Tags": ", ".join(tag.replace(",", " ") for tag in listing.tags),
        "Published": "TRUE",
        "Option1 Name": "Title", "Option1 Value": "Default Title", "Variant SKU": "",
        "Variant Inventory Policy": "continue" if listing.availability in SELLS_WHEN_OUT else "deny",
        "Variant Fulfillment Service": "manual", "Variant Price": f"{listing.price:.2f}",
        "Variant Requires Shipping": "TRUE", "Variant Taxable": "TRUE", "Variant Barcode": listing.gtin,
        "Status": "active",
    }
    out = [first]
    for position, image in enumerate(listing.images, start=1):
        row = first if position == 1 else {"Handle": first["Handle"]}
        row.update({"Image Src": image.url, "Image Position": str(position), "Image Alt Text": image.alt_text})
        if position > 1:
            out.append(row)
    return [{column: row.get(column, "") for column in COLUMNS} for row in out]


def csv_text(listings: list[Listing]) -> str:
    """The import file: the header row, then every listing's rows."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for listing in listings:
        writer.writerows(rows(listing))
    return out.getvalue()


def body_html(description: str) -> str:
    """Plain text as HTML paragraphs (escaped: the description is text, not markup)."""
    paragraphs = [" ".join(p.split()) for p in description.split("\n\n")]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs if p)
