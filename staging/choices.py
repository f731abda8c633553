"""Named constants for staging."""

from django.db import models


class StagingStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class QualityMode(models.TextChoices):
    STANDARD = "standard", "Standard"
    PREMIUM = "premium", "Premium"


class StagingMode(models.TextChoices):
    """What a request does to the room: furnish it, empty it, or empty it and then furnish it."""

    STAGE = "stage", "Stage"
    DECLUTTER = "declutter", "Declutter (empty the room)"
    DECLUTTER_AND_STAGE = "declutter_and_stage", "Declutter, then stage"


class RoomType(models.TextChoices):
    LIVING_ROOM = "living_room", "Living room"
    BEDROOM = "bedroom", "Bedroom"
    DINING_ROOM = "dining_room", "Dining room"
    KITCHEN = "kitchen", "Kitchen"
    HOME_OFFICE = "home_office", "Home office"
    BATHROOM = "bathroom", "Bathroom"
    KIDS_ROOM = "kids_room", "Kids' room"
    ENTRYWAY = "entryway", "Entryway"


class RoomTypeSource(models.TextChoices):
    GIVEN = "given", "Given by the user"
    LANGUAGE_MODEL = "language_model", "Language model"
    LABELER = "labeler", "Image labels"
    ASSUMED = "assumed", "Assumed (no signal)"


class PriceRange(models.TextChoices):
    LUXURY = "luxury", "Luxury"
    PREMIUM = "premium", "Premium"
    STANDARD = "standard", "Standard"


class DisclosureMark(models.TextChoices):
    """How a listing rule wants virtual staging disclosed on the image itself."""

    NONE = "none", "No mark on the image"
    CAPTION = "caption", "Statement next to the image (caption band)"
    WATERMARK = "watermark", "Watermark over the image"
