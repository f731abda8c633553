from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from config.accounts import services
from config.accounts.models import APIKey, User
from config.admin_base import ReadOnlyInline


# Keys are created by their owner, who alone sees the secret: none are added here.
class APIKeyInline(ReadOnlyInline):
    model = APIKey
    fields = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "company", "plan", "usage_this_cycle", "usage_limit", "is_active",
                    "is_staff", "created_at"]
    list_filter = ["plan", "is_active", "is_staff"]
    search_fields = ["email", "full_name", "company"]
    readonly_fields = ["created_at", "last_login"]
    inlines = [APIKeyInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name", "company", "default_style", "notification_preferences"]}),
        ("Plan and usage", {"fields": ["plan", "monthly_usage_limit", "usage_this_cycle", "cycle_started_at"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "created_at"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2", "plan"]})]
    actions = ["reset_usage"]

    @admin.action(description="Reset usage for this cycle")
    def reset_usage(self, request, queryset):
        count = queryset.update(usage_this_cycle=0)
        self.message_user(request, f"Usage reset for {count} user(s).", messages.SUCCESS)


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "owner", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "owner__email"]
    readonly_fields = ["owner", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            services.revoke_api_key(key.owner, key_id=key.pk)
        self.message_user(request, "Selected keys revoked.", messages.SUCCESS)
