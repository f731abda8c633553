"""Seed 003 section 2: generation input and status, the content library's list and detail shapes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import CheckedChoiceField, RequiresOneOf, StatedIntegerField
from config.files.signing import media_url
from personas.choices import ContentType, GenerationStatus, Platform
from personas.models import ContentItem, Generation

MAX_ITEMS = 4
MAX_SIDE = 2048


def file_url(field) -> str | None:
    return media_url(field.name) if field and field.name else None


# What compose takes by name; the bytes are checked (images by Pillow, videos by ffprobe).
MEDIA_TYPES = ["image/jpeg", "image/png", "image/webp", "video/mp4", "video/quicktime", "video/webm"]


class GenerationSettingsSerializer(serializers.Serializer):
    steps = serializers.IntegerField(min_value=1, max_value=150, required=False)
    cfg_scale = serializers.FloatField(min_value=1, max_value=30, required=False)
    # Stable Diffusion works in 8-pixel latent cells (``validate``).
    width = StatedIntegerField(min_value=64, max_value=MAX_SIDE, required=False, schema={"multipleOf": 8})
    height = StatedIntegerField(min_value=64, max_value=MAX_SIDE, required=False, schema={"multipleOf": 8})
    seed = serializers.IntegerField(min_value=0, max_value=2**32 - 1, required=False, allow_null=True)
    count = serializers.IntegerField(min_value=1, max_value=MAX_ITEMS, required=False)

    def validate(self, data: dict) -> dict:
        for side in ("width", "height"):
            if side in data and data[side] % 8:
                raise serializers.ValidationError({side: "Must be a multiple of 8."})
        return data


class GenerateInputSerializer(serializers.Serializer):
    character_id = serializers.CharField(max_length=64)
    # Checked by services.content, which answers INVALID_CONTENT_TYPE.
    content_type = CheckedChoiceField(choices=ContentType.choices)
    prompt = serializers.CharField(max_length=2000)
    negative_prompt = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    settings = GenerationSettingsSerializer(required=False, default=dict)
    category = serializers.CharField(max_length=32, required=False, default="post")
    is_nsfw = serializers.BooleanField(required=False, default=False)


class GenerationStartedSerializer(serializers.ModelSerializer):
    generation_id = serializers.UUIDField(source="id")
    status = serializers.ChoiceField(choices=GenerationStatus.choices, read_only=True)

    class Meta:
        model = Generation
        fields = ["generation_id", "status", "estimated_completion"]


class GenerationSerializer(serializers.ModelSerializer):
    """Reads ``generation.job`` (its status and progress); select it with the generation."""

    status = serializers.ChoiceField(choices=GenerationStatus.choices, read_only=True)
    character_id = serializers.UUIDField()
    generated_content_ids = serializers.SerializerMethodField()
    duration_seconds = serializers.SerializerMethodField()
    error_message = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Generation
        fields = ["id", "status", "character_id", "content_type", "prompt", "negative_prompt", "settings",
                  "category", "is_nsfw", "generated_content_ids", "success_count", "failure_count", "progress",
                  "estimated_completion", "started_at", "completed_at", "duration_seconds", "error_message",
                  "created_at"]

    def get_generated_content_ids(self, generation) -> list[str]:
        return [str(pk) for pk in generation.content.order_by("created_at").values_list("pk", flat=True)]

    def get_duration_seconds(self, generation) -> float | None:
        if generation.started_at and generation.completed_at:
            return round((generation.completed_at - generation.started_at).total_seconds(), 1)
        return None

    def get_error_message(self, generation) -> str | None:
        return generation.error_message or None

    def get_progress(self, generation) -> float | None:
        return round(generation.job.progress, 2) if generation.job else None


class ContentFilterSerializer(serializers.Serializer):
    character_id = serializers.CharField(max_length=64, required=False)
    content_type = CheckedChoiceField(choices=ContentType.choices, required=False)
    is_approved = serializers.BooleanField(required=False, allow_null=True, default=None)
    is_nsfw = serializers.BooleanField(required=False, allow_null=True, default=None)


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ContentItemSerializer(serializers.ModelSerializer):
    """A library row; reads ``item.character`` (select it with the item)."""

    character_id = serializers.UUIDField()
    character_name = serializers.CharField(source="character.name")
    content_category = serializers.CharField(source="category")
    file_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    review_status = serializers.CharField(source="review")

    class Meta:
        model = ContentItem
        fields = ["id", "character_id", "character_name", "content_type", "content_category", "file_url",
                  "thumbnail_url", "prompt", "caption", "hashtags", "quality_score", "is_approved", "review_status",
                  "is_nsfw", "times_used", "created_at"]

    def get_file_url(self, item) -> str | None:
        return file_url(item.file)

    def get_thumbnail_url(self, item) -> str | None:
        return file_url(item.thumbnail)


class MediaInputSerializer(serializers.Serializer):
    data = serializers.CharField(help_text="The file as base64 (raw or a data URL); URLs are not fetched.")
    content_type = CheckedChoiceField(choices=MEDIA_TYPES)


class ComposeInputSerializer(RequiresOneOf, serializers.Serializer):
    """``POST /api/v1/content``: a post written by hand, approved as it is stored."""

    required_one_of = ("caption", "hashtags", "media")  # an empty post is refused

    character_id = serializers.CharField()
    caption = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    hashtags = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list,
                                     max_length=60)
    alt_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    media = serializers.ListField(child=MediaInputSerializer(), required=False, default=list, max_length=10)
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=Platform.choices), required=False,
                                      default=list, max_length=len(Platform.choices))


class CaptionPreviewSerializer(serializers.Serializer):
    text = serializers.CharField()
    fits = serializers.BooleanField()
    length = serializers.IntegerField()
    limit = serializers.IntegerField(allow_null=True)


class ContentDetailSerializer(ContentItemSerializer):
    generation_id = serializers.UUIDField(allow_null=True)
    file_path = serializers.SerializerMethodField()
    reviewed_by = serializers.SerializerMethodField()
    status = serializers.CharField(source="review")
    media_urls = serializers.SerializerMethodField()

    class Meta(ContentItemSerializer.Meta):
        fields = [*ContentItemSerializer.Meta.fields, "generation_id", "file_path", "width", "height", "file_size",
                  "alt_text", "generation_settings", "reviewed_by", "reviewed_at", "review_reason", "ai_generated",
                  "status", "media_urls", "quality_parts"]

    def get_media_urls(self, item) -> list[str]:
        return [media_url(name) for name in item.media_names]

    def get_file_path(self, item) -> str | None:
        return item.file.name or None

    def get_reviewed_by(self, item) -> str | None:
        return str(item.reviewed_by_id) if item.reviewed_by_id else None


class ComposedContentSerializer(ContentDetailSerializer):
    """The composed item, and how its text will look on each platform asked for."""

    previews = serializers.SerializerMethodField()

    class Meta(ContentDetailSerializer.Meta):
        fields = [*ContentDetailSerializer.Meta.fields, "previews"]

    @extend_schema_field(serializers.DictField(child=CaptionPreviewSerializer()))
    def get_previews(self, item) -> dict:
        return self.context.get("previews", {})
