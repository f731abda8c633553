from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "config.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from config.audit import receivers  # noqa: F401 - connects the auth and admin-log receivers
