from django.contrib import admin, messages
from django.utils.html import format_html

from config.admin_base import ReadOnlyInline
from config.files.signing import media_url
from staging import services
from staging.models import Batch, DisclosureProfile, RoomSet, Staging, StagingDraft, Style


def _image(field, height: int = 80) -> str:
    if not field or not field.name:
        return "—"
    return format_html('<img src="{}" alt="" style="height:{}px;border-radius:4px">', media_url(field.name), height)


@admin.register(Style)
class StyleAdmin(admin.ModelAdmin):
    list_display = ["name", "id", "price_range", "active", "sort_order", "preview"]
    list_editable = ["active", "sort_order"]
    list_filter = ["active", "price_range"]
    search_fields = ["id", "name", "description"]
    ordering = ["sort_order"]
    actions = ["activate", "deactivate"]

    @admin.display(description="Preview")
    def preview(self, style):
        return _image(style.preview_image, 48)

    @admin.action(description="Activate selected styles")
    def activate(self, request, queryset):
        self.message_user(request, f"{queryset.update(active=True)} style(s) activated.", messages.SUCCESS)

    @admin.action(description="Deactivate selected styles")
    def deactivate(self, request, queryset):
        self.message_user(request, f"{queryset.update(active=False)} style(s) deactivated.", messages.SUCCESS)


@admin.register(DisclosureProfile)
class DisclosureProfileAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "mark", "link_to_original", "active", "sort_order"]
    list_editable = ["active", "sort_order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Staging)
class StagingAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "style", "mode", "room_type", "status", "quality_score", "architectural_integrity",
                    "consistency_score", "property_name", "created_at", "before", "after"]
    list_filter = ["mode", "style", "quality_mode", "room_type", "architectural_integrity", "job__status"]
    search_fields = ["id", "owner__email", "property_name"]
    list_select_related = ["owner", "style", "job"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Staging._meta.fields] + ["before_large", "emptied_large", "after_large"]
    actions = ["delete_files_now"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="Status")
    def status(self, staging):
        return staging.status

    @admin.display(description="Before")
    def before(self, staging):
        return "deleted" if staging.files_deleted_at else _image(staging.original_image)

    @admin.display(description="After")
    def after(self, staging):
        return "deleted" if staging.files_deleted_at else _image(staging.thumbnail)

    @admin.display(description="Original")
    def before_large(self, staging):
        return _image(staging.original_image, 320)

    @admin.display(description="Emptied (declutter)")
    def emptied_large(self, staging):
        return _image(staging.emptied_image, 320)

    @admin.display(description="Staged")
    def after_large(self, staging):
        return _image(staging.web_image, 320)

    @admin.action(description="Run the retention sweep now (deletes files past the retention period)")
    def delete_files_now(self, request, queryset):
        self.message_user(request, f"Deleted the files of {services.delete_expired_files()} staging(s).")


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "property_name", "style", "total_images", "estimated_completion_at", "created_at"]
    search_fields = ["property_name", "owner__email"]
    list_select_related = ["owner", "style"]


class RoomSetPhotoInline(ReadOnlyInline):
    model = Staging
    fk_name = "room_set"
    fields = ["id", "status", "seed", "quality_score", "integrity_score", "pixel_lock_share", "consistency_score",
              "after"]
    readonly_fields = fields
    show_change_link = True

    @admin.display(description="Status")
    def status(self, staging):
        return staging.status

    @admin.display(description="Staged")
    def after(self, staging):
        return "deleted" if staging.files_deleted_at else _image(staging.thumbnail)


@admin.register(RoomSet)
class RoomSetAdmin(admin.ModelAdmin):
    """Room sets: their photos side by side with each one's figures and consistency."""

    list_display = ["id", "owner", "property_name", "style", "room_type", "status", "consistency", "created_at"]
    list_filter = ["style", "room_type", "created_at"]
    search_fields = ["id", "owner__email", "property_name"]
    list_select_related = ["owner", "style"]
    readonly_fields = [field.name for field in RoomSet._meta.fields]
    inlines = [RoomSetPhotoInline]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="Status")
    def status(self, room_set):
        return room_set.status


@admin.register(StagingDraft)
class StagingDraftAdmin(admin.ModelAdmin):
    """Photos people prepared while no image engine answered; they stage them from the upload page."""

    list_display = ["id", "owner", "style", "mode", "room_type", "quality_mode", "property_name", "created_at"]
    list_filter = ["mode", "style", "quality_mode", "room_type", "created_at"]
    search_fields = ["owner__email", "property_name"]
    list_select_related = ["owner", "style"]
    readonly_fields = [field.name for field in StagingDraft._meta.fields] + ["photo"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="Photo")
    def photo(self, draft):
        return _image(draft.original_image, 320)

    # Deleting here goes through the service, which also removes the stored photo.
    def delete_model(self, request, draft) -> None:
        services.delete_draft(draft.owner, draft_id=draft.pk)

    def delete_queryset(self, request, queryset) -> None:
        for draft in queryset.select_related("owner"):
            services.delete_draft(draft.owner, draft_id=draft.pk)
