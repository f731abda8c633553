"""Named constants for the audit log."""

from django.db import models


class AuditAction(models.TextChoices):
    LOGIN_SUCCEEDED = "login.succeeded", "Sign-in succeeded"
    LOGIN_FAILED = "login.failed", "Sign-in failed"
    LOGIN_THROTTLED = "login.throttled", "Sign-in throttled"
    LOGOUT = "logout", "Signed out"
    API_KEY_CREATED = "api_key.created", "API key created"
    API_KEY_REVOKED = "api_key.revoked", "API key revoked"
    PERMISSION_DENIED = "permission.denied", "Permission denied (403)"
    ADMIN_ADDITION = "admin.addition", "Admin: added"
    ADMIN_CHANGE = "admin.change", "Admin: changed"
    ADMIN_DELETION = "admin.deletion", "Admin: deleted"
    ADMIN_ACTION = "admin.action", "Admin: bulk action"
