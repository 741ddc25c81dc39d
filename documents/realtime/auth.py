"""WebSocket authentication: Origin policy, session cookie for browsers, token for API clients.

Browsers always send an Origin header, and it must name an allowed host. Other clients (Node's
`ws`, Python's `websockets`) send none; they may authenticate only by token, never by a cookie,
so a page on another site cannot ride a user's session.
"""

import functools
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qs
from uuid import UUID

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth import get_user, get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http.cookie import parse_cookie
from rest_framework.authtoken.models import Token

from documents.access import Role, User, role_from, role_on
from documents.models import Document, Membership


class OriginPolicyValidator(OriginValidator):
    """Refuses a present Origin that is not an allowed host; lets a missing one through."""

    def valid_origin(self, parsed_origin) -> bool:
        return parsed_origin is None or self.validate_origin(parsed_origin)


def _header(scope, name: bytes) -> str | None:
    for header_name, value in scope.get("headers", []):
        if header_name == name:
            return value.decode("latin-1")
    return None


@functools.cache
def _token_admission_sql() -> str:
    """SELECT the token's active user, with the document's owner id and the user's membership
    role on it as two extra columns (NULL for an unknown document or no membership)."""
    quote = connection.ops.quote_name
    user_model = get_user_model()

    def table(model) -> str:
        return quote(model._meta.db_table)

    def column(model, field: str) -> str:
        return quote(model._meta.get_field(field).column)

    user_pk = quote(user_model._meta.pk.column)
    document_pk = column(Document, "id")
    return (
        f"SELECT u.*, d.{column(Document, 'owner')} AS document_owner_id,"
        f" m.{column(Membership, 'role')} AS document_role"
        f" FROM {table(Token)} t"
        f" JOIN {table(user_model)} u ON u.{user_pk} = t.{column(Token, 'user')}"
        f" LEFT JOIN {table(Document)} d ON d.{document_pk} = %s"
        f" LEFT JOIN {table(Membership)} m ON m.{column(Membership, 'document')} = d.{document_pk}"
        f" AND m.{column(Membership, 'user')} = u.{user_pk}"
        f" WHERE t.{column(Token, 'key')} = %s AND u.{column(user_model, 'is_active')}"
    )


def _admit_by_token(key: str, document_id: UUID) -> tuple[User, Role | None]:
    # One raw query for the token's user and their role: every API client's connect pays for
    # it, on the one database thread, and the ORM took ten times longer to build the query
    # than the database took to answer it (about 1 ms against 0.1 ms, SQLite).
    document_pk = Document._meta.pk.get_db_prep_value(document_id, connection)
    users = get_user_model().objects.raw(_token_admission_sql(), [document_pk, key])
    user = next(iter(users), None)
    if user is None:
        return AnonymousUser(), None
    return user, role_from(user.pk, user.document_owner_id, user.document_role)


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
    header (browsers). Synchronous database work."""
    keys = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    if keys:
        return _admit_by_token(keys[0], document_id)
    if _header(scope, b"origin") is None:
        return AnonymousUser(), None
    user = _user_for_session_cookie(scope)
    return user, role_on(user, document_id)


def websocket_auth_stack(inner):
    """The Origin policy around `inner`; the consumer authenticates (see `admit`)."""
    return OriginPolicyValidator(inner, settings.ALLOWED_HOSTS)
