"""Events other code announces rather than calls us for.

Sign-in outcomes come from django.contrib.auth's signals (the session login
page, the API login and the admin all authenticate through them), and staff
changes from the admin's own ``LogEntry`` rows, so every ModelAdmin is covered
without editing each one. Bulk admin actions, which write no single
``LogEntry``, are recorded by ``AuditMiddleware``.
"""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from config.audit import services
from config.audit.choices import AuditAction

_ADMIN_ACTIONS = {ADDITION: AuditAction.ADMIN_ADDITION, CHANGE: AuditAction.ADMIN_CHANGE,
                  DELETION: AuditAction.ADMIN_DELETION}


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    # Django has already masked secrets in credentials; keep only the login name.
    login_name = credentials.get("email") or credentials.get("username") or ""
    services.record_quietly(AuditAction.LOGIN_FAILED, request=request, detail={"login": str(login_name)})


@receiver(user_logged_in, dispatch_uid="audit_logged_in")
def logged_in(sender, request, user, **kwargs) -> None:
    services.record_quietly(AuditAction.LOGIN_SUCCEEDED, actor=user, request=request, target=user)


@receiver(user_logged_out, dispatch_uid="audit_logged_out")
def logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        services.record_quietly(AuditAction.LOGOUT, actor=user, request=request, target=user)


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_log_entry")
def admin_log_entry(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if not created or instance.action_flag not in _ADMIN_ACTIONS:
        return
    content_type = instance.content_type
    services.record(
        _ADMIN_ACTIONS[instance.action_flag], actor=instance.user,
        target_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        target_id=instance.object_id or "",
        detail={"object": instance.object_repr, "change": instance.get_change_message()},
    )
