from django.apps import AppConfig


class AiConfig(AppConfig):
    """The engines, their status page, the ``download_models`` command and the saved engine settings."""

    name = "config.ai"
    label = "ai"
    verbose_name = "AI engines"
