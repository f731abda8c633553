"""Product feeds (additions to seed 001): Google Merchant Center TSV and XML, Shopify CSV, and readiness.

Each feed holds the user's active products that miss nothing the feed requires;
``/api/v1/feeds/readiness`` lists every product that is not archived with what
each feed still needs. Read-tier rate limit.
"""

import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from catalog.api import serializers as s
from catalog.api.views import TAGS, CatalogAPIView
from catalog.feeds import export


class FileRenderer(BaseRenderer):
    """Lets a client ask for the feed's own media type (``Accept: text/csv``) instead of a 406;
    an error answered to such a request keeps its JSON body."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode() if isinstance(data, dict | list) else data


class TSVRenderer(FileRenderer):
    media_type, format = "text/tab-separated-values", "tsv"


class XMLRenderer(FileRenderer):
    media_type, format = "application/xml", "xml"


class CSVRenderer(FileRenderer):
    media_type, format = "text/csv", "csv"


def download(content, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def file_schema(operation_id: str, media_type: str, description: str):
    # The route's dot (google.tsv) would otherwise become part of the generated operation id.
    body = OpenApiResponse(OpenApiTypes.STR, description=description)
    return extend_schema(operation_id=operation_id, tags=TAGS, responses={(200, media_type): body})


class GoogleTSVFeedView(CatalogAPIView):
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, TSVRenderer]

    @file_schema("catalog_feeds_google_tsv_retrieve", "text/tab-separated-values",
                 "Google Merchant Center attributes, one header row, tab-separated.")
    def get(self, request):
        """Google Merchant Center product feed as a TSV file."""
        return download(export.google_tsv(request.user), content_type="text/tab-separated-values; charset=utf-8",
                        filename="google-products.tsv")


class GoogleXMLFeedView(CatalogAPIView):
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, XMLRenderer]

    @file_schema("catalog_feeds_google_xml_retrieve", "application/xml",
                 "RSS 2.0 with Google's g: namespace, one item per product.")
    def get(self, request):
        """Google Merchant Center product feed as RSS 2.0 XML."""
        return download(export.google_xml(request.user), content_type="application/xml; charset=utf-8",
                        filename="google-products.xml")


class ShopifyCSVFeedView(CatalogAPIView):
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]

    @file_schema("catalog_feeds_shopify_csv_retrieve", "text/csv",
                 "Shopify's product import columns; further photos on rows of their own.")
    def get(self, request):
        """Shopify product import CSV."""
        return download(export.shopify_csv(request.user), content_type="text/csv; charset=utf-8",
                        filename="shopify-products.csv")


class FeedReadinessView(CatalogAPIView):
    @extend_schema(responses={200: s.FeedReadinessSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        """Each product that is not archived, with the attributes each feed still misses (empty when ready)."""
        return Response(s.FeedReadinessSerializer(export.readiness(request.user), many=True).data)
