import json

from django.contrib import admin
from django.utils.html import format_html

from config.admin_base import ReadOnlyInline
from designs.models import DesignRequest, DesignSpec, DesignVersion


def _pretty(value) -> str:
    return format_html('<pre style="white-space:pre-wrap;max-height:32em;overflow:auto">{}</pre>',
                       json.dumps(value, indent=2, ensure_ascii=False))


class DesignVersionInline(ReadOnlyInline):
    model = DesignVersion
    fields = ["label", "prompt", "generator", "model", "repairs", "created_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(DesignSpec)
class DesignSpecAdmin(admin.ModelAdmin):
    list_display = ["name", "design_type", "category", "owner", "versions_count", "updated_at"]
    list_filter = ["design_type", "category", "versions__generator"]
    # The prompt search runs over every version's prompt.
    search_fields = ["id", "name", "owner__email", "versions__prompt"]
    list_select_related = ["owner"]
    readonly_fields = ["id", "owner", "design_type", "category", "last_object_number", "created_at", "updated_at"]
    inlines = [DesignVersionInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    @admin.display(description="Versions")
    def versions_count(self, spec):
        return spec.versions.count()


@admin.register(DesignVersion)
class DesignVersionAdmin(admin.ModelAdmin):
    """Versions are records of what was generated: read-only, with their diff."""

    list_display = ["spec", "label", "generator", "model", "repairs", "processing_ms", "created_at"]
    list_filter = ["generator"]
    search_fields = ["prompt", "spec__name", "spec__id"]
    list_select_related = ["spec"]
    exclude = ["spec_json", "diff", "corrections", "context", "constraints"]
    readonly_fields = ["spec", "label", "prompt", "style", "context_pretty", "constraints_pretty", "generator",
                       "model", "input_tokens", "output_tokens", "repairs", "fallback_reason", "corrections_pretty",
                       "diff_pretty", "spec_pretty", "processing_ms", "job", "author", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Context")
    def context_pretty(self, version):
        return _pretty(version.context)

    @admin.display(description="Constraints")
    def constraints_pretty(self, version):
        return _pretty(version.constraints)

    @admin.display(description="Corrections")
    def corrections_pretty(self, version):
        return _pretty(version.corrections)

    @admin.display(description="Diff from the previous version")
    def diff_pretty(self, version):
        return _pretty(version.diff)

    @admin.display(description="Spec JSON")
    def spec_pretty(self, version):
        return _pretty(version.spec_json)


@admin.register(DesignRequest)
class DesignRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "status_code", "error_code", "user", "key_prefix", "ip",
                    "processing_ms"]
    list_filter = ["endpoint", "status_code", "error_code"]
    search_fields = ["user__email", "key_prefix", "ip"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
