"""The platform auth API (seed 001 "Authentication") and API key management.

Errors use the ``{"detail": ...}`` envelope; validation answers 422.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.accounts import services
from config.accounts.api import serializers as s
from config.accounts.models import APIKey
from config.api.input import parse
from config.api.ratelimit import rate_limit

EMAIL_TAKEN = OpenApiResponse(description="EMAIL_TAKEN: an account with this email exists")
BAD_LOGIN = OpenApiResponse(description="Wrong email or password, or the account is disabled")
BAD_REFRESH = OpenApiResponse(description="An invalid, expired or already rotated refresh token")


class RegisterView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=s.RegisterInputSerializer, responses={201: s.UserSerializer, 409: EMAIL_TAKEN},
                   tags=["auth"])
    @rate_limit("auth", key="ip")
    def post(self, request):
        """Create an account. 409 when the email is taken, 422 when invalid."""
        data = parse(s.RegisterInputSerializer, request.data)
        user = services.register_user(**data)
        return Response(s.UserSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=s.LoginInputSerializer, responses={200: s.TokenPairSerializer, 401: BAD_LOGIN},
                   tags=["auth"])
    @rate_limit("auth", key="ip")
    def post(self, request):
        """Exchange email and password for an access and refresh token."""
        data = parse(s.LoginInputSerializer, request.data)
        return Response(services.login(email=data["email"], password=data["password"]))


class RefreshView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=s.RefreshInputSerializer, responses={200: s.TokenPairSerializer, 401: BAD_REFRESH},
                   tags=["auth"])
    @rate_limit("auth", key="ip")
    def post(self, request):
        """Rotate a refresh token: the old one is blacklisted and fails on reuse."""
        data = parse(s.RefreshInputSerializer, request.data)
        return Response(services.rotate_refresh_token(data["refresh_token"]))


class MeView(APIView):
    @extend_schema(responses={200: s.UserSerializer}, tags=["auth"])
    def get(self, request):
        """The authenticated user's profile."""
        return Response(s.UserSerializer(request.user).data)


class APIKeyListView(APIView):
    @extend_schema(responses={200: s.APIKeySerializer(many=True)}, tags=["auth"])
    def get(self, request):
        """The user's active API keys (prefix, name, created, last used)."""
        keys = APIKey.objects.for_user(request.user).active()
        return Response(s.APIKeySerializer(keys, many=True).data)

    @extend_schema(request=s.APIKeyInputSerializer, responses={201: s.APIKeyCreatedSerializer}, tags=["auth"])
    def post(self, request):
        """Create a key. The full key is in this response only."""
        data = parse(s.APIKeyInputSerializer, request.data)
        key, raw = services.create_api_key(request.user, name=data["name"])
        return Response({**s.APIKeySerializer(key).data, "key": raw}, status=status.HTTP_201_CREATED)


class APIKeyDetailView(APIView):
    @extend_schema(responses={204: None}, tags=["auth"])
    def delete(self, request, key_id: int):
        """Revoke a key; it fails at once."""
        services.revoke_api_key(request.user, key_id=key_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
