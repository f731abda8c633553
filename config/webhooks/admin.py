from django.contrib import admin, messages

from config.admin_base import ReadOnlyInline
from config.webhooks import services
from config.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "owner", "events", "active", "disabled_reason", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "owner__email"]
    list_select_related = ["owner"]
    # The secret stays encrypted and out of sight; endpoints are created by their owner, who alone sees it.
    fields = ["owner", "url", "events", "active", "disabled_reason", "created_at"]
    readonly_fields = ["owner", "url", "events", "active", "disabled_reason", "created_at"]
    actions = ["disable"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Disable selected endpoints (stops their pending deliveries)")
    def disable(self, request, queryset):
        count = sum(services.disable_endpoint(endpoint, reason="Disabled by StageCraft staff.", notify=False)
                    for endpoint in queryset.filter(active=True))
        self.message_user(request, f"{count} endpoint(s) disabled.", messages.SUCCESS)


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ["started_at", "url", "status_code", "ok", "latency_ms", "response_excerpt", "error"]
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event_type", "endpoint", "status", "attempt_count", "next_attempt_at", "created_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["event_id", "endpoint__url", "endpoint__owner__email"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
