"""Engine settings saved by staff, over the deployment's environment."""

from django.conf import settings
from django.db import models

from config import crypto


class EngineOverride(models.Model):
    """One AI setting (``AI_LLM_MODEL``, ``AI_IMAGE_BASE_URL``...) saved from the API or the Engines page.

    Read through ``config.ai.overrides.current()``, never directly: that is the
    cached source the engines use. Values are stored encrypted, so an API key
    saved here is as safe at rest as a platform token.
    """

    name = models.CharField(max_length=60, unique=True)
    encrypted_value = models.TextField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "engine setting"
        verbose_name_plural = "Engines (settings and connection tests)"

    def __str__(self) -> str:
        return self.name

    @property
    def value(self) -> str:
        return crypto.decrypt(self.encrypted_value)
