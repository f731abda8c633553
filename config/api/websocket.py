"""WebSocket authentication: the session cookie, or ``?token=<access JWT>``."""

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
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
