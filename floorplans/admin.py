from django.contrib import admin

from floorplans.models import FloorplanSession, Room, RoomPhoto, RoomRevision


class RoomInline(admin.TabularInline):
    model = Room
    fields = ["index", "label", "type", "review_status", "analysis_source", "revision_number", "finished", "grade"]
    readonly_fields = ["index", "label", "type", "analysis_source", "revision_number"]
    extra = 0
    show_change_link = True


@admin.register(FloorplanSession)
class FloorplanSessionAdmin(admin.ModelAdmin):
    list_display = ["address", "owner", "current_step", "is_finalized", "satellite_status", "created_at",
                    "expires_at"]
    list_filter = ["is_finalized", ("satellite_job__status", admin.ChoicesFieldListFilter)]
    search_fields = ["address", "owner__email"]
    list_select_related = ["owner", "satellite_job"]
    readonly_fields = ["created_at", "updated_at", "satellite_job"]
    inlines = [RoomInline]


class RevisionInline(admin.TabularInline):
    model = RoomRevision
    fields = ["number", "source", "author", "feedback", "changes", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class PhotoInline(admin.TabularInline):
    model = RoomPhoto
    fields = ["direction", "compass_heading", "uploaded_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["label", "session", "type", "review_status", "analysis_source", "revision_number"]
    list_filter = ["type", "review_status", "analysis_source"]
    search_fields = ["label", "session__address"]
    inlines = [PhotoInline, RevisionInline]
