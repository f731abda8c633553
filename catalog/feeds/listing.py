"""What the feeds say about one product: its own fields, its photos, and the analysis' copy."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from catalog.choices import AnalysisStatus, UploadStatus
from catalog.models import AnalysisResult, Product
from config.files.signing import media_url


@dataclass(frozen=True)
class FeedImage:
    url: str
    alt_text: str  # written by the language model in the photo's analysis; blank without one


@dataclass(frozen=True)
class Listing:
    """One product as the feeds see it. ``description`` is the seller's, else the language model's."""

    product_id: str
    status: str
    title: str
    description: str
    tags: list[str]
    product_type: str
    price: Decimal | None
    currency: str
    brand: str
    gtin: str
    mpn: str
    condition: str
    availability: str
    link: str
    google_product_category: str
    shopify_product_category: str
    images: list[FeedImage]


def listings_for(owner, *, products=None) -> list[Listing]:
    """``owner``'s products (or the given ones of theirs) as listings, newest first."""
    products = list(products if products is not None else Product.objects.for_user(owner).prefetch_related("images"))
    latest = _latest_analyses([image.pk for product in products for image in product.images.all()])
    return [_listing(product, latest) for product in products]


def _latest_analyses(image_ids: list) -> dict:
    latest: dict = {}
    for analysis in AnalysisResult.objects.filter(image_id__in=image_ids, status=AnalysisStatus.COMPLETED) \
            .order_by("-created_at"):
        latest.setdefault(analysis.image_id, analysis)
    return latest


def _listing(product: Product, latest: dict) -> Listing:
    images = [image for image in product.images.all() if image.upload_status == UploadStatus.UPLOADED]
    primary = latest.get(images[0].pk) if images else None
    return Listing(
        product_id=str(product.pk), status=product.status, title=product.title.strip(),
        description=(product.description or product.ai_description or "").strip(),
        tags=list(primary.tags or []) if primary else [],
        product_type=" > ".join(part for part in (product.category, product.subcategory) if part),
        price=product.price, currency=product.currency or settings.CATALOG_DEFAULT_CURRENCY,
        brand=product.brand.strip(), gtin=product.gtin, mpn=product.mpn.strip(), condition=product.condition,
        availability=product.availability, link=product.link,
        google_product_category=product.google_product_category.strip(),
        shopify_product_category=product.shopify_product_category,
        images=[FeedImage(absolute_media_url(image.s3_key),
                          (latest[image.pk].alt_text or "") if image.pk in latest else "") for image in images],
    )


def absolute_media_url(name: str) -> str:
    """A signed URL of a stored file that crawlers can fetch, valid ``CATALOG_FEED_IMAGE_URL_EXPIRES`` seconds."""
    url = media_url(name, expires_in=settings.CATALOG_FEED_IMAGE_URL_EXPIRES)
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL.rstrip("/") + url
