"""Staff tools for the personas app.

Rows that record what happened (rule runs, metric samples, update events,
engagement read back from a platform) are read-only. A platform account's
encrypted credentials are never shown or editable here.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from config.errors import ApplicationError
from config.files.signing import media_url
from personas.choices import Direction
from personas.models import (
    AutomationRule,
    Character,
    ContentItem,
    EngagementAction,
    Generation,
    MetricSample,
    OAuthRegistration,
    PersonaEvent,
    PersonaSettings,
    PlatformAccount,
    Post,
    RuleRun,
    ScheduledPost,
)
from personas.services import accounts, characters, rules, system


def _image(field, height: int = 60) -> str:
    if not field or not field.name:
        return "—"
    return format_html('<img src="{}" alt="" style="height:{}px;border-radius:4px">', media_url(field.name), height)


class RecordAdmin(admin.ModelAdmin):
    """A log of what happened: staff may read and delete it, never write it."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CharacterAdminForm(forms.ModelForm):
    class Meta:
        model = Character
        fields = ["name", "bio", "age", "location", "timezone", "interests", "personality", "appearance",
                  "platforms", "banned_topics", "disclosure_line"]

    def clean_timezone(self):
        try:
            return characters.validate_timezone(self.cleaned_data["timezone"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(Character)
class CharacterAdmin(admin.ModelAdmin):
    form = CharacterAdminForm
    list_display = ["name", "avatar", "owner", "status", "timezone", "created_at", "deleted_at"]
    list_filter = ["status", "timezone", "deleted_at"]
    search_fields = ["name", "bio", "owner__email", "id"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    # Images are checked by content on the way in (pages and API); status moves through the actions.
    readonly_fields = ["id", "owner", "status", "status_reason", "profile_image", "face_reference", "seed_family",
                       "created_at", "updated_at", "deleted_at"]
    actions = ["pause", "resume"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="Avatar")
    def avatar(self, character):
        return _image(character.profile_image, 40)

    def save_model(self, request, obj, form, change) -> None:
        # Through the same service as the pages and the API, so the same checks hold (time zone, fields).
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        personality, appearance = changed.pop("personality", None), changed.pop("appearance", None)
        fields = {name: value for name, value in changed.items() if name in characters.SCALAR_FIELDS}
        try:
            characters.update_character(obj.owner, character_id=obj.pk, personality=personality,
                                        appearance=appearance, **fields)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    @admin.action(description="Pause automation of the selected characters")
    def pause(self, request, queryset):
        self._each(request, queryset, characters.pause_character, "paused")

    @admin.action(description="Resume the selected characters")
    def resume(self, request, queryset):
        self._each(request, queryset, characters.resume_character, "resumed")

    def _each(self, request, queryset, change, verb: str) -> None:
        done = 0
        for character in queryset.select_related("owner"):
            try:
                change(character.owner, character_id=character.pk)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{character}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{done} character(s) {verb}.", messages.SUCCESS)


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = ["id", "character", "content_type", "status", "success_count", "failure_count", "created_at",
                    "completed_at"]
    # The status is the job's.
    list_filter = ["job__status", "content_type", "is_nsfw"]
    search_fields = ["id", "prompt", "character__name", "character__owner__email", "error_message"]
    list_select_related = ["character", "job"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Generation._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    list_display = ["id", "preview", "character", "content_type", "review", "reviewed_by", "is_nsfw", "times_used",
                    "created_at"]
    list_filter = ["review", "content_type", "is_nsfw", "category"]
    search_fields = ["id", "prompt", "caption", "character__name", "character__owner__email"]
    list_select_related = ["character", "reviewed_by"]
    date_hierarchy = "created_at"
    # The review is the operator's decision through the pages or the API, which also notify and trigger rules.
    readonly_fields = [f.name for f in ContentItem._meta.fields] + ["large"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="Preview")
    def preview(self, item):
        return _image(item.thumbnail or item.file, 48)

    @admin.display(description="File")
    def large(self, item):
        return _image(item.file, 320)


@admin.register(PlatformAccount)
class PlatformAccountAdmin(admin.ModelAdmin):
    list_display = ["account_username", "platform", "character", "auth_type", "connection_status", "follower_count",
                    "token_expires_at", "last_synced_at"]
    list_filter = ["platform", "connection_status", "auth_type"]
    search_fields = ["account_username", "server_url", "platform_user_id", "character__name",
                     "character__owner__email"]
    list_select_related = ["character"]
    # Encrypted or not, a credential has no business on a staff screen.
    exclude = ["credentials_encrypted"]
    readonly_fields = [f.name for f in PlatformAccount._meta.fields if f.name != "credentials_encrypted"]
    actions = ["disconnect"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Disconnect the selected accounts (their credentials are wiped)")
    def disconnect(self, request, queryset):
        for account in queryset.select_related("character__owner"):
            accounts.disconnect_account(account.character.owner, account_id=account.pk)
        self.message_user(request, f"{queryset.count()} account(s) disconnected.", messages.SUCCESS)


@admin.register(OAuthRegistration)
class OAuthRegistrationAdmin(RecordAdmin):
    """StageCraft's app on each Mastodon instance. Deleting one makes the next connection register afresh."""

    list_display = ["server_url", "platform", "client_id", "redirect_uri", "created_at"]
    list_filter = ["platform"]
    search_fields = ["server_url", "client_id"]
    exclude = ["client_secret_encrypted"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["id", "character", "account", "status", "attempts", "likes_count", "comments_count",
                    "shares_count", "published_at"]
    list_filter = ["status", "account__platform", "post_type"]
    search_fields = ["id", "caption", "platform_post_id", "character__name", "character__owner__email"]
    list_select_related = ["character", "account"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Post._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ScheduledPost)
class ScheduledPostAdmin(admin.ModelAdmin):
    list_display = ["id", "character", "account", "scheduled_at", "timezone", "recurrence", "status", "attempts"]
    list_filter = ["status", "account__platform", "timezone"]
    search_fields = ["id", "caption", "character__name", "character__owner__email", "last_error"]
    list_select_related = ["character", "account"]
    date_hierarchy = "scheduled_at"
    readonly_fields = [f.name for f in ScheduledPost._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


class RuleRunInline(admin.TabularInline):
    model = RuleRun
    fields = ["created_at", "trigger", "status", "dry_run", "depth", "detail"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0
    ordering = ["-created_at"]


@admin.register(AutomationRule)
class AutomationRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "character", "trigger_type", "action", "is_enabled", "next_run_at", "last_run_at"]
    list_filter = ["is_enabled", "trigger_type", "action", "content_type"]
    search_fields = ["name", "description", "character__name", "character__owner__email"]
    list_select_related = ["character"]
    readonly_fields = [f.name for f in AutomationRule._meta.fields]
    inlines = [RuleRunInline]
    actions = ["enable", "disable"]

    @admin.action(description="Enable the selected rules")
    def enable(self, request, queryset):
        self._switch(request, queryset, enabled=True)

    @admin.action(description="Disable the selected rules")
    def disable(self, request, queryset):
        self._switch(request, queryset, enabled=False)

    def _switch(self, request, queryset, *, enabled: bool) -> None:
        for rule in queryset.select_related("character__owner"):
            rules.set_enabled(rule.character.owner, rule.pk, enabled=enabled)
        self.message_user(request, f"{queryset.count()} rule(s) {'enabled' if enabled else 'disabled'}.",
                          messages.SUCCESS)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RuleRun)
class RuleRunAdmin(RecordAdmin):
    list_display = ["rule", "trigger", "status", "dry_run", "depth", "created_at"]
    list_filter = ["status", "dry_run"]
    search_fields = ["rule__name", "trigger", "rule__character__name"]
    list_select_related = ["rule"]
    date_hierarchy = "created_at"


@admin.register(EngagementAction)
class EngagementActionAdmin(admin.ModelAdmin):
    list_display = ["action_type", "direction", "character", "account", "target_id", "status", "created_at"]
    list_filter = ["direction", "action_type", "status"]
    search_fields = ["target_id", "target_url", "comment_text", "platform_action_id", "character__name"]
    list_select_related = ["character", "account"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in EngagementAction._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # What the platform told us happened is a record; outbound rows stay viewable too.
        if obj is not None and obj.direction == Direction.INBOUND:
            return False
        return super().has_change_permission(request, obj)


@admin.register(MetricSample)
class MetricSampleAdmin(RecordAdmin):
    list_display = ["account", "metric", "value", "post", "sampled_at"]
    list_filter = ["metric", "account__platform"]
    search_fields = ["account__account_username", "account__character__name"]
    list_select_related = ["account", "post"]
    date_hierarchy = "sampled_at"


@admin.register(PersonaEvent)
class PersonaEventAdmin(RecordAdmin):
    list_display = ["id", "type", "owner", "created_at"]
    list_filter = ["type"]
    search_fields = ["owner__email", "type"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"


class PersonaSettingsForm(forms.ModelForm):
    class Meta:
        model = PersonaSettings
        fields = ["data"]
        help_texts = {"data": 'Sections "stable_diffusion" and "ollama" (base_url, default_model) and "storage" '
                              '(type local|s3, path), as PUT /api/v1/settings takes them. Never put secrets here.'}

    def clean_data(self):
        from personas.api.system import SettingsInputSerializer

        serializer = SettingsInputSerializer(data=self.cleaned_data["data"] or {})
        if not serializer.is_valid():
            raise forms.ValidationError(str(serializer.errors))
        return serializer.validated_data


@admin.register(PersonaSettings)
class PersonaSettingsAdmin(admin.ModelAdmin):
    form = PersonaSettingsForm
    list_display = ["__str__", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return not PersonaSettings.objects.exists()

    def save_model(self, request, obj, form, change) -> None:
        # Through the same service as the API, so updated_by and the one-row rule hold.
        system.update_settings(request.user, data=form.cleaned_data["data"])
        obj.pk = PersonaSettings.objects.order_by("pk").values_list("pk", flat=True).first()
