"""Catalog's dashboard tile (registered with config.dashboard)."""

from django.urls import reverse

from catalog.models import BatchItem, Product
from config.dashboard import RECENT, Tile, TileItem


def tile(user) -> Tile:
    recent = Product.objects.filter(owner=user).order_by("-updated_at")[:RECENT]
    # What took plan usage: one unit per photo analysed (staff re-runs and failed photos take none).
    analysed = BatchItem.objects.filter(job__owner=user, usage_counted=True,
                                        job__created_at__gte=user.cycle_started_at).count()
    return Tile(
        product="Product catalog", description="Check product photos against marketplace rules and describe them.",
        start_url=reverse("catalog:products"), start_label="Add a product", list_url=reverse("catalog:products"),
        used_this_cycle=analysed, usage_unit="photos analysed",
        items=[TileItem(product.title, product.get_status_display(), reverse("catalog:product", args=[product.pk]))
               for product in recent],
    )
