"""Seed 003 section 1: character input and the list, detail and created shapes."""

from rest_framework import serializers

from config.api.fields import CheckedChoiceField
from config.files.signing import media_url
from personas import recurrence
from personas.choices import CharacterStatus, Platform
from personas.models import Character


def file_url(field) -> str | None:
    return media_url(field.name) if field and field.name else None


class PersonalitySerializer(serializers.Serializer):
    extroversion = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    creativity = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    communication_style = serializers.CharField(max_length=100, required=False, allow_blank=True)
    preferred_topics = serializers.ListField(child=serializers.CharField(max_length=100), max_length=50,
                                             required=False)


class AppearanceSerializer(serializers.Serializer):
    # Base64 (a data URL or raw); services.characters.decode_image checks it and refuses URLs.
    face_reference_image = serializers.CharField(required=False, allow_blank=True, trim_whitespace=True)
    hair_color = serializers.CharField(max_length=50, required=False, allow_blank=True)
    eye_color = serializers.CharField(max_length=50, required=False, allow_blank=True)
    style_preferences = serializers.ListField(child=serializers.CharField(max_length=100), max_length=20,
                                              required=False)


class CharacterInputSerializer(serializers.Serializer):
    """``POST /characters``. Absent fields stay absent, so the same shape serves a partial PUT."""

    name = serializers.CharField(max_length=100)
    bio = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    age = serializers.IntegerField(min_value=1, max_value=150, required=False, allow_null=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    timezone = CheckedChoiceField(choices=recurrence.canonical_zone_names, required=False)
    interests = serializers.ListField(child=serializers.CharField(max_length=100), max_length=50, required=False)
    profile_image = serializers.CharField(required=False, allow_blank=True)
    personality = PersonalitySerializer(required=False)
    appearance = AppearanceSerializer(required=False)
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=Platform.choices), max_length=5,
                                      required=False)
    banned_topics = serializers.ListField(child=serializers.CharField(max_length=100), max_length=100,
                                          required=False)
    disclosure_line = serializers.CharField(max_length=300, required=False)


class CharacterUpdateSerializer(CharacterInputSerializer):
    """``PUT /characters/{id}``: the same fields, all optional."""

    name = serializers.CharField(max_length=100, required=False)


class CharacterFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CharacterStatus.choices, required=False, allow_blank=True)
    search = serializers.CharField(max_length=100, required=False, allow_blank=True)


class CharacterListItemSerializer(serializers.ModelSerializer):
    profile_image_url = serializers.SerializerMethodField()

    class Meta:
        model = Character
        fields = ["id", "name", "bio", "status", "profile_image_url", "created_at"]

    def get_profile_image_url(self, character) -> str | None:
        return file_url(character.profile_image)


class CharacterCreatedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Character
        fields = ["id", "name", "status", "created_at"]


class CharacterDetailSerializer(serializers.ModelSerializer):
    """The detail shape; ``context["stats"]`` carries the computed ``CharacterStats``."""

    profile_image_url = serializers.SerializerMethodField()
    appearance = serializers.SerializerMethodField()
    platform_accounts = serializers.SerializerMethodField()
    stats = serializers.SerializerMethodField()

    class Meta:
        model = Character
        fields = ["id", "name", "bio", "age", "location", "timezone", "interests", "profile_image_url", "status",
                  "status_reason", "personality", "appearance", "platforms", "banned_topics", "disclosure_line",
                  "platform_accounts", "stats", "created_at", "updated_at"]

    def get_profile_image_url(self, character) -> str | None:
        return file_url(character.profile_image)

    def get_appearance(self, character) -> dict:
        return {**character.appearance, "face_reference_image_url": file_url(character.face_reference)}

    def get_platform_accounts(self, character) -> list[dict]:
        return [{"id": str(account.pk), "platform": account.platform, "account_username": account.account_username,
                 "connection_status": account.connection_status} for account in character.accounts.all()]

    def get_stats(self, character) -> dict:
        stats = self.context["stats"]
        return {"total_posts": stats.total_posts, "total_followers": stats.total_followers,
                "total_engagement": stats.total_engagement}
