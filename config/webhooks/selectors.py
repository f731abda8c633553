"""Reads of a user's webhook endpoints and deliveries, for the API and the page alike.

Another user's id is ``NotFound``, never the object.
"""

from django.db.models import Prefetch, QuerySet

from config.errors import NotFound
from config.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def endpoints_for(owner) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.for_user(owner)


def endpoint_for(owner, endpoint_id) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.for_user(owner).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound("Webhook not found.")
    return endpoint


def deliveries_for(owner, endpoint_id) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, each with its attempts."""
    endpoint = endpoint_for(owner, endpoint_id)
    attempts = Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("started_at", "id"))
    return endpoint.deliveries.order_by("-created_at").prefetch_related(attempts)


def delivery_for(owner, *, endpoint_id, delivery_id) -> WebhookDelivery:
    delivery = (WebhookDelivery.objects.select_related("endpoint")
                .filter(pk=delivery_id, endpoint_id=endpoint_id, endpoint__owner=owner).first())
    if delivery is None:
        raise NotFound("Delivery not found.")
    return delivery
