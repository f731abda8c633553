"""One row per audited event; written once, never edited."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.audit.choices import AuditAction


class AuditEvent(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # SET_NULL keeps the trail when a user is deleted; actor_email says who it was.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_email = models.CharField(max_length=254, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    target_type = models.CharField(max_length=100, blank=True, help_text="app_label.model of the object acted on")
    target_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at"]), models.Index(fields=["action", "-created_at"]),
                   models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        who = self.actor_email or "anonymous"
        return f"{self.get_action_display()} by {who} at {self.created_at:%Y-%m-%d %H:%M:%S}"
