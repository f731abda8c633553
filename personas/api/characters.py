"""Seed 003 section 1: ``/api/v1/characters``."""

from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.utils import extend_schema
from rest_framework import status

from config.api.input import parse
from personas.api import serializers_characters as s
from personas.api.base import PersonasAPIView, ok, page
from personas.models import Character, PlatformAccount
from personas.selectors import character_for
from personas.services import characters as services

TAGS = ["personas: characters"]


def detail(user, character_id) -> dict:
    """The detail shape of one of ``user``'s characters (four queries)."""
    character = character_for(user, character_id)
    accounts = Prefetch("accounts", queryset=PlatformAccount.objects.order_by("platform", "account_username"))
    prefetch_related_objects([character], accounts)
    stats = services.character_stats(character)
    return s.CharacterDetailSerializer(character, context={"stats": stats}).data


class CharacterListView(PersonasAPIView):
    @extend_schema(operation_id="personas_characters_list", parameters=[s.CharacterFilterSerializer],
                   responses={200: dict}, tags=TAGS)
    def get(self, request):
        """The user's characters; ``status`` and ``search`` (by name) filter, ``limit``/``offset`` page."""
        filters = parse(s.CharacterFilterSerializer, request.query_params)
        characters = Character.objects.for_user(request.user)
        if filters.get("status"):
            characters = characters.filter(status=filters["status"])
        if filters.get("search"):
            characters = characters.filter(name__icontains=filters["search"])
        body = page(request, characters.order_by("name", "created_at"), "characters",
                    s.CharacterListItemSerializer)
        return ok(body)

    @extend_schema(request=s.CharacterInputSerializer, responses={201: s.CharacterCreatedSerializer}, tags=TAGS)
    def post(self, request):
        """Create a character; images are base64 (data URL or raw), never URLs."""
        data = parse(s.CharacterInputSerializer, request.data)
        character = services.create_character(request.user, **data)
        return ok(s.CharacterCreatedSerializer(character).data, message="Character created successfully",
                  status=status.HTTP_201_CREATED)


class CharacterDetailView(PersonasAPIView):
    @extend_schema(responses={200: s.CharacterDetailSerializer}, tags=TAGS)
    def get(self, request, character_id):
        """Profile, personality, appearance, accounts and stats counted from real rows."""
        return ok(detail(request.user, character_id))

    @extend_schema(request=s.CharacterUpdateSerializer, responses={200: s.CharacterDetailSerializer}, tags=TAGS)
    def put(self, request, character_id):
        """Partial update: only the fields sent change; personality and appearance merge key by key."""
        data = parse(s.CharacterUpdateSerializer, request.data)
        services.update_character(request.user, character_id=character_id, **data)
        return ok(detail(request.user, character_id), message="Character updated successfully")

    @extend_schema(responses={200: None}, tags=TAGS)
    def delete(self, request, character_id):
        """Soft delete: the character and its content vanish from every listing."""
        services.delete_character(request.user, character_id=character_id)
        return ok(None, message="Character deleted successfully")


class CharacterPauseView(PersonasAPIView):
    @extend_schema(request=None, responses={200: s.CharacterCreatedSerializer}, tags=TAGS)
    def post(self, request, character_id):
        """Pause the character's automation and generation."""
        character = services.pause_character(request.user, character_id=character_id)
        return ok(s.CharacterCreatedSerializer(character).data, message="Character paused")


class CharacterResumeView(PersonasAPIView):
    @extend_schema(request=None, responses={200: s.CharacterCreatedSerializer}, tags=TAGS)
    def post(self, request, character_id):
        """Resume; refused while one of the character's accounts is in error."""
        character = services.resume_character(request.user, character_id=character_id)
        return ok(s.CharacterCreatedSerializer(character).data, message="Character resumed")
