"""Seed 002's request and response shapes."""

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A string that must arrive as a JSON string (DRF would turn 5 into "5")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class GenerateV1InputSerializer(serializers.Serializer):
    """Types only: the limits (prompt length, constraint count) are ``services.check_limits``'s."""

    prompt = StrictCharField(trim_whitespace=True)


class GenerateV2InputSerializer(GenerateV1InputSerializer):
    context = serializers.DictField(required=False, default=dict)
    style = StrictCharField(required=False, allow_blank=True, default="")
    constraints = serializers.ListField(child=StrictCharField(), required=False, default=list)


class PositionSerializer(serializers.Serializer):
    x = serializers.FloatField()
    y = serializers.FloatField()
    z = serializers.FloatField()


class DimensionsSerializer(serializers.Serializer):
    width = serializers.FloatField()
    height = serializers.FloatField()
    depth = serializers.FloatField()
    units = serializers.CharField()


class DesignObjectSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField()
    material = serializers.CharField()
    position = PositionSerializer()
    dimensions = DimensionsSerializer()
    editable = serializers.BooleanField()
    properties = serializers.DictField()


class SceneSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    total_objects = serializers.IntegerField()
    bounding_box = DimensionsSerializer()


class VersionInfoSerializer(serializers.Serializer):
    version = serializers.CharField()
    created_at = serializers.DateTimeField()
    modified_at = serializers.DateTimeField()
    author = serializers.CharField()


class DesignSpecSerializer(serializers.Serializer):
    """The document's EnhancedDesignSpec (documentation only: ``spec_json`` is stored as answered)."""

    spec_id = serializers.UUIDField()
    objects = DesignObjectSerializer(many=True)
    scene = SceneSerializer()
    version = VersionInfoSerializer()
    metadata = serializers.DictField()


class GenerateV2ResponseSerializer(serializers.Serializer):
    spec_id = serializers.UUIDField()
    spec_json = DesignSpecSerializer()
    preview_url = serializers.CharField()
    created_at = serializers.DateTimeField()
    processing_time = serializers.FloatField()


class OriginalSpecSerializer(serializers.Serializer):
    design_type = serializers.CharField()
    category = serializers.CharField()
    materials = serializers.ListField(child=serializers.DictField())
    features = serializers.ListField(child=serializers.CharField())
    dimensions = DimensionsSerializer()


class GenerateV1ResponseSerializer(serializers.Serializer):
    spec = OriginalSpecSerializer()
    success = serializers.BooleanField()
    message = serializers.CharField()


class DesignErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    error_code = serializers.CharField()
    timestamp = serializers.DateTimeField()
