"""WebSocket authentication: Origin policy, session cookie for browsers, token for API clients.

Browsers always send an Origin header, and it must name an allowed host. Other clients (Node's
`ws`, Python's `websockets`) send none; they may authenticate only by token, never by a cookie,
so a page on another site cannot ride a user's session.
"""

from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qs
from uuid import UUID

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie

from documents.access import Role, User, role_on, user_and_role_for_token


class OriginPolicyValidator(OriginValidator):
    """Refuses a present Origin that is not an allowed host; lets a missing one through."""

    def valid_origin(self, parsed_origin) -> bool:
        return parsed_origin is None or self.validate_origin(parsed_origin)


def _header(scope, name: bytes) -> str | None:
    for header_name, value in scope.get("headers", []):
        if header_name == name:
            return value.decode("latin-1")
    return None


def _user_for_session_cookie(scope) -> User:
    cookies = parse_cookie(_header(scope, b"cookie") or "")
    session_key = cookies.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return AnonymousUser()
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    # Django's own check (backend, session hash); it reads nothing of a request but its session.
    return get_user(SimpleNamespace(session=session))


def admit(scope, document_id: UUID) -> tuple[User, Role | None]:
    """Who the socket is and their role on the document (None: they may not see it), in one
    trip to the database thread. The user comes from the `token` query parameter when there
    is one, else from the session cookie, but only for connections that carry an Origin
    header (browsers). Someone signed out has the role of a public link, if any.
    Synchronous database work."""
    keys = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    if keys:
        return user_and_role_for_token(keys[0], document_id)
    # A cookie without an Origin is not believed.
    has_origin = _header(scope, b"origin") is not None
    user = _user_for_session_cookie(scope) if has_origin else AnonymousUser()
    return user, role_on(user, document_id)


def websocket_auth_stack(inner):
    """The Origin policy around `inner`; the consumer authenticates (see `admit`)."""
    return OriginPolicyValidator(inner, settings.ALLOWED_HOSTS)
