from rest_framework import serializers

from config.accounts.models import APIKey


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(min_length=8, max_length=128, trim_whitespace=False)
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class LoginInputSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class RefreshInputSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(max_length=2000)


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField(default="bearer")


# Declared fields, not a ModelSerializer: /auth/me answers this on every call, and a model serializer
# rebuilds its fields from the model each time (about 0.17 ms a request, docs/performance.md).
class UserSerializer(serializers.Serializer):
    """A user's profile."""

    id = serializers.UUIDField(read_only=True)
    email = serializers.EmailField(read_only=True, max_length=254)
    full_name = serializers.CharField(read_only=True, max_length=200)
    is_active = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class APIKeyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class APIKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = APIKey
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]


class APIKeyCreatedSerializer(APIKeySerializer):
    key = serializers.CharField(help_text="The full key. Shown in this response only.")

    class Meta(APIKeySerializer.Meta):
        fields = [*APIKeySerializer.Meta.fields, "key"]
