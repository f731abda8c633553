from django.apps import AppConfig


class AiConfig(AppConfig):
    """Registers the ``download_models`` command; the package has no models."""

    name = "config.ai"
    label = "ai"
    verbose_name = "AI engines"
