"""WebSocket authentication: the session cookie, or ``?token=<access JWT>``."""

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed

from config.api.authentication import authenticate_jwt


class QueryTokenAuthMiddleware:
    """Use ``?token=`` when present; a bad token means anonymous (close 4001)."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        token = parse_qs(scope.get("query_string", b"").decode()).get("token", [""])[0]
        if token:
            scope = dict(scope, user=await database_sync_to_async(_user_for_token)(token))
        return await self.inner(scope, receive, send)


def _user_for_token(token: str):
    try:
        return authenticate_jwt(token)
    except AuthenticationFailed:
        return AnonymousUser()


def WebSocketAuthStack(inner):  # noqa: N802 - reads like channels' AuthMiddlewareStack
    return AuthMiddlewareStack(QueryTokenAuthMiddleware(inner))


class BrowserOriginValidator(OriginValidator):
    """Check ``Origin`` against ``ALLOWED_HOSTS`` when a browser sends one.

    Cross-site WebSocket hijacking needs a browser, and browsers always send
    ``Origin``; integrators' clients usually send none and authenticate with
    ``?token=``, so a missing header is allowed.
    """

    def __init__(self, application):
        super().__init__(application, settings.ALLOWED_HOSTS)

    def valid_origin(self, parsed_origin) -> bool:
        return parsed_origin is None or super().valid_origin(parsed_origin)
