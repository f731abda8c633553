"""Users (email login, plan and metering) and their API keys."""

import hashlib
import uuid
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from config.accounts.choices import Plan


def default_notification_preferences() -> dict:
    """The keys of seed 000's User model."""
    return {"email_on_completion": True, "processing_updates": False}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("plan", Plan.ENTERPRISE)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    company = models.CharField(max_length=200, blank=True)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.TRIAL)
    # Null means "the plan's default" (settings.PLAN_LIMITS); staff may override.
    monthly_usage_limit = models.PositiveIntegerField(null=True, blank=True)
    usage_this_cycle = models.PositiveIntegerField(default=0)
    cycle_started_at = models.DateTimeField(default=timezone.now)
    default_style = models.CharField(max_length=64, blank=True)
    notification_preferences = models.JSONField(default=default_notification_preferences, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def usage_limit(self) -> int:
        if self.monthly_usage_limit is not None:
            return self.monthly_usage_limit
        return settings.PLAN_LIMITS.get(self.plan, 0)

    @property
    def cycle_resets_at(self) -> datetime:
        return self.cycle_started_at + relativedelta(months=1)

    @property
    def usage_remaining(self) -> int:
        return max(0, self.usage_limit - self.usage_this_cycle)


class APIKeyQuerySet(models.QuerySet):
    def for_user(self, user) -> "APIKeyQuerySet":
        return self.filter(owner=user)

    def active(self) -> "APIKeyQuerySet":
        return self.filter(revoked_at__isnull=True)


class APIKey(models.Model):
    """A bearer credential. Only its SHA-256 is stored.

    Keys carry 256 random bits, so a fast hash is enough: there is nothing to
    brute-force, unlike a password.
    """

    PREFIX_LENGTH = 8

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = APIKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} (sc_{self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def hash(raw_key: str) -> str:
        return hashlib.sha256(raw_key.encode()).hexdigest()
