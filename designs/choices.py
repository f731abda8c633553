"""Enumerations of the designs app."""

from django.db import models


class Generator(models.TextChoices):
    # The document's two values of metadata.generation_method.
    LM_ADAPTER = "lm_adapter", "Language model"
    RULE_BASED = "rule_based", "Rule-based"


class Endpoint(models.TextChoices):
    V2 = "v2", "POST /api/v1/generate"
    V1 = "v1", "POST /generate"
    PAGE = "page", "Pages"
