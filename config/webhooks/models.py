"""Webhooks: a user's endpoints, the events delivered to them, and every attempt to deliver one.

A delivery is one event for one endpoint. It stays ``pending`` while attempts
are due (``next_attempt_at``) and ends ``succeeded`` on a 2xx or ``failed``
once its 24 hours of retries are spent. Its ``event_id`` is the Standard
Webhooks ``webhook-id``, the same on every attempt so the receiver can drop
duplicates; one event reaches an endpoint at most once (unique together).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from config import crypto
from config.webhooks.choices import DeliveryStatus, Event

EXCERPT_LENGTH = 500


class WebhookEndpointQuerySet(models.QuerySet):
    def for_user(self, user) -> "WebhookEndpointQuerySet":
        return self.filter(owner=user)


class WebhookEndpoint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(max_length=2000)
    # Event names (config.webhooks.choices.EVENTS); empty means every event.
    events = models.JSONField(default=list, blank=True)
    # "whsec_" + base64 of the signing key, encrypted with config/crypto.py. Shown to the owner once.
    secret_encrypted = models.TextField()
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "active"])]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        """Whether ``event`` goes to this endpoint (the test event always does)."""
        return event == Event.TEST or not self.events or event in self.events

    @property
    def secret(self) -> str:
        """The signing secret in its ``whsec_`` form; raises ``crypto.SecretUnreadable``."""
        return crypto.decrypt(self.secret_encrypted)


class WebhookDelivery(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=64)
    event_id = models.CharField(max_length=100)
    # The body sent, as stored: {"type", "timestamp", "data"}; every attempt sends the same bytes.
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    # When the next attempt is due (None once settled). While an attempt runs it is pushed a lease
    # ahead, so the sweep hands a delivery whose worker died to the broker again.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the due attempt was handed to the broker; None means the sweep still has to.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # Start of the current 24-hour retry window: creation, or the last resend.
    window_started_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="unique_event_per_endpoint")]
        indexes = [models.Index(fields=["status", "next_attempt_at"]), models.Index(fields=["endpoint", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery, with what the receiver answered."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField(default=timezone.now)
    # The URL that answered last (after redirects).
    url = models.CharField(max_length=2000, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    latency_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=EXCERPT_LENGTH, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["delivery", "started_at"])]

    def __str__(self) -> str:
        return f"{self.status_code or self.error[:40]} in {self.latency_ms} ms"
