"""The admin index entry "Engines (settings and connection tests)" under AI engines: it opens the Engines page."""

from django.contrib import admin
from django.shortcuts import redirect

from config.admin_base import ReadOnlyAdmin
from config.ai.models import EngineOverride


@admin.register(EngineOverride)
class EngineOverrideAdmin(ReadOnlyAdmin):
    """No list or form of its own: secrets are edited only on the Engines page, through the service."""

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def changelist_view(self, request, extra_context=None):
        return redirect("ai:engines")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("ai:engines")
