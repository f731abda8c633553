"""Products: create, update, delete (with their images, findings and stored files)."""

from contextlib import suppress

from django.db import transaction

from catalog.choices import ItemStatus, ProductStatus
from catalog.gtin import gtin_problem
from catalog.models import BatchItem, Product
from catalog.selectors import product_for
from catalog.services.settling import refund_items
from catalog.shopify_category import category_problem
from config.errors import Conflict, ValidationFailed
from config.files.storage import delete_files
from config.jobs import services as jobs
from config.jobs.choices import FINISHED_STATUSES

# The feeds' fields (price, brand, GTIN, ...) come after seed 001's own.
FEED_FIELDS = ("price", "currency", "brand", "gtin", "mpn", "condition", "availability", "link",
               "google_product_category", "shopify_product_category")
PRODUCT_FIELDS = ("title", "description", "category", "subcategory", "status", "metadata", *FEED_FIELDS)


def create_product(owner, *, title: str, description: str = "", category: str = "", subcategory: str = "",
                   status: str = ProductStatus.DRAFT, metadata: dict | None = None, **feed_fields) -> Product:
    """Create a product (a draft unless told otherwise); ``feed_fields`` are ``FEED_FIELDS``.

    ``ValidationFailed`` for a GTIN whose length or check digit is wrong, a Shopify product category
    of another shape than a taxonomy path or id, or another field.
    """
    _check_fields(feed_fields)
    return Product.objects.create(owner=owner, title=title.strip(), description=description, category=category,
                                  subcategory=subcategory, status=status, metadata=metadata or {}, **feed_fields)


def update_product(owner, *, product_id, changes: dict) -> Product:
    """Change the given fields of one of ``owner``'s products (``PRODUCT_FIELDS`` only)."""
    product = product_for(owner, product_id)
    _check_fields(changes)
    for name, value in changes.items():
        setattr(product, name, value.strip() if name == "title" else value)
    product.save(update_fields=[*changes, "updated_at"])
    return product


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    problem = gtin_problem(fields.get("gtin") or "") or category_problem(fields.get("shopify_product_category") or "")
    if problem:
        raise ValidationFailed(problem)


def delete_product(owner, *, product_id) -> None:
    """Delete a product with its images, analyses and findings, and its stored files.

    Files go once the delete has committed, so a rolled-back delete keeps them.
    Unfinished jobs left with no image are cancelled, giving their units back.
    """
    product = product_for(owner, product_id)
    names = [name for image in product.images.all() for name in image.stored_names()]
    job_ids = set(BatchItem.objects.filter(image__product=product).exclude(job__status__in=FINISHED_STATUSES)
                  .values_list("job_id", flat=True))
    with transaction.atomic():
        # Items go with their images: units of images not analysed yet go back first.
        refund_items(BatchItem.objects.filter(image__product=product).exclude(status=ItemStatus.COMPLETED),
                     owner_id=product.owner_id)
        product.delete()
        transaction.on_commit(lambda: delete_files(names))
    for job_id in job_ids:
        if not BatchItem.objects.filter(job_id=job_id).exists():
            with suppress(Conflict):  # it finished meanwhile
                jobs.cancel_job(owner, job_id=job_id)
