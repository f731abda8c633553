"""Named constants for floor plans."""

from django.db import models


class Direction(models.TextChoices):
    NORTH = "north", "North"
    EAST = "east", "East"
    SOUTH = "south", "South"
    WEST = "west", "West"


class RoomKind(models.TextChoices):
    BEDROOM = "bedroom", "Bedroom"
    BATHROOM = "bathroom", "Bathroom"
    KITCHEN = "kitchen", "Kitchen"
    LIVING_ROOM = "living_room", "Living room"
    DINING_ROOM = "dining_room", "Dining room"
    FAMILY_ROOM = "family_room", "Family room"
    OFFICE = "office", "Office"
    HALLWAY = "hallway", "Hallway"
    LAUNDRY = "laundry", "Laundry"
    CLOSET = "closet", "Closet"
    GARAGE = "garage", "Garage"
    PORCH = "porch", "Porch"
    BASEMENT = "basement", "Basement"
    ATTIC = "attic", "Attic"
    OTHER = "other", "Other"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"


class AnalysisSource(models.TextChoices):
    VISION = "vision", "Vision model"
    MANUAL = "manual", "Entered by hand"
    RESTORED = "restored", "Restored revision"
    LIDAR = "lidar", "LiDAR scan (RoomPlan)"


class Grade(models.TextChoices):
    ABOVE = "above", "Above grade"
    BELOW = "below", "Below grade"


class StartingCorner(models.TextChoices):
    NE = "NE", "North-east"
    NW = "NW", "North-west"
    SE = "SE", "South-east"
    SW = "SW", "South-west"


class SatelliteStatus(models.TextChoices):
    """The session's ``satelliteStatus``, read from its lookup job (no lookup yet: none)."""

    PROCESSING = "processing", "Looking up"
    DONE = "done", "Found"
    FAILED = "failed", "Not found"


class ExportFormat(models.TextChoices):
    SVG = "svg", "SVG"
    DXF = "dxf", "DXF"
    PDF = "pdf", "PDF"
    PNG = "png", "PNG"
    IFC = "ifc", "IFC"


class ExportScale(models.TextChoices):
    """Seed 004's ``?scale=``: true architectural scales (the PDF's default is a quarter inch)."""

    QUARTER = "quarter", '1/4" = 1 ft'
    EIGHTH = "eighth", '1/8" = 1 ft'


class Paper(models.TextChoices):
    """Seed 004's ``?paper=`` (letter by default)."""

    LETTER = "letter", "Letter"
    TABLOID = "tabloid", "Tabloid"



# ``?dpi=`` of the PNG export: pixels per inch of the printed sheet.
PNG_DPI_DEFAULT, PNG_DPI_MIN, PNG_DPI_MAX = 150, 72, 600
