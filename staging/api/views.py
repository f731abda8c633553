"""Seed 000: the staging API. Errors in the ``{"error": {...}}`` envelope."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import envelopes
from config.api.input import parse
from config.api.parsers import MultiPartParser
from config.api.ratelimit import enforce
from staging import export, selectors, services
from staging.api import serializers as s
from staging.models import Batch, RoomSet, Staging, Style


def uploaded_images(request) -> list:
    """The photos of a multipart request, sent as ``images[]`` (the document's name) or ``images``."""
    return request.FILES.getlist("images[]") or request.FILES.getlist("images")


class StagingAPIView(APIView):
    error_envelope = envelopes.STAGING


NO_ENGINE = OpenApiResponse(description="AI_SERVICE_UNAVAILABLE: no image engine is configured or reachable; "
                                        "nothing is queued or counted")


def count_staging_request(request) -> None:
    """Seed 000's per-key limits: 10 requests an hour (burst) and 100 a day; a batch is one request.

    Counted after the request is validated: a bad request costs no quota.
    """
    enforce(request, "staging_burst", key="key", message="Rate limit exceeded: 10 staging requests per hour.")
    enforce(request, "staging_daily", key="key", message="Rate limit exceeded: 100 staging requests per day.")


class StageCreateView(StagingAPIView):
    rate_limited = True  # count_staging_request
    parser_classes = [MultiPartParser]

    @extend_schema(request=s.StageInputSerializer, responses={202: s.StagingResultSerializer, 503: NO_ENGINE},
                   tags=["staging"])
    def post(self, request):
        """Upload a room photo and queue its staging; answers at once with the id and status.

        The request is validated first (its own 4xx even with no engine), then
        rate-limited, then refused with 503 if the image engine cannot generate.
        """
        data = parse(s.StageInputSerializer, request.data)
        checked = services.check_request(
            request.user, images=[data["image"]] if data.get("image") else [], style_id=data["style"],
            room_type=data["room_type"], quality_mode=data["quality_mode"], property_name=data["property_name"],
            disclosure=data["disclosure_profile"], mode=data["mode"],
        )
        count_staging_request(request)
        staging = services.create_variants(request.user, checked, count=data["variants"])
        return Response(s.StagingResultSerializer(staging, context={"request": request}).data,
                        status=status.HTTP_202_ACCEPTED)


class StageDetailView(StagingAPIView):
    @extend_schema(responses={200: s.StagingStatusSerializer}, tags=["staging"])
    def get(self, request, staging_id):
        """Status, progress while processing, the result when completed, the error when failed."""
        staging = get_object_or_404(Staging.objects.for_user(request.user), pk=staging_id)
        return Response(s.StagingStatusSerializer(staging, context={"request": request}).data)


class StageReviseView(StagingAPIView):
    rate_limited = True  # count_staging_request

    @extend_schema(request=s.StagingReviseInputSerializer, responses={
        202: s.StagingResultSerializer, 503: NO_ENGINE,
        409: OpenApiResponse(description="CONFLICT: the staging has not completed yet")}, tags=["staging"])
    def post(self, request, staging_id):
        """A new version of a completed staging: same photo, style, room and seed; the prompt changed by a
        short instruction ("no rug", "lighter sofa", "add plants"). One unit of usage, like a staging."""
        instruction = parse(s.StagingReviseInputSerializer, request.data)["instruction"]
        get_object_or_404(Staging.objects.for_user(request.user), pk=staging_id)
        count_staging_request(request)
        staging = services.revise(request.user, staging_id=staging_id, instruction=instruction)
        return Response(s.StagingResultSerializer(staging, context={"request": request}).data,
                        status=status.HTTP_202_ACCEPTED)


class StageChooseView(StagingAPIView):
    @extend_schema(request=None, responses={
        200: s.StagingResultSerializer,
        409: OpenApiResponse(description="CONFLICT: that variant has not completed")}, tags=["staging"])
    def post(self, request, staging_id):
        """Mark this variant as the chosen one of its request (the others are unmarked)."""
        get_object_or_404(Staging.objects.for_user(request.user), pk=staging_id)
        staging = services.choose_variant(request.user, staging_id=staging_id)
        return Response(s.StagingResultSerializer(staging, context={"request": request}).data)


class StyleListView(StagingAPIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: inline_serializer("StyleList", {"styles": s.StyleSerializer(many=True)})},
                   tags=["staging"])
    def get(self, request):
        """The active styles, in display order."""
        return Response({"styles": s.StyleSerializer(Style.objects.active(), many=True).data})


class HealthView(StagingAPIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: dict}, tags=["staging"])
    def get(self, request):
        """The staging service's health, from real figures."""
        operational, detail = selectors.engine_status()
        return Response({
            "status": "healthy" if operational else "degraded",
            "ai_service_status": "operational" if operational else "unavailable",
            "ai_service_detail": detail,
            "processing_queue_length": selectors.queue_length(),
            "average_processing_time_ms": services.average_processing_ms(),
        })


class BatchCreateView(StagingAPIView):
    rate_limited = True
    parser_classes = [MultiPartParser]

    @extend_schema(request=s.BatchInputSerializer, responses={201: s.BatchSerializer, 503: NO_ENGINE},
                   tags=["staging"])
    def post(self, request):
        """Stage several photos of one property in one style: one batch, one staging each.

        One request against the rate limits, one unit of plan usage per photo
        (each refunded if its staging fails).
        """
        data = parse(s.BatchInputSerializer, request.data)
        images = uploaded_images(request)
        checked = services.check_request(request.user, images=images, style_id=data["style"],
                                         property_name=data["property_name"], quality_mode=data["quality_mode"],
                                         disclosure=data["disclosure_profile"], mode=data["mode"])
        count_staging_request(request)
        batch = services.create_batch(request.user, checked)
        return Response(s.BatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class BatchDetailView(StagingAPIView):
    @extend_schema(responses={200: s.BatchSerializer}, tags=["staging"])
    def get(self, request, batch_id):
        """A batch and the status of each of its stagings."""
        batch = get_object_or_404(Batch.objects.for_user(request.user), pk=batch_id)
        return Response(s.BatchSerializer(batch).data)


class BatchExportView(StagingAPIView):
    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY}, tags=["staging"])
    def get(self, request, batch_id):
        """The batch's listing pack, a ZIP: per finished photo the MLS-sized staged JPEG (long side 2048 px,
        sRGB, under 10 MB), the original and the disclosure caption, and ``manifest.json`` for every photo."""
        batch = get_object_or_404(Batch.objects.for_user(request.user), pk=batch_id)
        return FileResponse(export.listing_pack(batch), as_attachment=True, filename=export.file_name(batch),
                            content_type="application/zip")


class RoomSetCreateView(StagingAPIView):
    rate_limited = True
    parser_classes = [MultiPartParser]

    @extend_schema(request=s.RoomSetInputSerializer, responses={
        202: s.RoomSetSerializer, 503: NO_ENGINE,
        400: OpenApiResponse(description="INVALID_ROOM_SET (not 2-8 photos), REFERENCE_NOT_SUPPORTED (the engine "
                                         "cannot stage from a reference image), or the staging request's codes")},
        tags=["staging"])
    def post(self, request):
        """Stage 2-8 photos of one room with the same furniture: the first photo alone, then the others
        with the same seed and the first result as their reference. One request against the rate limits,
        one unit of plan usage per photo (each refunded if its staging fails)."""
        data = parse(s.RoomSetInputSerializer, request.data)
        images = uploaded_images(request)
        checked = services.check_request(request.user, images=images, style_id=data["style"],
                                         room_type=data["room_type"], property_name=data["property_name"],
                                         quality_mode=data["quality_mode"], disclosure=data["disclosure_profile"])
        count_staging_request(request)
        room_set = services.create_room_set(request.user, checked)
        return Response(s.RoomSetSerializer(room_set).data, status=status.HTTP_202_ACCEPTED)


class RoomSetDetailView(StagingAPIView):
    @extend_schema(responses={200: s.RoomSetSerializer}, tags=["staging"])
    def get(self, request, room_set_id):
        """A room set: its status, consistency, and each photo's staging with its figures."""
        room_set = get_object_or_404(RoomSet.objects.for_user(request.user), pk=room_set_id)
        return Response(s.RoomSetSerializer(room_set).data)


class AccountView(StagingAPIView):
    @extend_schema(responses={200: dict}, tags=["staging"])
    def get(self, request):
        """Plan, this month's usage against the limit, and recent stagings."""
        user = request.user
        recent = Staging.objects.for_user(user)[:10]
        completed = Staging.objects.for_user(user).with_status("completed").filter(
            job__finished_at__gte=user.cycle_started_at).count()
        return Response({
            "user_id": str(user.pk),
            "email": user.email,
            "plan": user.plan,
            "usage_this_month": {"stagings_completed": completed, "used": user.usage_this_cycle,
                                 "limit": user.usage_limit, "reset_date": user.cycle_resets_at},
            "recent_stagings": [{"id": str(st.pk), "status": st.status, "created_at": st.created_at,
                                 "property_name": st.property_name or None} for st in recent],
        })
