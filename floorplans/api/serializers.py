"""Seed 004's camelCase shapes: what each request may carry, and every answer.

Output serializers read model rows through ``source`` and plain dicts by key.
The room ``analysis`` is passed through as stored (a model may add keys the
document allows), with its documented shape in the OpenAPI schema.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.files.signing import media_url
from floorplans.choices import (
    PNG_DPI_DEFAULT,
    PNG_DPI_MAX,
    PNG_DPI_MIN,
    AnalysisSource,
    Direction,
    ExportScale,
    Grade,
    Paper,
    ReviewStatus,
    RoomKind,
    SatelliteStatus,
    StartingCorner,
)
from floorplans.models import FloorplanSession, Room, RoomPhoto

# -- Input ----------------------------------------------------------------------------------------


class SessionInputSerializer(serializers.Serializer):
    address = serializers.CharField(max_length=300)


class SessionPatchSerializer(serializers.Serializer):
    startingCorner = serializers.ChoiceField(choices=StartingCorner.choices, required=False, source="starting_corner")
    currentStep = serializers.CharField(max_length=50, required=False, source="current_step")
    currentRoomIndex = serializers.IntegerField(min_value=0, max_value=200, required=False,
                                                source="current_room_index")


class HouseBoundsSerializer(serializers.Serializer):
    width = serializers.FloatField(min_value=1, max_value=1000)
    height = serializers.FloatField(min_value=1, max_value=1000)
    shape = serializers.CharField(max_length=30)
    shapeVertices = serializers.ListField(child=serializers.ListField(child=serializers.FloatField(), min_length=2,
                                                                      max_length=2), required=False, max_length=200)
    roofOverhangEstimate = serializers.FloatField(min_value=0, max_value=10, required=False)


class HouseBoundsInputSerializer(serializers.Serializer):
    houseBounds = HouseBoundsSerializer()


class RoomInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=RoomKind.choices)
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ScanFieldsSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=RoomKind.choices)
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ScanJSONSerializer(ScanFieldsSerializer):
    """A RoomPlan ``CapturedRoom`` or ``CapturedStructure`` as ``scan`` in a JSON body."""

    scan = serializers.DictField(help_text="The CapturedRoom or CapturedStructure as Apple's JSONEncoder writes it.")


class ScanUploadSerializer(ScanFieldsSerializer):
    """The same scan as the JSON ``file`` of a form upload."""

    file = serializers.FileField(allow_empty_file=True, help_text="The exported JSON file.")


class PhotoInputSerializer(serializers.Serializer):
    # An empty file reaches services.upload_photo, which answers INVALID_IMAGE_FORMAT like any bad photo.
    image = serializers.FileField(allow_empty_file=True)
    # A form has no null: leave the field out when there is no heading.
    compassHeading = serializers.FloatField(min_value=0, max_value=360, required=False)


# A base64 data URL (or bare base64), as files.decode_data_url reads it; the bytes are checked after.
BASE64_DATA_URL = r"^((data:[!-+\--~]*,)?([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)?$"


class ReviseInputSerializer(serializers.Serializer):
    feedback = serializers.CharField(max_length=4000, allow_blank=True, default="")
    annotationImage = serializers.RegexField(
        BASE64_DATA_URL, max_length=14_000_000, required=False, allow_blank=True, default="",
        help_text="Optional PNG of the agent's drawing over the plan, as a data:image/png;base64 URL; "
                  "sent to the model.")


class AnalysisInputSerializer(serializers.Serializer):
    analysis = serializers.DictField(help_text="The room's analysis in the RoomAnalysis shape; checked by the service.")


class RoomPositionSerializer(serializers.Serializer):
    x = serializers.FloatField(min_value=-1000, max_value=1000)
    y = serializers.FloatField(min_value=-1000, max_value=1000)


class SharedWallSerializer(serializers.Serializer):
    fromWall = serializers.ChoiceField(choices=Direction.choices)
    toWall = serializers.ChoiceField(choices=Direction.choices)
    connectionStart = serializers.FloatField(min_value=0)
    connectionWidth = serializers.FloatField(min_value=0)


class ConnectionSerializer(serializers.Serializer):
    toRoomId = serializers.UUIDField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    connectionType = serializers.CharField(max_length=30)
    sharedWall = SharedWallSerializer(required=False)


class RoomPatchSerializer(serializers.Serializer):
    reviewStatus = serializers.ChoiceField(choices=ReviewStatus.choices, required=False, source="review_status")
    position = RoomPositionSerializer(required=False)
    connections = ConnectionSerializer(many=True, required=False)
    finished = serializers.BooleanField(required=False)
    grade = serializers.ChoiceField(choices=Grade.choices, required=False)


class MergeInputSerializer(serializers.Serializer):
    newRoomId = serializers.UUIDField()
    adjacentRoomId = serializers.UUIDField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    connectionType = serializers.CharField(max_length=30, default="door")


class FeedbackInputSerializer(ReviseInputSerializer):
    feedback = serializers.CharField(max_length=4000)


class ExportQuerySerializer(serializers.Serializer):
    scale = serializers.ChoiceField(choices=ExportScale.choices, default=ExportScale.QUARTER)
    paper = serializers.ChoiceField(choices=Paper.choices, default=Paper.LETTER)
    dpi = serializers.IntegerField(min_value=PNG_DPI_MIN, max_value=PNG_DPI_MAX, default=PNG_DPI_DEFAULT)


# -- The room analysis (documented shape, stored dict passed through) ------------------------------

OPENING_KINDS = ["door", "window", "closet", "opening"]  # named OpeningTypeEnum in the schema


class OpeningSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=OPENING_KINDS)
    position = serializers.FloatField(help_text="Feet from the wall's west (north/south walls) or north end.")
    width = serializers.FloatField(help_text="Feet.")


class WallsSerializer(serializers.Serializer):
    north = OpeningSerializer(many=True)
    east = OpeningSerializer(many=True)
    south = OpeningSerializer(many=True)
    west = OpeningSerializer(many=True)


class RoomDimensionsSerializer(serializers.Serializer):
    width = serializers.FloatField(help_text="East-west interior extent, feet.")
    height = serializers.FloatField(help_text="North-south interior extent, feet.")
    confidence = serializers.FloatField(required=False, min_value=0, max_value=1)


class ReferenceObjectSerializer(serializers.Serializer):
    type = serializers.CharField()
    knownSize = serializers.FloatField()
    scaleFactor = serializers.FloatField()


class NotchSerializer(serializers.Serializer):
    corner = serializers.ChoiceField(choices=["NE", "NW", "SE", "SW"])
    width = serializers.FloatField()
    depth = serializers.FloatField()
    walls = serializers.DictField(child=OpeningSerializer(many=True), required=False)


class PolygonOpeningSerializer(OpeningSerializer):
    wall = serializers.IntegerField(min_value=0, help_text="The wall's index: wall k runs from vertex k to k + 1.")
    position = serializers.FloatField(help_text="Feet along the wall from its first vertex to the opening's near "
                                                "edge.")
    sillHeight = serializers.FloatField(required=False, help_text="Feet above the floor (scanned rooms).")
    headHeight = serializers.FloatField(required=False, help_text="Feet above the floor (scanned rooms).")


class PolygonSerializer(serializers.Serializer):
    vertices = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2), min_length=3,
        help_text="[x, y] feet from the room's north-west bounding corner (x east, y south), clockwise on the plan.")
    openings = PolygonOpeningSerializer(many=True)


class RoomAnalysisSerializer(serializers.Serializer):
    dimensions = RoomDimensionsSerializer()
    ceilingHeight = serializers.FloatField(allow_null=True)
    walls = WallsSerializer()
    referenceObject = ReferenceObjectSerializer(allow_null=True)
    shape = serializers.ChoiceField(choices=["rectangle", "L-shape", "polygon"])
    notch = NotchSerializer(required=False, help_text="The rectangle cut out of an L-shaped room's corner.")
    polygon = PolygonSerializer(required=False, help_text="A polygon room's outline (a LiDAR scan whose walls are "
                                                          "not square); its four compass walls are empty.")


@extend_schema_field(RoomAnalysisSerializer(allow_null=True))
class AnalysisField(serializers.JSONField):
    """The stored analysis as it is, documented as ``RoomAnalysis``."""


# -- Output ---------------------------------------------------------------------------------------


class PlanSizeSerializer(serializers.Serializer):
    width = serializers.FloatField()
    height = serializers.FloatField()


class HouseBoundsOutputSerializer(serializers.Serializer):
    width = serializers.FloatField()
    height = serializers.FloatField()
    shape = serializers.CharField()
    shapeVertices = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()), required=False)
    satelliteImageUrl = serializers.CharField(required=False, help_text="Signed, time-limited URL of the aerial "
                                                                         "image.")
    satelliteScale = serializers.FloatField(required=False, help_text="Feet per image pixel.")
    roofOverhangEstimate = serializers.FloatField(required=False)
    confidence = serializers.FloatField(required=False)
    dataSource = serializers.ChoiceField(choices=["satellite", "manual"])


class CalibrationSerializer(serializers.Serializer):
    scaleFactor = serializers.FloatField()
    adjustments = serializers.ListField(child=serializers.CharField())
    overallDimensions = PlanSizeSerializer()
    scaleReference = serializers.CharField()


class PhotoSerializer(serializers.ModelSerializer):
    s3Key = serializers.CharField(source="image.name")
    compassHeading = serializers.FloatField(source="compass_heading", allow_null=True)
    uploadedAt = serializers.DateTimeField(source="uploaded_at")
    url = serializers.SerializerMethodField(help_text="Signed, time-limited URL of the photo.")

    class Meta:
        model = RoomPhoto
        fields = ["direction", "s3Key", "compassHeading", "uploadedAt", "url"]

    def get_url(self, photo: RoomPhoto) -> str:
        return media_url(photo.image.name)


class RoomCreatedSerializer(serializers.ModelSerializer):
    roomId = serializers.CharField(source="pk")
    reviewStatus = serializers.ChoiceField(source="review_status", choices=ReviewStatus.choices)

    class Meta:
        model = Room
        fields = ["roomId", "index", "type", "label", "reviewStatus"]


class RoomSerializer(RoomCreatedSerializer):
    analysis = AnalysisField()
    analysisConfidence = serializers.FloatField(source="analysis_confidence", allow_null=True)
    analysisSource = serializers.ChoiceField(source="analysis_source", choices=AnalysisSource.choices,
                                             allow_null=True)
    revisionNumber = serializers.IntegerField(source="revision_number")
    svgData = serializers.CharField(source="svg_data", allow_null=True)
    position = RoomPositionSerializer(allow_null=True)
    connections = ConnectionSerializer(many=True)
    photos = serializers.SerializerMethodField(help_text="Keyed by direction.")

    class Meta(RoomCreatedSerializer.Meta):
        fields = [*RoomCreatedSerializer.Meta.fields, "analysis", "analysisConfidence", "analysisSource",
                  "revisionNumber", "svgData", "position", "connections", "finished", "grade", "photos"]

    def to_representation(self, room: Room) -> dict:
        data = super().to_representation(room)
        # Not yet analysed reads as null, as the session's plan fields do.
        return data | {"analysisSource": room.analysis_source or None, "svgData": room.svg_data or None}

    @extend_schema_field(serializers.DictField(child=PhotoSerializer()))
    def get_photos(self, room: Room) -> dict:
        return {photo.direction: PhotoSerializer(photo).data for photo in room.photos.all()}


class SessionCreatedSerializer(serializers.ModelSerializer):
    sessionId = serializers.CharField(source="pk")
    houseBounds = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")

    class Meta:
        model = FloorplanSession
        fields = ["sessionId", "address", "houseBounds", "createdAt"]

    @extend_schema_field(HouseBoundsOutputSerializer(allow_null=True))
    def get_houseBounds(self, session: FloorplanSession) -> dict | None:  # noqa: N802 - the document's name
        if not session.house_bounds:
            return None
        bounds = dict(session.house_bounds)
        image = bounds.pop("satelliteImage", None)
        if image:
            bounds["satelliteImageUrl"] = media_url(image)
        return HouseBoundsOutputSerializer(bounds).data


class HouseBoundsAnswerSerializer(SessionCreatedSerializer):
    class Meta(SessionCreatedSerializer.Meta):
        fields = ["sessionId", "houseBounds"]


class SessionSerializer(SessionCreatedSerializer):
    startingCorner = serializers.ChoiceField(source="starting_corner", choices=StartingCorner.choices,
                                             allow_null=True)
    satelliteStatus = serializers.ChoiceField(source="satellite_status", choices=SatelliteStatus.choices,
                                              allow_null=True, help_text="Of the latest satellite lookup; null "
                                                                         "before any.")
    currentStep = serializers.CharField(source="current_step")
    currentRoomIndex = serializers.IntegerField(source="current_room_index")
    rooms = serializers.SerializerMethodField()
    roomPositions = serializers.DictField(source="room_positions", child=RoomPositionSerializer())
    mergedPlanSvg = serializers.CharField(source="merged_plan_svg", allow_null=True)
    finalPlanSvg = serializers.CharField(source="final_plan_svg", allow_null=True)
    calibration = CalibrationSerializer(allow_null=True)
    isFinalized = serializers.BooleanField(source="is_finalized")
    updatedAt = serializers.DateTimeField(source="updated_at")
    expiresAt = serializers.DateTimeField(source="expires_at")

    class Meta(SessionCreatedSerializer.Meta):
        fields = ["sessionId", "address", "startingCorner", "houseBounds", "satelliteStatus", "currentStep",
                  "currentRoomIndex", "rooms", "roomPositions", "mergedPlanSvg", "finalPlanSvg", "calibration",
                  "isFinalized", "createdAt", "updatedAt", "expiresAt"]

    @extend_schema_field(RoomSerializer(many=True))
    def get_rooms(self, session: FloorplanSession) -> list[dict]:
        return RoomSerializer(session.rooms.prefetch_related("photos").order_by("index"), many=True).data

    def to_representation(self, session: FloorplanSession) -> dict:
        data = super().to_representation(session)
        return data | {"startingCorner": session.starting_corner or None,
                       "satelliteStatus": session.satellite_status or None,
                       "mergedPlanSvg": session.merged_plan_svg or None, "finalPlanSvg": session.final_plan_svg or None}


class SatelliteQueuedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[SatelliteStatus.PROCESSING])
    estimatedSeconds = serializers.IntegerField()


class AnalysisSerializer(serializers.Serializer):
    """The analyze answer, read from the revision the analysis made (its room's current one)."""

    roomId = serializers.CharField(source="room_id")
    analysis = AnalysisField()
    svgData = serializers.CharField(source="room.svg_data")
    analysisConfidence = serializers.FloatField(source="confidence", allow_null=True)
    source = serializers.ChoiceField(choices=AnalysisSource.choices)


class RevisedAnalysisSerializer(AnalysisSerializer):
    """A revision's answer: the analysis as revised, its number and what changed."""

    revisionNumber = serializers.IntegerField(source="number")
    changesApplied = serializers.ListField(source="changes", child=serializers.CharField())


class RevisionSerializer(serializers.Serializer):
    revisionNumber = serializers.IntegerField(source="number")
    source = serializers.ChoiceField(choices=AnalysisSource.choices)
    author = serializers.EmailField(source="author.email", allow_null=True, default=None)
    feedback = serializers.CharField()
    changesApplied = serializers.ListField(source="changes", child=serializers.CharField())
    analysis = AnalysisField()
    analysisConfidence = serializers.FloatField(source="confidence", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")


class RevisionListSerializer(serializers.Serializer):
    roomId = serializers.CharField()
    revisions = RevisionSerializer(many=True)


class SharedWallOutputSerializer(serializers.Serializer):
    rooms = serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2)
    wall = serializers.CharField(help_text='"east/west" when the second room is east of the first.')
    reconciled = serializers.BooleanField()
    lengthDiscrepancy = serializers.FloatField()


class OverlapSerializer(serializers.Serializer):
    rooms = serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2)
    area = serializers.FloatField(help_text="Square feet both rooms claim.")


class MergeRevisionSerializer(serializers.Serializer):
    mergedPlanSvg = serializers.CharField(source="session.merged_plan_svg")
    roomPositions = serializers.DictField(source="session.room_positions", child=RoomPositionSerializer())
    changesApplied = serializers.ListField(source="changes", child=serializers.CharField())


class MergeSerializer(serializers.Serializer):
    mergedPlanSvg = serializers.CharField(source="session.merged_plan_svg")
    roomPositions = serializers.DictField(source="session.room_positions", child=RoomPositionSerializer())
    totalDimensions = PlanSizeSerializer(source="result.plan.total_dimensions")
    sharedWalls = SharedWallOutputSerializer(many=True, source="session.shared_walls")
    overlaps = OverlapSerializer(many=True, source="result.overlaps")
    changesApplied = serializers.ListField(source="result.changes", child=serializers.CharField())


class FinalizeSerializer(serializers.ModelSerializer):
    finalPlanSvg = serializers.CharField(source="final_plan_svg")
    calibration = CalibrationSerializer()
    isFinalized = serializers.BooleanField(source="is_finalized")

    class Meta:
        model = FloorplanSession
        fields = ["finalPlanSvg", "calibration", "isFinalized"]


class FinalRevisionSerializer(serializers.Serializer):
    finalPlanSvg = serializers.CharField(source="session.final_plan_svg")
    calibration = CalibrationSerializer(source="session.calibration")
    isFinalized = serializers.BooleanField(source="session.is_finalized")
    changesApplied = serializers.ListField(source="changes", child=serializers.CharField())


class ScanImportedSerializer(serializers.Serializer):
    rooms = RoomSerializer(many=True, help_text="The rooms made from the scan, with ``analysisSource: lidar``.")
