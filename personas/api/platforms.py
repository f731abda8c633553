"""Seed 003 section 3: ``/api/v1/platforms``. Official APIs only; credentials never leave the server."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status

from config.api.input import parse
from personas import selectors
from personas.api import serializers_social as s
from personas.api.base import PersonasAPIView, ok
from personas.choices import Platform
from personas.models import PlatformAccount
from personas.services import accounts, engagement, oauth

TAGS = ["personas: platforms"]


class AccountListView(PersonasAPIView):
    @extend_schema(parameters=[s.AccountFilterSerializer], responses={200: dict}, tags=TAGS)
    def get(self, request):
        """The user's platform accounts; ``character_id``, ``platform`` and ``is_connected`` filter."""
        filters = parse(s.AccountFilterSerializer, request.query_params)
        found = PlatformAccount.objects.for_user(request.user).select_related("character")
        if filters.get("character_id"):
            found = found.filter(character_id=filters["character_id"])
        if filters.get("platform"):
            found = found.filter(platform=filters["platform"])
        if filters.get("is_connected") is not None:
            found = found.filter(connection_status="connected") if filters["is_connected"] else \
                found.exclude(connection_status="connected")
        rows = found.order_by("platform", "account_username", "created_at")
        return ok({"accounts": s.AccountSerializer(rows, many=True).data})


PLATFORM = OpenApiParameter("platform", str, OpenApiParameter.PATH, enum=Platform.values)


class ConnectView(PersonasAPIView):
    @extend_schema(request=s.ConnectInputSerializer, tags=TAGS, parameters=[PLATFORM], responses={
        200: s.AuthorizationSerializer, 201: s.AccountConnectedSerializer,
        400: OpenApiResponse(description="PLATFORM_CONNECTION_FAILED: refused credentials, or the platform is not "
                                         "configured here (details.configure says what to set)")})
    def post(self, request, platform):
        """Connect an account.

        Without ``auth_data``: 200 with ``authorization_url``, the platform's consent page; the platform
        sends the person back to ``/personas/oauth/{platform}/callback``, which stores the account.
        With ``auth_data``: a Mastodon access token or a Bluesky app password (never an account
        password), verified live with the platform and stored encrypted (201).
        """
        data = parse(s.ConnectInputSerializer, request.data)
        if "auth_data" not in data:
            url = oauth.start_oauth(request.user, platform=platform, character_id=data["character_id"],
                                    server_url=data.get("server_url", ""), login_hint=data["login_hint"])
            return ok({"authorization_url": url}, message="Open authorization_url to grant access")
        account = accounts.connect_account(request.user, platform=platform, character_id=data["character_id"],
                                           auth_data=data["auth_data"])
        return ok(s.AccountConnectedSerializer(account).data, message="Platform connected successfully",
                  status=status.HTTP_201_CREATED)


class DisconnectView(PersonasAPIView):
    @extend_schema(request=None, responses={200: s.AccountStatusSerializer}, tags=TAGS)
    def post(self, request, account_id):
        """Disconnect: the stored credentials are wiped; posts and history stay."""
        account = accounts.disconnect_account(request.user, account_id=account_id)
        return ok(s.AccountStatusSerializer(account).data, message="Platform disconnected successfully")


class AccountStatusView(PersonasAPIView):
    @extend_schema(responses={200: s.AccountStatusSerializer}, tags=TAGS)
    def get(self, request, account_id):
        """Connection status and detail, followers as last synced, token expiry, last sync time."""
        return ok(s.AccountStatusSerializer(selectors.account_for(request.user, account_id)).data)


class AccountSyncView(PersonasAPIView):
    @extend_schema(request=None, tags=TAGS, responses={
        200: dict, 400: OpenApiResponse(description="PLATFORM_CONNECTION_FAILED: the platform refused the account"),
        503: OpenApiResponse(description="PLATFORM_CONNECTION_FAILED: the platform could not be reached")})
    def post(self, request, account_id):
        """Read followers, notifications and recent posts' counts from the platform now."""
        account = selectors.account_for(request.user, account_id)
        result = engagement.sync_account(account)
        account.refresh_from_db()
        return ok({**s.AccountStatusSerializer(account).data, **result}, message="Account synced successfully")
