"""Who may view, edit or manage a document: the one place that decides, for REST and WebSocket.

The owner of a document holds every right; other users hold the role of their membership.
Someone without a role may not even learn that the document exists.
"""

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

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
