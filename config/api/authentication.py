"""DRF authentication: JWT bearer, API key, and the designs' "key and JWT".

API keys start with ``sc_``; a bearer credential with that mark is an API
key, anything else is a JWT. ``request.auth`` is the ``APIKey`` row for key
authentication, so rate limits can count per key.
"""

import hmac
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from config.accounts import selectors
from config.accounts.models import APIKey
from config.accounts.services import API_KEY_MARK

# Writing last_used_at on every request would turn reads into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def bearer_token(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def key_from_request(request) -> str:
    explicit = request.META.get("HTTP_X_API_KEY", "").strip()
    if explicit:
        return explicit
    token = bearer_token(request)
    return token if token.startswith(API_KEY_MARK) else ""


def authenticate_key(raw: str) -> APIKey:
    """Return the active key matching ``raw`` or raise ``AuthenticationFailed``."""
    prefix = raw[len(API_KEY_MARK):].split("_", 1)[0] if raw.startswith(API_KEY_MARK) else ""
    key = selectors.key_with_owner(prefix) if prefix else None
    if key is None or not hmac.compare_digest(key.key_hash, APIKey.hash(raw)):
        raise exceptions.AuthenticationFailed("Invalid API key.")
    if key.revoked_at is not None or not key.owner.is_active:
        raise exceptions.AuthenticationFailed("This API key has been revoked.")
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        APIKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def authenticate_jwt(raw: str, *, known_user=None):
    """Return the user of a valid access token or raise ``AuthenticationFailed``.

    ``known_user``: an active user this request already loaded (an API key's owner); when the
    token names them, they are not read again (a query saved on every designs request).
    """
    backend = _TokenAuthentication()
    try:
        token = backend.get_validated_token(raw.encode())
        if known_user is not None and not jwt_settings.CHECK_REVOKE_TOKEN \
                and str(token.get(jwt_settings.USER_ID_CLAIM)) == str(known_user.pk):
            return known_user
        return backend.get_user(token)
    except (InvalidToken, exceptions.AuthenticationFailed):
        raise exceptions.AuthenticationFailed("Invalid or expired token.") from None


class _TokenAuthentication(SimpleJWTAuthentication):
    """simplejwt's token checks, with the user read by ``selectors.user_by_id``.

    simplejwt reads the user through the ORM; this is the same rule (a missing or inactive user
    is refused) with the precompiled read. Revocation by password hash, when switched on, keeps
    simplejwt's own path.
    """

    def get_user(self, validated_token):
        if jwt_settings.CHECK_REVOKE_TOKEN:
            return super().get_user(validated_token)
        user = selectors.user_by_id(validated_token.get(jwt_settings.USER_ID_CLAIM))
        if user is None or (jwt_settings.CHECK_USER_IS_ACTIVE and not user.is_active):
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        return user


class JWTAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <access token>``."""

    def authenticate(self, request):
        token = bearer_token(request)
        if not token or token.startswith(API_KEY_MARK):
            return None
        return authenticate_jwt(token), None

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class APIKeyAuthentication(authentication.BaseAuthentication):
    """``X-API-Key: <key>`` or ``Authorization: Bearer <key>``."""

    def authenticate(self, request):
        raw = key_from_request(request)
        if not raw:
            return None
        key = authenticate_key(raw)
        return key.owner, key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class APIKeyAndJWTAuthentication(authentication.BaseAuthentication):
    """Both ``X-API-Key`` and a JWT bearer token, belonging to the same user.

    ``settings.DESIGNS_REQUIRE_KEY_AND_JWT = False`` accepts either alone.
    """

    missing_key_message = "Invalid or missing API key. Include X-API-Key header."
    missing_token_message = "Invalid or missing access token. Include Authorization: Bearer <token>."

    def authenticate(self, request):
        raw_key = request.META.get("HTTP_X_API_KEY", "").strip()
        token = bearer_token(request)
        key = self._key(raw_key)
        user = self._jwt_user(token, known_user=key.owner if key else None)
        if not settings.DESIGNS_REQUIRE_KEY_AND_JWT and (key or user):
            return (user or key.owner), key
        if key is None:
            raise exceptions.AuthenticationFailed(self.missing_key_message)
        if user is None:
            raise exceptions.AuthenticationFailed(self.missing_token_message)
        if user.pk != key.owner_id:
            raise exceptions.AuthenticationFailed("The API key and the access token belong to different users.")
        return user, key

    def _key(self, raw: str) -> APIKey | None:
        if not raw:
            return None
        try:
            return authenticate_key(raw)
        except exceptions.AuthenticationFailed:
            raise exceptions.AuthenticationFailed(self.missing_key_message) from None

    def _jwt_user(self, token: str, *, known_user=None):
        if not token or token.startswith(API_KEY_MARK):
            return None
        try:
            return authenticate_jwt(token, known_user=known_user)
        except exceptions.AuthenticationFailed:
            raise exceptions.AuthenticationFailed(self.missing_token_message) from None

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
