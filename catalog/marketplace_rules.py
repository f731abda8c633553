"""Marketplace image rules as data: what each marketplace measures, the limit and where it says so.

``catalog.compliance`` evaluates them; changing a limit means changing one row
here. ``quantity`` names what is compared (see ``compliance.QUANTITIES``).
``advisory`` rows are the marketplaces' recommendations: reported, never a
failure of the listing. A row with ``apparel_threshold`` uses it for the
categories in ``taxonomy.APPAREL``.
"""

from dataclasses import dataclass

AMAZON = "amazon"
GOOGLE_MERCHANT = "google_merchant"
SHOPIFY = "shopify"
EBAY = "ebay"

AMAZON_IMAGES = ("Amazon Seller Central Help, Product image requirements: "
                 "https://sellercentral.amazon.com/help/hub/reference/external/G1881")
GOOGLE_IMAGE_LINK = ("Google Merchant Center Help, Image link [image_link]: "
                     "https://support.google.com/merchants/answer/6324350")
SHOPIFY_MEDIA = ("Shopify Help Center, Product media types: "
                 "https://help.shopify.com/en/manual/products/product-media/product-media-types")
EBAY_PICTURE_POLICY = "eBay Help, Picture policy: https://www.ebay.com/help/policies/listing-policies/picture-policy?id=4370"
EBAY_ADDING_PICTURES = ("eBay Help, Adding pictures to your listings: "
                        "https://www.ebay.com/help/selling/listings/creating-managing-listings/add-pictures?id=4148")

AT_LEAST = ">="
AT_MOST = "<="
IS = "is"

# Google writes "16 MB" without saying which megabyte; the decimal one is the
# smaller, so a file that passes here passes there.
MB = 1_000_000


@dataclass(frozen=True)
class Rule:
    marketplace: str
    rule: str
    quantity: str
    comparison: str
    threshold: float | str
    source: str
    advisory: bool = False
    apparel_threshold: float | None = None


RULES: tuple[Rule, ...] = (
    # Amazon's MAIN image: pure white (RGB 255, 255, 255) background, the product
    # filling 85% or more of the frame, and 1000 px or more on the longest side
    # so shoppers can zoom. White is checked with a tolerance (catalog.measure.WHITE_LEVEL).
    Rule(AMAZON, "main_image_white_background", "background", IS, "rgb(255, 255, 255)", AMAZON_IMAGES),
    Rule(AMAZON, "main_image_product_fill", "fill_ratio", AT_LEAST, 0.85, AMAZON_IMAGES),
    Rule(AMAZON, "zoom_longest_side", "long_side", AT_LEAST, 1000, AMAZON_IMAGES),
    # Google: at least 100 x 100 (250 x 250 for apparel), no larger than 64 MP or 16 MB;
    # 800 x 800 or more is recommended.
    Rule(GOOGLE_MERCHANT, "minimum_size", "short_side", AT_LEAST, 100, GOOGLE_IMAGE_LINK, apparel_threshold=250),
    Rule(GOOGLE_MERCHANT, "maximum_megapixels", "megapixels", AT_MOST, 64, GOOGLE_IMAGE_LINK),
    Rule(GOOGLE_MERCHANT, "maximum_file_size", "file_size_bytes", AT_MOST, 16 * MB, GOOGLE_IMAGE_LINK),
    Rule(GOOGLE_MERCHANT, "recommended_size", "short_side", AT_LEAST, 800, GOOGLE_IMAGE_LINK, advisory=True),
    # Shopify: "up to 4472 x 4472 px or 20 megapixels" - one limit, 4472 x 4472 being its
    # square (19.999 MP); a 6000 x 3000 photo (18 MP) is accepted. Square 2048 x 2048 is
    # recommended.
    Rule(SHOPIFY, "maximum_megapixels", "megapixels", AT_MOST, 20, SHOPIFY_MEDIA),
    Rule(SHOPIFY, "recommended_size", "short_side", AT_LEAST, 2048, SHOPIFY_MEDIA, advisory=True),
    Rule(SHOPIFY, "recommended_square", "aspect_ratio", AT_MOST, 1.0, SHOPIFY_MEDIA, advisory=True),
    # eBay: at least 500 px on the longest side; 1600 px recommended.
    Rule(EBAY, "minimum_longest_side", "long_side", AT_LEAST, 500, EBAY_PICTURE_POLICY),
    Rule(EBAY, "recommended_longest_side", "long_side", AT_LEAST, 1600, EBAY_ADDING_PICTURES, advisory=True),
)
