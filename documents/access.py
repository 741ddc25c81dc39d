"""Who may view, edit or manage a document: the one place that decides, for REST and WebSocket.

Until sharing exists, the owner is the only member and holds every right.
"""

from enum import StrEnum
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from documents.models import Document


class Role(StrEnum):
    """A user's role on a document, from most to least powerful."""

    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"

    @property
    def can_edit(self) -> bool:
        return self in (Role.OWNER, Role.EDITOR)

    @property
    def can_manage(self) -> bool:
        return self is Role.OWNER


def role_for(user: AbstractBaseUser | AnonymousUser, document: Document) -> Role | None:
    """The user's role on the document, or None when they may not even know it exists."""
    if not user.is_authenticated:
        return None
    if document.owner_id == user.pk:
        return Role.OWNER
    return None


def visible_documents(user: AbstractBaseUser | AnonymousUser):
    """The documents the user may see, as a queryset (empty for anonymous users)."""
    if not user.is_authenticated:
        return Document.objects.none()
    return Document.objects.filter(owner=user)


def find_document(
    user: AbstractBaseUser | AnonymousUser, document_id: UUID
) -> tuple[Document, Role] | None:
    """The document and the user's role on it; None for unknown documents and for documents the
    user may not see, so that callers cannot reveal which of the two it was."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return None
    role = role_for(user, document)
    if role is None:
        return None
    return document, role
