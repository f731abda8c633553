"""Seed 000's shapes: stagings, styles, batches, health and account."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.files.signing import media_url
from staging.choices import QualityMode, RoomType, StagingMode
from staging.models import Batch, RoomSet, Staging, Style

# Styles are rows staff add and retire, so the schema cannot list them; the service answers
# INVALID_STYLE (seed 000) with the valid ones.
STYLE_HELP = "A style id from GET /api/styles."


MODE_HELP = ("stage furnishes the room; declutter empties it of furniture and clutter; declutter_and_stage "
             "empties it, then furnishes the emptied room. One unit of usage whatever the mode.")


class StageInputSerializer(serializers.Serializer):
    image = serializers.FileField(required=False, allow_empty_file=True)
    style = serializers.CharField(max_length=50, help_text=STYLE_HELP)
    room_type = serializers.ChoiceField(choices=RoomType.choices, required=False, allow_blank=True, default="")
    quality_mode = serializers.ChoiceField(choices=QualityMode.choices, required=False, default=QualityMode.PREMIUM)
    property_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    disclosure_profile = serializers.SlugField(max_length=50, required=False, allow_blank=True, default="")
    variants = serializers.IntegerField(min_value=1, max_value=4, default=1, help_text=(
        "How many versions to make, each with its own seed and figures; one unit of usage whatever the count."))
    mode = serializers.ChoiceField(choices=StagingMode.choices, required=False, default=StagingMode.STAGE,
                                   help_text=MODE_HELP)


class BatchInputSerializer(serializers.Serializer):
    style = serializers.CharField(max_length=50, help_text=STYLE_HELP)
    mode = serializers.ChoiceField(choices=StagingMode.choices, required=False, default=StagingMode.STAGE,
                                   help_text=MODE_HELP)
    property_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    quality_mode = serializers.ChoiceField(choices=QualityMode.choices, required=False, default=QualityMode.PREMIUM)
    disclosure_profile = serializers.SlugField(max_length=50, required=False, allow_blank=True, default="")


def file_url(field) -> str | None:
    return media_url(field.name) if field and field.name else None


class StagingReviseInputSerializer(serializers.Serializer):
    instruction = serializers.CharField(max_length=200, help_text='What to change: "no rug", "lighter sofa", '
                                                                  '"add plants" (commas or "and" between several).')


class VersionSerializer(serializers.Serializer):
    """One version of a staging: the first (no instruction) or a revision."""

    id = serializers.UUIDField()
    instruction = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class VariantSerializer(serializers.Serializer):
    """One version a request with ``variants`` made, with its own figures."""

    id = serializers.UUIDField()
    status = serializers.CharField()
    seed = serializers.IntegerField(allow_null=True)
    chosen = serializers.BooleanField()
    quality_score = serializers.FloatField(allow_null=True)
    integrity_score = serializers.FloatField(allow_null=True)
    pixel_lock_share = serializers.FloatField(allow_null=True)
    thumbnail_url = serializers.SerializerMethodField()

    def get_thumbnail_url(self, staging) -> str | None:
        return file_url(staging.thumbnail) if not staging.files_deleted_at else None


class StageImageSerializer(serializers.Serializer):
    """One image of a staging, in the order they were made, with its own figures (None where not measured)."""

    kind = serializers.ChoiceField(choices=["original", "emptied", "staged"])
    url = serializers.CharField(allow_null=True)
    integrity_score = serializers.FloatField(allow_null=True)
    quality_score = serializers.FloatField(allow_null=True)
    pixel_lock_share = serializers.FloatField(allow_null=True)
    emptiness_drop = serializers.FloatField(allow_null=True, help_text=(
        "Share of the furnished area's edges the declutter removed (emptied image only)."))


class StagingResultSerializer(serializers.ModelSerializer):
    """The POST response of seed 000, extended with what the pipeline measured."""

    status = serializers.CharField(read_only=True)
    style = serializers.CharField(source="style_id")
    original_image_url = serializers.SerializerMethodField()
    staged_image_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    web_image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    quality_score = serializers.FloatField(allow_null=True)
    completed_at = serializers.DateTimeField(source="job.finished_at", allow_null=True)
    batch_id = serializers.UUIDField(allow_null=True)
    disclosure = serializers.SerializerMethodField()
    revision_of = serializers.UUIDField(source="revision_of_id", allow_null=True,
                                        help_text="The first staging of this one's line of versions, if revised.")
    versions = serializers.SerializerMethodField()
    variants = serializers.SerializerMethodField()
    images = serializers.SerializerMethodField()

    class Meta:
        model = Staging
        fields = ["id", "status", "original_image_url", "staged_image_url", "download_url", "web_image_url",
                  "thumbnail_url", "style", "room_type", "room_type_source", "quality_mode", "mode",
                  "processing_time_ms", "quality_score", "quality_parts", "architectural_integrity",
                  "integrity_score", "integrity_parts",
                  "pixel_lock_share", "pixel_lock_parts", "emptied_figures", "images", "provenance",
                  "engine", "model_name", "seed", "variant_count", "property_name", "batch_id", "disclosure",
                  "revision_of", "instruction", "versions", "variants", "chosen", "created_at", "completed_at"]

    def get_original_image_url(self, staging) -> str | None:
        return file_url(staging.original_image) if not staging.files_deleted_at else None

    def get_staged_image_url(self, staging) -> str | None:
        return file_url(staging.staged_image) if not staging.files_deleted_at else None

    def get_download_url(self, staging) -> str | None:
        return file_url(staging.download_image) if not staging.files_deleted_at else None

    def get_web_image_url(self, staging) -> str | None:
        return file_url(staging.web_image) if not staging.files_deleted_at else None

    def get_thumbnail_url(self, staging) -> str | None:
        return file_url(staging.thumbnail) if not staging.files_deleted_at else None

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, staging) -> list[dict]:
        from staging.selectors import versions_of

        return VersionSerializer(versions_of(staging), many=True).data

    @extend_schema_field(VariantSerializer(many=True))
    def get_variants(self, staging) -> list[dict]:
        from staging.selectors import variants_of

        return VariantSerializer(variants_of(staging), many=True).data

    @extend_schema_field(StageImageSerializer(many=True))
    def get_images(self, staging) -> list[dict]:
        from staging.selectors import images_of

        return StageImageSerializer(images_of(staging), many=True).data

    def get_disclosure(self, staging) -> dict | None:
        from staging.selectors import disclosure_for

        return disclosure_for(staging, request=self.context.get("request"))


# Codes a staging's job can fail with (GET /api/stage/{id} ``error_code``). QUALITY_CHECK_FAILED,
# DECLUTTER_FAILED and ROOM_SET_REFERENCE_FAILED are StageCraft's extensions to seed 000's list; the
# others are the seed's or the job platform's. The two upload codes come from the validate step: a
# photo whose header passed at upload but whose body does not decode.
FAILURE_CODES = ["INVALID_IMAGE_FORMAT", "IMAGE_TOO_LARGE", "NOT_INTERIOR_IMAGE", "ARCHITECTURAL_INTEGRITY_FAILED",
                 "QUALITY_CHECK_FAILED", "DECLUTTER_FAILED", "ROOM_SET_REFERENCE_FAILED", "AI_SERVICE_UNAVAILABLE",
                 "PROCESSING_TIMEOUT", "PROVENANCE_UNAVAILABLE", "INTERNAL_ERROR"]


class StagingStatusSerializer(serializers.Serializer):
    """``GET /api/stage/{id}``: status, progress while processing, result, error.

    ``error_code`` QUALITY_CHECK_FAILED (an extension of seed 000): the
    delivered image scored below ``STAGING_QUALITY_FLOOR`` after one retry;
    the staging is not charged. ``DECLUTTER_FAILED`` (also an extension): a
    declutter removed less than ``STAGING_DECLUTTER_MIN_DROP`` of the furnished
    area's edges after one retry; not charged either.
    """

    # Declared for the OpenAPI schema (only id and status are always present); the
    # body is built by to_representation. Output only, hence no read_only, which
    # would make every field required in the schema.
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["queued", "processing", "completed", "failed"])
    progress = serializers.FloatField(required=False)
    current_step = serializers.CharField(required=False)
    result = StagingResultSerializer(required=False)
    error = serializers.CharField(required=False)
    error_code = serializers.ChoiceField(choices=FAILURE_CODES, required=False)

    def to_representation(self, staging: Staging) -> dict:
        body = {"id": str(staging.id), "status": staging.status}
        if staging.status == "processing":
            body["progress"] = round(staging.job.progress, 2)
            body["current_step"] = staging.job.current_step
        if staging.status == "completed":
            body["result"] = StagingResultSerializer(staging, context=self.context).data
        if staging.status == "failed":
            body["error"] = staging.job.error_message or "The staging failed."
            body["error_code"] = staging.job.error_code or "INTERNAL_ERROR"
        return body


class StyleSerializer(serializers.ModelSerializer):
    preview_image = serializers.SerializerMethodField()

    class Meta:
        model = Style
        fields = ["id", "name", "description", "preview_image", "best_for", "price_range", "palette"]

    def get_preview_image(self, style) -> str | None:
        return file_url(style.preview_image)


class BatchSerializer(serializers.Serializer):
    def to_representation(self, batch: Batch) -> dict:
        stagings = list(batch.stagings.select_related("job").order_by("created_at"))
        statuses = {s.status for s in stagings}
        processing = "completed" if statuses == {"completed"} else (
            "queued" if statuses <= {"queued"} else "failed" if statuses == {"failed"} else "processing")
        return {
            "batch_id": str(batch.id),
            "property_name": batch.property_name,
            "style": batch.style_id,
            "total_images": batch.total_images,
            "processing_status": processing,
            "estimated_completion_time": batch.estimated_completion_at,
            "individual_stagings": [{"id": str(s.id), "status": s.status} for s in stagings],
            "created_at": batch.created_at,
        }


class RoomSetInputSerializer(serializers.Serializer):
    style = serializers.CharField(max_length=50, help_text=STYLE_HELP)
    room_type = serializers.ChoiceField(choices=RoomType.choices, required=False, allow_blank=True, default="",
                                        help_text="The room every photo shows; living_room when blank.")
    property_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    quality_mode = serializers.ChoiceField(choices=QualityMode.choices, required=False, default=QualityMode.PREMIUM)
    disclosure_profile = serializers.SlugField(max_length=50, required=False, allow_blank=True, default="")


class RoomSetPhotoSerializer(VariantSerializer):
    """One photo of a room set: its staging's status, figures and consistency with the first."""

    consistency_score = serializers.FloatField(allow_null=True)
    consistency_parts = serializers.JSONField()
    staged_image_url = serializers.SerializerMethodField()
    error_code = serializers.CharField(source="job.error_code")

    def get_staged_image_url(self, staging) -> str | None:
        return file_url(staging.staged_image) if not staging.files_deleted_at else None


class RoomSetSerializer(serializers.ModelSerializer):
    """``GET /api/stage/room-set/{id}``: the set, its consistency and each photo's staging."""

    status = serializers.CharField(read_only=True)
    style = serializers.CharField(source="style_id")
    reference = serializers.UUIDField(source="reference_id", allow_null=True)
    consistency = serializers.FloatField(allow_null=True, help_text=(
        "The weakest later photo's similarity (0-1) of its furnished area to the first result's."))
    photos = serializers.SerializerMethodField()

    class Meta:
        model = RoomSet
        fields = ["id", "status", "style", "room_type", "property_name", "seed", "reference", "consistency",
                  "photos", "created_at"]

    @extend_schema_field(RoomSetPhotoSerializer(many=True))
    def get_photos(self, room_set) -> list[dict]:
        photos = room_set.stagings.select_related("job").order_by("created_at")
        return RoomSetPhotoSerializer(photos, many=True).data
