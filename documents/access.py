"""Who may view, comment, edit or manage a document: the one place that decides, for REST, the
pages and the WebSocket.

The owner of a document holds every right; other users hold the role of their membership. A
document's link may let in more people (`link_access`: anyone signed in, or anyone at all) with
its `link_role`; a member who also has the link holds the higher of the two roles. Someone
without a role may not even learn that the document exists.
"""

import functools
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from rest_framework.authtoken.models import Token

from documents.models import Document, LinkVisit, Membership
from documents.roles import LinkAccess, Role

User = AbstractBaseUser | AnonymousUser


def role_from(
    user: User, owner_id: object, shared_role: str | None, link_access: str, link_role: str
) -> Role | None:
    """The role that a document's owner, the user's membership role (if any) and the
    document's link give the user."""
    if user.is_authenticated and owner_id == user.pk:
        return Role.OWNER
    by_link = Role(link_role) if LinkAccess(link_access).admits(user.is_authenticated) else None
    if shared_role:
        return Role(shared_role).at_least(by_link)
    return by_link


def _shared_role(user: User) -> Subquery:
    """The user's membership role on the outer query's document (NULL without a membership)."""
    return Subquery(
        Membership.objects.filter(document=OuterRef("pk"), user=user).values("role")[:1]
    )


def membership_role(user: User, document: Document) -> str | None:
    """The user's membership role on the document, None without one (the owner needs none)."""
    if not user.is_authenticated:
        return None
    annotated = getattr(document, "shared_role", None)
    if annotated is not None:
        return annotated or None
    return (
        Membership.objects.filter(document=document, user=user)
        .values_list("role", flat=True)
        .first()
    )


def role_for(user: User, document: Document) -> Role | None:
    """The user's role on the document, or None when they may not see it."""
    if user.is_authenticated and document.owner_id == user.pk:
        return Role.OWNER  # no need to look for a membership
    return role_from(
        user,
        document.owner_id,
        membership_role(user, document),
        document.link_access,
        document.link_role,
    )


def is_member(user: User, document: Document) -> bool:
    """Whether the document is the user's or shared with them by name (not by its link)."""
    if not user.is_authenticated:
        return False
    return document.owner_id == user.pk or membership_role(user, document) is not None


def role_on(user: User, document_id: UUID) -> Role | None:
    """The user's role on a document, in one query; None both for unknown documents and for
    documents the user may not see. For checks that need no more than the role (every
    WebSocket connect, access re-checks of open sockets)."""
    documents = Document.objects.filter(pk=document_id)
    if user.is_authenticated:
        documents = documents.annotate(shared_role=_shared_role(user))
    else:
        documents = documents.annotate(shared_role=Value(None, output_field=CharField()))
    row = documents.values_list("owner_id", "shared_role", "link_access", "link_role").first()
    if row is None:
        return None
    return role_from(user, *row)


def visible_documents(user: User) -> QuerySet[Document]:
    """The documents in the user's list: their own, those shared with them, and those they
    opened by a link that still lets them in; each annotated with `shared_role` ("" for
    none), which `role_for` reads."""
    if not user.is_authenticated:
        return Document.objects.none()
    by_link = Q(link_visits__user=user) & ~Q(link_access=LinkAccess.RESTRICTED)
    return _annotated(
        user, Document.objects.filter(Q(owner=user) | Q(memberships__user=user) | by_link)
    )


def reachable_documents(user: User) -> QuerySet[Document]:
    """The documents a signed-in user may open: those in their list and any whose link lets
    signed-in people in; annotated like `visible_documents`."""
    if not user.is_authenticated:
        return Document.objects.none()
    by_link = Q(link_access__in=[LinkAccess.AUTHENTICATED, LinkAccess.PUBLIC])
    return _annotated(
        user, Document.objects.filter(Q(owner=user) | Q(memberships__user=user) | by_link)
    )


def _annotated(user: User, documents: QuerySet[Document]) -> QuerySet[Document]:
    return documents.distinct().annotate(
        shared_role=Coalesce(_shared_role(user), Value(""), output_field=CharField())
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


def remember_link_visit(user: User, document: Document) -> None:
    """Puts a document someone signed in opened by its link alone (not a member: see
    `is_member`) into their list."""
    LinkVisit.objects.get_or_create(document=document, user=user)


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
        f" m.{column(Membership, 'role')} AS document_role,"
        f" d.{column(Document, 'link_access')} AS document_link_access,"
        f" d.{column(Document, 'link_role')} AS document_link_role"
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
    if user.document_owner_id is None:  # no such document
        return user, None
    return user, role_from(
        user,
        user.document_owner_id,
        user.document_role,
        user.document_link_access,
        user.document_link_role,
    )
