"""Seed 004's camelCase shapes."""

from rest_framework import serializers

from config.files.signing import media_url
from floorplans.choices import Direction, Grade, ReviewStatus, RoomKind, StartingCorner
from floorplans.models import FloorplanSession, Room, RoomPhoto


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


class PhotoInputSerializer(serializers.Serializer):
    # An empty file reaches services.upload_photo, which answers INVALID_IMAGE_FORMAT like any bad photo.
    image = serializers.FileField(allow_empty_file=True)
    compassHeading = serializers.FloatField(min_value=0, max_value=360, required=False, allow_null=True)


class ReviseInputSerializer(serializers.Serializer):
    feedback = serializers.CharField(max_length=4000, allow_blank=True, default="")
    annotationImage = serializers.CharField(max_length=14_000_000, required=False, allow_blank=True, default="")


class AnalysisInputSerializer(serializers.Serializer):
    analysis = serializers.JSONField()


class PositionSerializer(serializers.Serializer):
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
    position = PositionSerializer(required=False)
    connections = ConnectionSerializer(many=True, required=False)
    finished = serializers.BooleanField(required=False)
    grade = serializers.ChoiceField(choices=Grade.choices, required=False)


class MergeInputSerializer(serializers.Serializer):
    newRoomId = serializers.UUIDField()
    adjacentRoomId = serializers.UUIDField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    connectionType = serializers.CharField(max_length=30, default="door")


class FeedbackInputSerializer(serializers.Serializer):
    feedback = serializers.CharField(max_length=4000)
    annotationImage = serializers.CharField(max_length=14_000_000, required=False, allow_blank=True, default="")


def photo_data(photo: RoomPhoto) -> dict:
    return {"direction": photo.direction, "s3Key": photo.image.name, "compassHeading": photo.compass_heading,
            "uploadedAt": photo.uploaded_at, "url": media_url(photo.image.name)}


def room_data(room: Room) -> dict:
    return {
        "roomId": str(room.pk), "index": room.index, "type": room.type, "label": room.label,
        "reviewStatus": room.review_status, "analysis": room.analysis,
        "analysisConfidence": room.analysis_confidence, "analysisSource": room.analysis_source or None,
        "revisionNumber": room.revision_number, "svgData": room.svg_data or None, "position": room.position,
        "connections": room.connections, "finished": room.finished, "grade": room.grade,
        "photos": {photo.direction: photo_data(photo) for photo in room.photos.all()},
    }


def house_bounds_data(session: FloorplanSession) -> dict | None:
    if not session.house_bounds:
        return None
    bounds = dict(session.house_bounds)
    image = bounds.pop("satelliteImage", None)
    if image:
        bounds["satelliteImageUrl"] = media_url(image)
    return bounds


def session_data(session: FloorplanSession) -> dict:
    return {
        "sessionId": str(session.pk), "address": session.address, "startingCorner": session.starting_corner or None,
        "houseBounds": house_bounds_data(session), "satelliteStatus": session.satellite_status or None,
        "currentStep": session.current_step, "currentRoomIndex": session.current_room_index,
        "rooms": [room_data(room) for room in session.rooms.prefetch_related("photos")],
        "roomPositions": session.room_positions, "mergedPlanSvg": session.merged_plan_svg or None,
        "finalPlanSvg": session.final_plan_svg or None, "calibration": session.calibration,
        "isFinalized": session.is_finalized, "createdAt": session.created_at, "updatedAt": session.updated_at,
        "expiresAt": session.expires_at,
    }
