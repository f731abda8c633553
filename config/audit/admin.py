from django.contrib import admin

from config.admin_base import ReadOnlyAdmin
from config.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: an audit trail staff could edit would prove nothing."""

    list_display = ["created_at", "action", "actor_email", "ip", "target_type", "target_id", "request_id"]
    list_filter = ["action", "target_type", "created_at"]
    search_fields = ["actor_email", "ip", "target_id", "request_id"]
    date_hierarchy = "created_at"
    list_select_related = False
    readonly_fields = ["created_at", "action", "actor", "actor_email", "ip", "target_type", "target_id", "detail",
                       "request_id"]
    fields = readonly_fields
