"""Asking the owner of a document for access, and the owner granting it.

Whoever asks learns nothing: the answer is the same whether the document exists, whether they
already asked, and whether they already have access. What is kept is bounded per person.
"""

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from documents.access import role_for
from documents.models import AccessRequest, Document, Membership
from documents.notifications import notify_access_requested, notify_shared
from documents.roles import Role

# Requests one person may have waiting, over all documents: each is a row until answered.
MAX_PENDING_PER_USER = 50


def ask_for_access(user: AbstractBaseUser, document_id: UUID) -> None:
    """Records that `user` asks for access to the document, if it exists and they have none."""
    document = Document.objects.defer("snapshot").filter(pk=document_id).first()
    if document is None or role_for(user, document) is not None:
        return
    if AccessRequest.objects.filter(user=user).count() >= MAX_PENDING_PER_USER:
        return
    try:
        with transaction.atomic():
            access_request, created = AccessRequest.objects.get_or_create(
                document=document, user=user
            )
            if created:
                notify_access_requested(access_request)
    except IntegrityError:
        pass  # the same request, sent twice at once


def grant_access(
    access_request: AccessRequest, role: Role, granted_by: AbstractBaseUser
) -> Membership:
    """Shares the document with whoever asked, as `role`, and closes the request."""
    with transaction.atomic():
        membership, _ = Membership.objects.update_or_create(
            document=access_request.document, user=access_request.user, defaults={"role": role}
        )
        access_request.delete()
        notify_shared(membership, granted_by)
    return membership
