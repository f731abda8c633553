"""Seed 004: the floor plan API under /api/floorplan. Errors as ``{"error": {code, message, details}}``."""


from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import envelopes
from config.api.input import parse
from config.api.parsers import FormParser, JSONParser, MultiPartParser
from config.api.ratelimit import enforce
from config.errors import ValidationFailed
from floorplans import exports, plans, services
from floorplans.api import serializers as s
from floorplans.choices import AnalysisSource
from floorplans.errors import AnalysisFailed


class FloorplanAPIView(APIView):
    error_envelope = envelopes.FLOORPLANS
    rate_limited = True  # documents the 429 of ``initial``
    documented_errors = {410: "SESSION_EXPIRED: the session is past its time to live"}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        enforce(request, "floorplans", key="user")


# Seed 004's error table fixes these statuses; ANALYSIS_FAILED is also the answer when no model is configured.
ANALYSIS_FAILED = OpenApiResponse(description="ANALYSIS_FAILED: no model is configured, or its answer was unusable")
SATELLITE_UNAVAILABLE = OpenApiResponse(description="SATELLITE_UNAVAILABLE: no imagery service, or it failed")
EXPORT_FAILED = OpenApiResponse(description="EXPORT_FAILED: no merged plan yet, or the export could not be made")


def decode_annotation(data_url: str) -> bytes | None:
    """The optional ``data:image/png;base64,...`` drawing of a revision."""
    if not data_url:
        return None
    try:
        return services.decode_data_url(data_url)
    except ValueError:
        raise ValidationFailed("annotationImage must be a base64 data URL of a PNG.") from None


class SessionCreateView(FloorplanAPIView):
    @extend_schema(request=s.SessionInputSerializer, responses={201: dict}, tags=["floorplans"])
    def post(self, request):
        """Start a session for an address."""
        session = services.create_session(request.user, **parse(s.SessionInputSerializer, request.data))
        return Response({"sessionId": str(session.pk), "address": session.address, "houseBounds": None,
                         "createdAt": session.created_at}, status=status.HTTP_201_CREATED)


class SessionDetailView(FloorplanAPIView):
    @extend_schema(responses={200: dict}, tags=["floorplans"])
    def get(self, request, session_id):
        """The full session state, for resuming."""
        return Response(s.session_data(services.session_of(request.user, session_id)))

    @extend_schema(request=s.SessionPatchSerializer, responses={200: dict}, tags=["floorplans"])
    def patch(self, request, session_id):
        """Update the starting corner or the workflow step."""
        session = services.session_of(request.user, session_id)
        fields = parse(s.SessionPatchSerializer, request.data)
        return Response(s.session_data(services.update_session(session, fields=fields)))


class SatelliteView(FloorplanAPIView):
    @extend_schema(request=None, responses={202: dict, 503: SATELLITE_UNAVAILABLE}, tags=["floorplans"])
    def post(self, request, session_id):
        """Look up the footprint from satellite imagery; poll the session for ``houseBounds``."""
        session = services.session_of(request.user, session_id)
        services.request_satellite(request.user, session)
        return Response({"status": "processing", "estimatedSeconds": 15}, status=status.HTTP_202_ACCEPTED)


class HouseBoundsView(FloorplanAPIView):
    @extend_schema(request=s.HouseBoundsInputSerializer, responses={200: dict}, tags=["floorplans"])
    def put(self, request, session_id):
        """Enter the house footprint by hand (``dataSource: manual``)."""
        session = services.session_of(request.user, session_id)
        bounds = parse(s.HouseBoundsInputSerializer, request.data)["houseBounds"]
        session = services.set_house_bounds(session, bounds=bounds, source="manual")
        return Response({"sessionId": str(session.pk), "houseBounds": s.house_bounds_data(session)})


class RoomCreateView(FloorplanAPIView):
    @extend_schema(request=s.RoomInputSerializer, responses={201: dict}, tags=["floorplans"])
    def post(self, request, session_id):
        """Add a room; it is labelled ``{Type}#{n}``, or by the given label for "other"."""
        session = services.session_of(request.user, session_id)
        data = parse(s.RoomInputSerializer, request.data)
        room = services.create_room(session, type=data["type"], custom_label=data["label"])
        return Response({"roomId": str(room.pk), "index": room.index, "type": room.type, "label": room.label,
                         "reviewStatus": room.review_status}, status=status.HTTP_201_CREATED)


class RoomDetailView(FloorplanAPIView):
    @extend_schema(responses={200: dict}, tags=["floorplans"])
    def get(self, request, session_id, room_id):
        """One room with its photos, analysis and drawing."""
        return Response(s.room_data(services.room_of(request.user, session_id, room_id)))

    @extend_schema(request=s.RoomPatchSerializer, responses={200: dict}, tags=["floorplans"])
    def patch(self, request, session_id, room_id):
        """Accept the room, set its position and connections, or its ANSI flags."""
        room = services.room_of(request.user, session_id, room_id)
        fields = parse(s.RoomPatchSerializer, request.data)
        if "connections" in fields:
            fields["connections"] = [{**c, "toRoomId": str(c["toRoomId"])} for c in fields["connections"]]
        return Response(s.room_data(services.update_room(room, fields=fields)))


class PhotoUploadView(FloorplanAPIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=s.PhotoInputSerializer, responses={200: dict}, tags=["floorplans"])
    def put(self, request, session_id, room_id, direction):
        """Upload the photo taken facing ``direction`` with the compass heading."""
        room = services.room_of(request.user, session_id, room_id)
        data = parse(s.PhotoInputSerializer, request.data)
        photo = services.upload_photo(room, direction=direction, image=data["image"],
                                      compass_heading=data.get("compassHeading"))
        return Response(s.photo_data(photo))


def analysis_answer(room, revision=None) -> dict:
    room.refresh_from_db()
    body = {"roomId": str(room.pk), "analysis": room.analysis, "svgData": room.svg_data,
            "analysisConfidence": room.analysis_confidence, "source": room.analysis_source}
    if revision is not None:
        body |= {"revisionNumber": revision.number, "changesApplied": revision.changes}
    return body


def finished_analysis(request, room, **options):
    job = services.request_analysis(request.user, room, **options)
    if job.status != "completed":
        raise AnalysisFailed(job.error_message or "The analysis did not finish in time.",
                             details={"jobId": str(job.pk), "code": job.error_code})
    return room.revisions.order_by("-number").first()


class AnalyzeView(FloorplanAPIView):
    @extend_schema(request=None, tags=["floorplans"], responses={
        200: dict, 400: OpenApiResponse(description="PHOTOS_INCOMPLETE: not all four photos are uploaded"),
        500: ANALYSIS_FAILED})
    def post(self, request, session_id, room_id):
        """Analyse the four photos with the vision model (ANALYSIS_FAILED without one)."""
        room = services.room_of(request.user, session_id, room_id)
        finished_analysis(request, room)
        return Response(analysis_answer(room))


class ReviseView(FloorplanAPIView):
    parser_classes = [JSONParser]

    @extend_schema(request=s.ReviseInputSerializer, responses={200: dict, 500: ANALYSIS_FAILED}, tags=["floorplans"])
    def post(self, request, session_id, room_id):
        """Re-analyse with the agent's corrections and optional annotation drawing."""
        room = services.room_of(request.user, session_id, room_id)
        data = parse(s.ReviseInputSerializer, request.data)
        revision = finished_analysis(request, room, feedback=data["feedback"],
                                     annotation=decode_annotation(data["annotationImage"]))
        return Response(analysis_answer(room, revision))


class ManualAnalysisView(FloorplanAPIView):
    parser_classes = [JSONParser]

    @extend_schema(request=s.AnalysisInputSerializer, responses={200: dict}, tags=["floorplans"])
    def put(self, request, session_id, room_id):
        """Enter or correct the room's measurements and openings by hand (no AI needed)."""
        room = services.room_of(request.user, session_id, room_id)
        analysis = parse(s.AnalysisInputSerializer, request.data)["analysis"]
        if not isinstance(analysis, dict):
            raise ValidationFailed("analysis must be an object.")
        confidence = (analysis.get("dimensions") or {}).get("confidence", 1.0)
        revision = services.save_analysis(room, analysis=analysis, source=AnalysisSource.MANUAL,
                                          author=request.user, confidence=confidence)
        return Response(analysis_answer(room, revision))


class RevisionListView(FloorplanAPIView):
    @extend_schema(responses={200: dict}, tags=["floorplans"])
    def get(self, request, session_id, room_id):
        """Every analysis the room has had."""
        room = services.room_of(request.user, session_id, room_id)
        return Response({"roomId": str(room.pk), "revisions": [
            {"revisionNumber": r.number, "source": r.source, "author": r.author.email if r.author else None,
             "feedback": r.feedback, "changesApplied": r.changes, "analysis": r.analysis,
             "analysisConfidence": r.confidence, "createdAt": r.created_at}
            for r in room.revisions.select_related("author")]})


class RevisionRestoreView(FloorplanAPIView):
    @extend_schema(request=None, responses={200: dict}, tags=["floorplans"])
    def post(self, request, session_id, room_id, number):
        """Make an earlier revision current again (recorded as a new revision)."""
        room = services.room_of(request.user, session_id, room_id)
        revision = services.restore_revision(request.user, room, number=number)
        return Response(analysis_answer(room, revision))


class MergeView(FloorplanAPIView):
    @extend_schema(request=s.MergeInputSerializer, responses={200: dict}, tags=["floorplans"])
    def post(self, request, session_id):
        """Merge a room into the plan against an adjacent room."""
        session = services.session_of(request.user, session_id)
        data = parse(s.MergeInputSerializer, request.data)
        return Response(services.merge_room(session, new_room_id=data["newRoomId"],
                                            adjacent_room_id=data["adjacentRoomId"], direction=data["direction"],
                                            connection_type=data["connectionType"]))


class MergeReviseView(FloorplanAPIView):
    @extend_schema(request=s.FeedbackInputSerializer, responses={200: dict, 500: ANALYSIS_FAILED}, tags=["floorplans"])
    def post(self, request, session_id):
        """Adjust the merged arrangement from the agent's feedback (vision model)."""
        session = services.session_of(request.user, session_id)
        data = parse(s.FeedbackInputSerializer, request.data)
        return Response(plans.revise_merge(session, feedback=data["feedback"],
                                           annotation=decode_annotation(data["annotationImage"])))


class FinalizeView(FloorplanAPIView):
    @extend_schema(request=None, tags=["floorplans"], responses={
        200: dict, 400: OpenApiResponse(description="VALIDATION_ERROR: no room is merged yet")})
    def post(self, request, session_id):
        """Calibrate to the house footprint and produce the final plan."""
        return Response(services.finalize(services.session_of(request.user, session_id)))


class FinalizeReviseView(FloorplanAPIView):
    @extend_schema(request=s.FeedbackInputSerializer, responses={200: dict, 500: ANALYSIS_FAILED}, tags=["floorplans"])
    def post(self, request, session_id):
        """Correct the final plan from the agent's feedback (vision model), then finalize again."""
        session = services.session_of(request.user, session_id)
        data = parse(s.FeedbackInputSerializer, request.data)
        return Response(plans.revise_final(session, feedback=data["feedback"]))


class ExportView(FloorplanAPIView):
    @extend_schema(tags=["floorplans"], responses={
        **{(200, content_type): bytes for content_type in exports.CONTENT_TYPES.values()},
        400: OpenApiResponse(description="VALIDATION_ERROR: an unknown format, scale or paper"), 500: EXPORT_FAILED})
    def get(self, request, session_id, export_format):
        """The plan as SVG, DXF or PDF (``scale=quarter|eighth``, ``paper=letter|tabloid``)."""
        session = services.session_of(request.user, session_id)
        scale = request.query_params.get("scale", "quarter")
        paper = request.query_params.get("paper", "letter")
        if export_format not in exports.CONTENT_TYPES or scale not in ("quarter", "eighth") or paper not in (
                "letter", "tabloid"):
            raise ValidationFailed("format must be svg, dxf or pdf; scale quarter or eighth; paper letter or "
                                   "tabloid.")
        content = exports.export(session, export_format, scale=scale, paper=paper)
        response = HttpResponse(content, content_type=exports.CONTENT_TYPES[export_format])
        response["Content-Disposition"] = f'attachment; filename="floorplan-{session.pk}.{export_format}"'
        return response
