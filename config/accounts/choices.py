"""Named constants for accounts."""

from django.db import models


class Plan(models.TextChoices):
    TRIAL = "trial", "Trial"
    PROFESSIONAL = "professional", "Professional"
    ENTERPRISE = "enterprise", "Enterprise"
