from rest_framework import serializers

from config.api.fields import CheckedChoiceField, CheckedURLField
from config.webhooks.choices import EVENTS
from config.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

EVENTS_HELP = f"Event names; empty or absent means every event. Known: {', '.join(EVENTS)}."


class WebhookInputSerializer(serializers.Serializer):
    # Plain strings: the service refuses unknown events and disallowed URLs with a 400 and says why.
    url = CheckedURLField(checked_by_service=True, max_length=2000, help_text="An http(s) URL on a public address.")
    events = serializers.ListField(child=CheckedChoiceField(choices=EVENTS), max_length=50,
                                   required=False, default=list, help_text=EVENTS_HELP)


class WebhookUpdateInputSerializer(serializers.Serializer):
    url = CheckedURLField(checked_by_service=True, max_length=2000, required=False)
    events = serializers.ListField(child=CheckedChoiceField(choices=EVENTS), max_length=50,
                                   required=False, help_text=EVENTS_HELP)
    active = serializers.BooleanField(required=False, help_text="true enables a disabled endpoint again.")


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "active", "disabled_reason", "created_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="The signing secret (whsec_…). Shown in this response only.")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["started_at", "url", "status_code", "ok", "latency_ms", "response_excerpt", "error"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempts = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event_type", "event_id", "status", "attempt_count", "next_attempt_at", "created_at",
                  "payload", "attempts"]
