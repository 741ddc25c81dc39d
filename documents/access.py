"""Who may view, edit or manage a document: the one place that decides, for REST and WebSocket.

The owner of a document holds every right; other users hold the role of their membership.
Someone without a role may not even learn that the document exists.
"""

import functools
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from rest_framework.authtoken.models import Token

from documents.models import Document, Membership
from documents.roles import Role

User = AbstractBaseUser | AnonymousUser


def role_for(user: User, document: Document) -> Role | None:
    """The user's role on the document, or None when they may not see it."""
    if not user.is_authenticated:
        return None
    if document.owner_id == user.pk:
        return Role.OWNER
    annotated = getattr(document, "my_role", None)
    if annotated is not None:
        return Role(annotated)
    membership = Membership.objects.filter(document=document, user=user).first()
    return Role(membership.role) if membership else None


def _shared_role(user: User) -> Subquery:
    """The user's membership role on the outer query's document (NULL without a membership)."""
    return Subquery(
        Membership.objects.filter(document=OuterRef("pk"), user=user).values("role")[:1]
    )


def role_on(user: User, document_id: UUID) -> Role | None:
    """The user's role on a document, in one query; None both for unknown documents and for
    documents the user may not see. For checks that need no more than the role (every
    WebSocket connect, access re-checks of open sockets)."""
    if not user.is_authenticated:
        return None
    row = (
        Document.objects.filter(pk=document_id)
        .annotate(shared_role=_shared_role(user))
        .values_list("owner_id", "shared_role")
        .first()
    )
    if row is None:
        return None
    owner_id, shared = row
    return role_from(user.pk, owner_id, shared)


def role_from(user_id: object, owner_id: object, shared_role: str | None) -> Role | None:
    """The role that a document's owner and the user's membership role (if any) give."""
    if owner_id == user_id:
        return Role.OWNER
    return Role(shared_role) if shared_role else None


def visible_documents(user: User) -> QuerySet[Document]:
    """The documents the user may see, each annotated with `my_role`."""
    if not user.is_authenticated:
        return Document.objects.none()
    return (
        Document.objects.filter(Q(owner=user) | Q(memberships__user=user))
        .distinct()
        .annotate(
            my_role=Coalesce(
                _shared_role(user),
                Value(Role.OWNER.value),
                output_field=CharField(),
            )
        )
    )


def find_document(user: User, document_id: UUID) -> tuple[Document, Role] | None:
    """The document and the user's role on it; None both for unknown documents and for
    documents the user may not see, so that callers cannot reveal which of the two it was."""
    # Not the CRDT snapshot: it can be megabytes, and access checks run on every connect.
    document = (
        Document.objects.select_related("owner").defer("snapshot").filter(pk=document_id).first()
    )
    if document is None:
        return None
    role = role_for(user, document)
    if role is None:
        return None
    return document, role


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


def user_and_role_for_token(key: str, document_id: UUID) -> tuple[User, Role | None]:
    """The active user of an API token and their role on a document (None: they may not see
    it); an anonymous user for an unknown token. Every token socket connect asks this."""
    # One raw query for the token's user and their role: every API client's connect pays for
    # it, on the one database thread, and the ORM took ten times longer to build the query
    # than the database took to answer it (about 1 ms against 0.1 ms, SQLite).
    document_pk = Document._meta.pk.get_db_prep_value(document_id, connection)
    users = get_user_model().objects.raw(_token_admission_sql(), [document_pk, key])
    user = next(iter(users), None)
    if user is None:
        return AnonymousUser(), None
    return user, role_from(user.pk, user.document_owner_id, user.document_role)
