"""Design specs, their versions, and an audit row per API request."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.jobs.models import Job
from designs.choices import Endpoint, Generator


class DesignSpecQuerySet(models.QuerySet):
    def for_user(self, user) -> "DesignSpecQuerySet":
        return self.filter(owner=user)


class DesignSpec(models.Model):
    """One design; each generate or follow-up prompt adds a ``DesignVersion``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="design_specs")
    name = models.CharField(max_length=200)
    design_type = models.CharField(max_length=32, db_index=True)
    category = models.CharField(max_length=32)
    # The last object number handed out ("obj_007" -> 7), so removed ids are never reused.
    last_object_number = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DesignSpecQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> "DesignVersion":
        return self.versions.order_by("-minor").first()


class DesignVersion(models.Model):
    """One version of a spec: what was asked, what was made, how, and what changed."""

    spec = models.ForeignKey(DesignSpec, on_delete=models.CASCADE, related_name="versions")
    # Versions read "1.0", "1.1", ...: ``minor`` counts the edits.
    minor = models.PositiveIntegerField()
    prompt = models.TextField()
    context = models.JSONField(default=dict, blank=True)
    style = models.CharField(max_length=200, blank=True)
    constraints = models.JSONField(default=list, blank=True)
    spec_json = models.JSONField()
    diff = models.JSONField(default=dict, blank=True)
    generator = models.CharField(max_length=16, choices=Generator.choices)
    model = models.CharField(max_length=200, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    repairs = models.PositiveSmallIntegerField(default=0)
    corrections = models.JSONField(default=list, blank=True)
    # Why the language model's answer was not used, when the rules made this version instead.
    fallback_reason = models.TextField(blank=True)
    processing_ms = models.PositiveIntegerField(default=0)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author = models.CharField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["spec", "minor"]
        constraints = [models.UniqueConstraint(fields=["spec", "minor"], name="design_version_unique")]

    def __str__(self) -> str:
        return f"{self.spec.name} v{self.label}"

    @property
    def label(self) -> str:
        return f"1.{self.minor}"


class DesignRequest(models.Model):
    """The audit log the document promises: every generate request, answered or refused."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    key_prefix = models.CharField(max_length=32, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    endpoint = models.CharField(max_length=8, choices=Endpoint.choices)
    status_code = models.PositiveSmallIntegerField()
    error_code = models.CharField(max_length=32, blank=True)
    spec = models.ForeignKey(DesignSpec, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version_label = models.CharField(max_length=16, blank=True)
    processing_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.status_code} {self.created_at:%Y-%m-%d %H:%M:%S}"
