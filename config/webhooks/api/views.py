"""Webhook endpoints over REST (issue 16 §3), in the platform's ``{"detail": ...}`` envelope.

Malformed input answers 422 like the rest of the platform; a URL the outbound
policy refuses and an unknown event name answer 400 with the reason.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.input import parse
from config.api.pagination import limit_params
from config.api.schema import limit_page
from config.webhooks import selectors, services
from config.webhooks.api import serializers as s

TAGS = ["webhooks"]
REFUSED = OpenApiResponse(description="URL_NOT_ALLOWED, UNKNOWN_EVENT or TOO_MANY_ENDPOINTS: the URL (a private "
                                      "address, not http(s)), an event name or the number of endpoints is refused")
DISABLED = OpenApiResponse(description="ENDPOINT_DISABLED: the endpoint is disabled; enable it first")


class WebhookListView(APIView):
    @extend_schema(responses={200: s.WebhookSerializer(many=True)}, tags=TAGS)
    def get(self, request):
        """The user's webhook endpoints, newest first. Secrets are never listed."""
        return Response(s.WebhookSerializer(selectors.endpoints_for(request.user), many=True).data)

    @extend_schema(request=s.WebhookInputSerializer, responses={201: s.WebhookCreatedSerializer, 400: REFUSED},
                   tags=TAGS)
    def post(self, request):
        """Create an endpoint. Its signing secret (``whsec_…``) is in this response only."""
        data = parse(s.WebhookInputSerializer, request.data)
        endpoint, secret = services.create_endpoint(request.user, url=data["url"], events=data["events"])
        return Response({**s.WebhookSerializer(endpoint).data, "secret": secret}, status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    @extend_schema(responses={200: s.WebhookSerializer}, tags=TAGS)
    def get(self, request, webhook_id):
        """One endpoint (without its secret)."""
        return Response(s.WebhookSerializer(selectors.endpoint_for(request.user, webhook_id)).data)

    @extend_schema(request=s.WebhookUpdateInputSerializer, responses={200: s.WebhookSerializer, 400: REFUSED},
                   tags=TAGS)
    def patch(self, request, webhook_id):
        """Change the URL or events; ``active: true`` enables a disabled endpoint, ``false`` stops its deliveries."""
        data = parse(s.WebhookUpdateInputSerializer, request.data)
        endpoint = services.update_endpoint(request.user, endpoint_id=webhook_id, **data)
        return Response(s.WebhookSerializer(endpoint).data)

    @extend_schema(responses={204: None}, tags=TAGS)
    def delete(self, request, webhook_id):
        """Delete the endpoint and its deliveries; pending ones are not sent."""
        services.delete_endpoint(request.user, endpoint_id=webhook_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListView(APIView):
    @extend_schema(parameters=[OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
                   responses={200: limit_page("WebhookDeliveryPage", "deliveries", s.WebhookDeliverySerializer)},
                   tags=TAGS)
    def get(self, request, webhook_id):
        """The endpoint's deliveries, newest first, each with its attempts: ``{deliveries, total, limit, offset}``."""
        window = limit_params(request.query_params)
        deliveries, total = window.slice(selectors.deliveries_for(request.user, webhook_id))
        return Response({"deliveries": s.WebhookDeliverySerializer(deliveries, many=True).data, "total": total,
                         "limit": window.limit, "offset": window.offset})


class WebhookDeliveryResendView(APIView):
    @extend_schema(request=None, responses={202: s.WebhookDeliverySerializer, 409: DISABLED}, tags=TAGS)
    def post(self, request, webhook_id, delivery_id):
        """Send a delivery again now (same ``webhook-id`` and body), with a fresh 24-hour retry window."""
        delivery = services.resend_delivery(request.user, endpoint_id=webhook_id, delivery_id=delivery_id)
        return Response(s.WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookTestView(APIView):
    @extend_schema(request=None, responses={202: s.WebhookDeliverySerializer, 409: DISABLED}, tags=TAGS)
    def post(self, request, webhook_id):
        """Queue a ``webhook.test`` event to this endpoint, whatever events it subscribes to."""
        delivery = services.send_test_event(request.user, endpoint_id=webhook_id)
        return Response(s.WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
