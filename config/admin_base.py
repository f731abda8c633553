"""Admin pieces more than one part of the project uses."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows staff may read but never add, change or delete here (an audit trail; secrets kept elsewhere)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Child rows listed under their parent, never added or deleted there (the app's services make them)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False
