"""WebSocket authentication: Origin policy, session cookie for browsers, token for API clients.

Browsers always send an Origin header, and it must name an allowed host. Other clients (Node's
`ws`, Python's `websockets`) send none; they may authenticate only by token, never by a cookie,
so a page on another site cannot ride a user's session.
"""

from importlib import import_module
from urllib.parse import parse_qs

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie
from rest_framework.authtoken.models import Token


class OriginPolicyValidator(OriginValidator):
    """Refuses a present Origin that is not an allowed host; lets a missing one through."""

    def valid_origin(self, parsed_origin) -> bool:
        return parsed_origin is None or self.validate_origin(parsed_origin)


def _header(scope, name: bytes) -> str | None:
    for header_name, value in scope.get("headers", []):
        if header_name == name:
            return value.decode("latin-1")
    return None


@database_sync_to_async
def _user_for_token(key: str):
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return AnonymousUser()
    return token.user


async def _user_for_session_cookie(scope):
    cookies = parse_cookie(_header(scope, b"cookie") or "")
    session_key = cookies.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return AnonymousUser()
    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    return await get_user({"session": session_store(session_key)})


class WebSocketAuthMiddleware:
    """Sets `scope["user"]`: from the `token` query parameter when there is one, else from the
    session cookie, but only for connections that carry an Origin header (browsers).

    Unlike Channels' AuthMiddlewareStack it does not wrap `send`, which is on the path of every
    frame the server sends; the session is only read here, never saved.
    """

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        keys = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
        if keys:
            user = await _user_for_token(keys[0])
        elif _header(scope, b"origin") is not None:
            user = await _user_for_session_cookie(scope)
        else:
            user = AnonymousUser()
        return await self.inner(dict(scope, user=user), receive, send)


def websocket_auth_stack(inner):
    """The full WebSocket authentication stack around `inner`."""
    return OriginPolicyValidator(WebSocketAuthMiddleware(inner), settings.ALLOWED_HOSTS)
