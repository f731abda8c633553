"""Product feeds (additions to seed 001): Google Merchant Center TSV and XML, Shopify CSV, and readiness.

Each feed holds the user's active products that miss nothing the feed requires;
``/api/v1/feeds/readiness`` lists every product that is not archived with what
each feed still needs. Read-tier rate limit.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from catalog.api import serializers as s
from catalog.api.views import TAGS, CatalogAPIView
from catalog.feeds import export


def download(content, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def file_schema(media_type: str, description: str):
    return extend_schema(tags=TAGS, responses={(200, media_type): OpenApiResponse(OpenApiTypes.STR,
                                                                                   description=description)})


class GoogleTSVFeedView(CatalogAPIView):
    @file_schema("text/tab-separated-values", "Google Merchant Center attributes, one header row, tab-separated.")
    def get(self, request):
        """Google Merchant Center product feed as a TSV file."""
        return download(export.google_tsv(request.user), content_type="text/tab-separated-values; charset=utf-8",
                        filename="google-products.tsv")


class GoogleXMLFeedView(CatalogAPIView):
    @file_schema("application/xml", "RSS 2.0 with Google's g: namespace, one item per product.")
    def get(self, request):
        """Google Merchant Center product feed as RSS 2.0 XML."""
        return download(export.google_xml(request.user), content_type="application/xml; charset=utf-8",
                        filename="google-products.xml")


class ShopifyCSVFeedView(CatalogAPIView):
    @file_schema("text/csv", "Shopify's product import columns; further photos on rows of their own.")
    def get(self, request):
        """Shopify product import CSV."""
        return download(export.shopify_csv(request.user), content_type="text/csv; charset=utf-8",
                        filename="shopify-products.csv")


class FeedReadinessView(CatalogAPIView):
    @extend_schema(responses={200: s.FeedReadinessSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        """Each product that is not archived, with the attributes each feed still misses (empty when ready)."""
        return Response(s.FeedReadinessSerializer(export.readiness(request.user), many=True).data)
