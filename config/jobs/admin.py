from django.contrib import admin, messages

from config.admin_base import ReadOnlyInline
from config.errors import ApplicationError
from config.jobs import services
from config.jobs.models import Job, JobEvent, JobStep


class JobStepInline(ReadOnlyInline):
    model = JobStep
    fields = ["name", "item", "status", "started_at", "duration_ms", "error"]
    readonly_fields = fields


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "owner", "status", "progress", "current_step", "error_code", "attempts",
                    "cluster", "created_at", "finished_at"]
    list_filter = ["status", "kind", "cluster", "error_code"]
    search_fields = ["id", "owner__email", "kind", "error_code"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]
    readonly_fields = [f.name for f in Job._meta.fields]
    inlines = [JobStepInline]
    actions = ["retry", "cancel"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Retry selected failed or cancelled jobs")
    def retry(self, request, queryset):
        self._apply(request, queryset, services.retry_job, "retried")

    @admin.action(description="Cancel selected unfinished jobs")
    def cancel(self, request, queryset):
        self._apply(request, queryset, services.cancel_job, "cancelled")

    def _apply(self, request, queryset, action, verb: str) -> None:
        done, refused = 0, 0
        for job in queryset.select_related("owner"):
            try:
                action(job.owner, job_id=job.pk)
                done += 1
            except ApplicationError:
                refused += 1
        self.message_user(request, f"{done} job(s) {verb}; {refused} skipped (wrong state or over plan).",
                          messages.SUCCESS if not refused else messages.WARNING)


@admin.register(JobEvent)
class JobEventAdmin(admin.ModelAdmin):
    list_display = ["id", "job", "type", "step", "item", "status", "created_at"]
    list_filter = ["type", "status"]
    search_fields = ["job__id", "step"]
    readonly_fields = [f.name for f in JobEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
