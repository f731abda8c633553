"""Seed 004: the floor plan API under /api/floorplan. Errors as ``{"error": {code, message, details}}``.

Each view parses its input, loads the owner's session or room through
``floorplans.selectors`` (another user's id is SESSION_NOT_FOUND), calls one
service and answers through an output serializer.
"""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import envelopes
from config.api.input import parse
from config.api.parsers import JSONParser, MultiPartParser
from config.api.ratelimit import enforce
from config.errors import ValidationFailed
from floorplans import exports, files, selectors, services
from floorplans.api import serializers as s
from floorplans.choices import (
    PNG_DPI_DEFAULT,
    PNG_DPI_MAX,
    PNG_DPI_MIN,
    AnalysisSource,
    Direction,
    ExportFormat,
    ExportScale,
    Paper,
)

TAGS = ["floorplans"]
# Seed 004's error table fixes these statuses; ANALYSIS_FAILED is also the answer when no model is
# configured, when the queue is down, and when the model did not answer in time (the job is then cancelled).
ANALYSIS_FAILED = OpenApiResponse(description="ANALYSIS_FAILED: no model is configured, it did not answer in time "
                                              "(nothing is charged), or its answer was unusable")
SATELLITE_UNAVAILABLE = OpenApiResponse(description="SATELLITE_UNAVAILABLE: no imagery service, or it failed")
EXPORT_FAILED = OpenApiResponse(description="EXPORT_FAILED: no merged plan yet, or the export could not be made")
UNSUPPORTED_SCAN = OpenApiResponse(description="UNSUPPORTED_SCAN_SHAPE: the walls cross each other, so they "
                                               "enclose no one room (details.walls names them; rooms off square "
                                               "are kept as polygons); VALIDATION_ERROR: the scan cannot be read, "
                                               "e.g. walls that do not close a loop (details.path names the field)")
NOT_READY = OpenApiResponse(description="VALIDATION_ERROR: the plan is not at that step yet (see the message)")


class FloorplanAPIView(APIView):
    error_envelope = envelopes.FLOORPLANS
    rate_limited = True  # documents the 429 of ``initial``
    documented_errors = {410: "SESSION_EXPIRED: the session is past its time to live"}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        enforce(request, "floorplans", key="user")


def decode_annotation(data_url: str) -> bytes | None:
    """The optional ``data:image/png;base64,...`` drawing of a revision."""
    if not data_url:
        return None
    try:
        return files.decode_data_url(data_url)
    except ValueError:
        raise ValidationFailed("annotationImage must be a base64 data URL of a PNG.") from None


class SessionCreateView(FloorplanAPIView):
    @extend_schema(request=s.SessionInputSerializer, responses={201: s.SessionCreatedSerializer}, tags=TAGS)
    def post(self, request):
        """Start a session for an address."""
        session = services.create_session(request.user, **parse(s.SessionInputSerializer, request.data))
        return Response(s.SessionCreatedSerializer(session).data, status=status.HTTP_201_CREATED)


class SessionDetailView(FloorplanAPIView):
    @extend_schema(responses={200: s.SessionSerializer}, tags=TAGS)
    def get(self, request, session_id):
        """The full session state, for resuming."""
        return Response(s.SessionSerializer(selectors.session_for(request.user, session_id)).data)

    @extend_schema(request=s.SessionPatchSerializer, responses={200: s.SessionSerializer}, tags=TAGS)
    def patch(self, request, session_id):
        """Update the starting corner or the workflow step."""
        session = selectors.session_for(request.user, session_id)
        fields = parse(s.SessionPatchSerializer, request.data)
        return Response(s.SessionSerializer(services.update_session(session, fields=fields)).data)


class SatelliteView(FloorplanAPIView):
    @extend_schema(request=None, responses={202: s.SatelliteQueuedSerializer, 503: SATELLITE_UNAVAILABLE}, tags=TAGS)
    def post(self, request, session_id):
        """Look up the footprint from satellite imagery; poll the session for ``houseBounds``.

        While a lookup runs, calling again answers 202 for that lookup.
        """
        services.request_satellite(request.user, selectors.session_for(request.user, session_id))
        body = s.SatelliteQueuedSerializer({"status": "processing", "estimatedSeconds": 15}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class HouseBoundsView(FloorplanAPIView):
    @extend_schema(request=s.HouseBoundsInputSerializer, responses={200: s.HouseBoundsAnswerSerializer}, tags=TAGS)
    def put(self, request, session_id):
        """Enter the house footprint by hand (``dataSource: manual``)."""
        session = selectors.session_for(request.user, session_id)
        bounds = parse(s.HouseBoundsInputSerializer, request.data)["houseBounds"]
        session = services.set_house_bounds(session, bounds=bounds, source="manual")
        return Response(s.HouseBoundsAnswerSerializer(session).data)


class RoomCreateView(FloorplanAPIView):
    @extend_schema(request=s.RoomInputSerializer, responses={201: s.RoomCreatedSerializer}, tags=TAGS)
    def post(self, request, session_id):
        """Add a room; it is labelled ``{Type}#{n}``, or by the given label for "other"."""
        session = selectors.session_for(request.user, session_id)
        data = parse(s.RoomInputSerializer, request.data)
        room = services.create_room(session, type=data["type"], custom_label=data["label"])
        return Response(s.RoomCreatedSerializer(room).data, status=status.HTTP_201_CREATED)


class RoomDetailView(FloorplanAPIView):
    @extend_schema(responses={200: s.RoomSerializer}, tags=TAGS)
    def get(self, request, session_id, room_id):
        """One room with its photos, analysis and drawing."""
        return Response(s.RoomSerializer(selectors.room_for(request.user, session_id, room_id)).data)

    @extend_schema(request=s.RoomPatchSerializer, responses={200: s.RoomSerializer}, tags=TAGS)
    def patch(self, request, session_id, room_id):
        """Accept the room, set its position and connections, or its ANSI flags."""
        room = selectors.room_for(request.user, session_id, room_id)
        fields = parse(s.RoomPatchSerializer, request.data)
        if "connections" in fields:
            fields["connections"] = [{**c, "toRoomId": str(c["toRoomId"])} for c in fields["connections"]]
        return Response(s.RoomSerializer(services.update_room(room, fields=fields)).data)


class ScanImportView(FloorplanAPIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(request={"application/json": s.ScanJSONSerializer, "multipart/form-data": s.ScanUploadSerializer},
                   responses={201: s.ScanImportedSerializer, 400: UNSUPPORTED_SCAN,
                              413: OpenApiResponse(description="SCAN_TOO_LARGE: over FLOORPLANS_SCAN_MAX_BYTES")},
                   tags=TAGS)
    def post(self, request, session_id):
        """Add the rooms of an Apple RoomPlan scan (JSON body or file upload).

        A ``CapturedRoom`` adds one room; a ``CapturedStructure`` adds its rooms placed as scanned, as the
        merged plan of a session that has none yet.
        """
        session = selectors.session_for(request.user, session_id)
        if request.content_type.startswith("application/json"):
            files.check_scan_body(request.META.get("CONTENT_LENGTH"))
            data = parse(s.ScanJSONSerializer, request.data)
            scan = data["scan"]
        else:
            data = parse(s.ScanUploadSerializer, request.data)
            scan = files.read_scan(data["file"])
        rooms = services.import_scan(request.user, session, scan=scan, type=data["type"], custom_label=data["label"])
        return Response(s.ScanImportedSerializer({"rooms": rooms}).data, status=status.HTTP_201_CREATED)


class PhotoUploadView(FloorplanAPIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request=s.PhotoInputSerializer, responses={200: s.PhotoSerializer}, tags=TAGS, parameters=[
        OpenApiParameter("direction", str, OpenApiParameter.PATH, enum=Direction.values)])
    def put(self, request, session_id, room_id, direction):
        """Upload the photo taken facing ``direction`` with the compass heading."""
        room = selectors.room_for(request.user, session_id, room_id)
        data = parse(s.PhotoInputSerializer, request.data)
        photo = services.upload_photo(room, direction=direction, image=data["image"],
                                      compass_heading=data.get("compassHeading"))
        return Response(s.PhotoSerializer(photo).data)


class AnalyzeView(FloorplanAPIView):
    @extend_schema(request=None, tags=TAGS, responses={
        200: s.AnalysisSerializer, 400: OpenApiResponse(description="PHOTOS_INCOMPLETE: not all four photos are "
                                                                    "uploaded"), 500: ANALYSIS_FAILED})
    def post(self, request, session_id, room_id):
        """Analyse the four photos with the vision model (ANALYSIS_FAILED without one)."""
        room = selectors.room_for(request.user, session_id, room_id)
        return Response(s.AnalysisSerializer(services.analyse_room(request.user, room)).data)


class ReviseView(FloorplanAPIView):
    parser_classes = [JSONParser]

    @extend_schema(request=s.ReviseInputSerializer, responses={200: s.RevisedAnalysisSerializer,
                                                               500: ANALYSIS_FAILED}, tags=TAGS)
    def post(self, request, session_id, room_id):
        """Re-analyse with the agent's corrections and optional annotation drawing (both go to the model)."""
        room = selectors.room_for(request.user, session_id, room_id)
        data = parse(s.ReviseInputSerializer, request.data)
        revision = services.analyse_room(request.user, room, feedback=data["feedback"],
                                         annotation=decode_annotation(data["annotationImage"]))
        return Response(s.RevisedAnalysisSerializer(revision).data)


class ManualAnalysisView(FloorplanAPIView):
    parser_classes = [JSONParser]

    @extend_schema(request=s.AnalysisInputSerializer, responses={200: s.RevisedAnalysisSerializer}, tags=TAGS)
    def put(self, request, session_id, room_id):
        """Enter or correct the room's measurements and openings by hand (no AI needed)."""
        room = selectors.room_for(request.user, session_id, room_id)
        analysis = parse(s.AnalysisInputSerializer, request.data)["analysis"]
        confidence = (analysis.get("dimensions") or {}).get("confidence", 1.0)
        revision = services.save_analysis(room, analysis=analysis, source=AnalysisSource.MANUAL,
                                          author=request.user, confidence=confidence)
        return Response(s.RevisedAnalysisSerializer(revision).data)


class RevisionListView(FloorplanAPIView):
    @extend_schema(responses={200: s.RevisionListSerializer}, tags=TAGS)
    def get(self, request, session_id, room_id):
        """Every analysis the room has had."""
        room = selectors.room_for(request.user, session_id, room_id)
        revisions = selectors.revisions_of(room)
        return Response(s.RevisionListSerializer({"roomId": str(room.pk), "revisions": revisions}).data)


class RevisionRestoreView(FloorplanAPIView):
    @extend_schema(request=None, tags=TAGS, responses={
        200: s.RevisedAnalysisSerializer,
        400: OpenApiResponse(description="VALIDATION_ERROR: the room has no revision with that number")})
    def post(self, request, session_id, room_id, number):
        """Make an earlier revision current again (recorded as a new revision)."""
        room = selectors.room_for(request.user, session_id, room_id)
        return Response(s.RevisedAnalysisSerializer(services.restore_revision(request.user, room,
                                                                              number=number)).data)


class MergeView(FloorplanAPIView):
    @extend_schema(request=s.MergeInputSerializer, responses={200: s.MergeSerializer}, tags=TAGS)
    def post(self, request, session_id):
        """Merge a room into the plan against an adjacent room."""
        session = selectors.session_for(request.user, session_id)
        data = parse(s.MergeInputSerializer, request.data)
        result = services.merge_room(session, new_room_id=data["newRoomId"], adjacent_room_id=data["adjacentRoomId"],
                                     direction=data["direction"], connection_type=data["connectionType"])
        return Response(s.MergeSerializer({"session": session, "result": result}).data)


class MergeReviseView(FloorplanAPIView):
    @extend_schema(request=s.FeedbackInputSerializer, responses={200: s.MergeRevisionSerializer, 400: NOT_READY,
                                                                 500: ANALYSIS_FAILED}, tags=TAGS)
    def post(self, request, session_id):
        """Adjust the merged arrangement from the agent's feedback and drawing (language model)."""
        session = selectors.session_for(request.user, session_id)
        data = parse(s.FeedbackInputSerializer, request.data)
        changes = services.revise_merge(request.user, session, feedback=data["feedback"],
                                        annotation=decode_annotation(data["annotationImage"]))
        return Response(s.MergeRevisionSerializer({"session": session, "changes": changes}).data)


class FinalizeView(FloorplanAPIView):
    @extend_schema(request=None, responses={200: s.FinalizeSerializer, 400: NOT_READY}, tags=TAGS)
    def post(self, request, session_id):
        """Calibrate to the house footprint and produce the final plan (400 without merged rooms or footprint)."""
        session = services.finalize(selectors.session_for(request.user, session_id))
        return Response(s.FinalizeSerializer(session).data)


class FinalizeReviseView(FloorplanAPIView):
    @extend_schema(request=s.FeedbackInputSerializer, responses={200: s.FinalRevisionSerializer, 400: NOT_READY,
                                                                 500: ANALYSIS_FAILED}, tags=TAGS)
    def post(self, request, session_id):
        """Correct room sizes from the agent's feedback (language model), then finalize again.

        Only a finalized plan can be revised: before ``POST .../finalize`` this answers VALIDATION_ERROR.
        """
        session = selectors.session_for(request.user, session_id)
        data = parse(s.FeedbackInputSerializer, request.data)
        changes = services.revise_final(request.user, session, feedback=data["feedback"],
                                        annotation=decode_annotation(data["annotationImage"]))
        return Response(s.FinalRevisionSerializer({"session": session, "changes": changes}).data)


class ExportView(FloorplanAPIView):
    @extend_schema(tags=TAGS, parameters=[
        OpenApiParameter("export_format", str, OpenApiParameter.PATH, enum=ExportFormat.values),
        OpenApiParameter("scale", enum=ExportScale.values, default=ExportScale.QUARTER.value),
        OpenApiParameter("paper", enum=Paper.values, default=Paper.LETTER.value),
        OpenApiParameter("dpi", {"type": "integer", "minimum": PNG_DPI_MIN, "maximum": PNG_DPI_MAX},
                         default=PNG_DPI_DEFAULT, description=f"PNG only, {PNG_DPI_MIN} to {PNG_DPI_MAX}")],
                   responses={**{(200, content_type): bytes for content_type in exports.CONTENT_TYPES.values()},
                              400: OpenApiResponse(description="VALIDATION_ERROR: an unknown format, scale or paper,"
                                                                " or a dpi out of range or too large for the plan"),
                              500: EXPORT_FAILED})
    def get(self, request, session_id, export_format):
        """The plan as SVG, DXF, PDF (``scale=quarter|eighth``, ``paper=letter|tabloid``) or PNG (``dpi``)."""
        session = selectors.session_for(request.user, session_id)
        if export_format not in ExportFormat.values:
            raise ValidationFailed(f"format must be one of {', '.join(ExportFormat.values)}.")
        options = parse(s.ExportQuerySerializer, request.query_params)
        content = exports.export(session, export_format, **options)
        response = HttpResponse(content, content_type=exports.CONTENT_TYPES[export_format])
        response["Content-Disposition"] = f'attachment; filename="floorplan-{session.pk}.{export_format}"'
        return response
