"""Google Merchant Center product feeds: a tab-separated file and an RSS 2.0 file with the ``g:`` namespace.

Attributes as Google's product data specification names them. In the TSV the
first row names the attributes, fields hold no tabs or line breaks (they are
folded into spaces) and ``additional_image_link`` is one comma-separated field;
in the XML it repeats. ``price`` is ``15.00 USD``; ``availability`` and
``condition`` take Google's values (``in_stock``, ``new``, ...).
"""

from xml.etree import ElementTree

from catalog.feeds.listing import Listing

NAMESPACE = "http://base.google.com/ns/1.0"
COLUMNS = ["id", "title", "description", "link", "image_link", "additional_image_link", "availability", "price",
           "brand", "gtin", "mpn", "condition", "google_product_category"]
MAX_ADDITIONAL_IMAGES = 10  # Google reads at most ten additional images


def attributes(listing: Listing) -> dict[str, str | list[str]]:
    """The listing's attributes by Google's names; ``additional_image_link`` is a list."""
    urls = [image.url for image in listing.images]
    return {
        "id": listing.product_id, "title": listing.title, "description": listing.description, "link": listing.link,
        "image_link": urls[0] if urls else "", "additional_image_link": urls[1:1 + MAX_ADDITIONAL_IMAGES],
        "availability": listing.availability, "price": f"{listing.price:.2f} {listing.currency}",
        "brand": listing.brand, "gtin": listing.gtin, "mpn": listing.mpn, "condition": listing.condition,
        "google_product_category": listing.google_product_category,
    }


def tsv(listings: list[Listing]) -> str:
    """The feed as Google's tab-separated text file, header row first."""
    lines = ["\t".join(COLUMNS)]
    for listing in listings:
        values = attributes(listing)
        lines.append("\t".join(_field(",".join(values[c]) if isinstance(values[c], list) else values[c])
                               for c in COLUMNS))
    return "\n".join(lines) + "\n"


def xml(listings: list[Listing], *, title: str, link: str, description: str) -> bytes:
    """The feed as RSS 2.0 with one ``item`` per product, every attribute in the ``g:`` namespace."""
    ElementTree.register_namespace("g", NAMESPACE)
    rss = ElementTree.Element("rss", {"version": "2.0"})
    channel = ElementTree.SubElement(rss, "channel")
    for name, text in (("title", title), ("link", link), ("description", description)):
        ElementTree.SubElement(channel, name).text = text
    for listing in listings:
        item = ElementTree.SubElement(channel, "item")
        for name, value in attributes(listing).items():
            for text in value if isinstance(value, list) else [value]:
                if text:
                    ElementTree.SubElement(item, f"{{{NAMESPACE}}}{name}").text = text
    return ElementTree.tostring(rss, encoding="utf-8", xml_declaration=True)


def _field(value: str) -> str:
    return " ".join(value.split())  # tabs and line breaks would end the field or the row
