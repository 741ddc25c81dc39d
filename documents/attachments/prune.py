"""Removing the attachments that no document refers to any more (`manage.py prune_attachments`).

An attachment is referenced when the current content of any document, or any of its named
versions (which a restore brings back), has an image whose `src` is its URL. One younger than
the grace period is kept whatever: a just-uploaded image may not be in the document yet, and
an editor's undo may bring back an image just deleted.
"""

from collections.abc import Iterable
from datetime import timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from documents import live
from documents.attachments.references import referenced_attachments
from documents.models import Attachment, Document, Version
from documents.realtime import storage

DEFAULT_GRACE = timedelta(hours=1)


def unreferenced_attachments(grace: timedelta = DEFAULT_GRACE) -> list[Attachment]:
    """Attachments older than `grace` that no document's content or version refers to."""
    candidates = list(Attachment.objects.filter(created__lt=timezone.now() - grace))
    if not candidates:
        return []
    referenced = _referenced_anywhere()
    return [attachment for attachment in candidates if attachment.id not in referenced]


def _referenced_anywhere() -> set[UUID]:
    # Every document, not only those with attachments: an image copied into another document
    # keeps pointing at the first one's attachment.
    referenced: set[UUID] = set()
    for document_id in Document.objects.values_list("id", flat=True).iterator():
        referenced |= referenced_attachments(live.read_document(document_id))
    for snapshot in Version.objects.values_list("snapshot", flat=True).iterator():
        referenced |= referenced_attachments(storage.build_doc([bytes(snapshot)]))
    return referenced


def delete_attachments(attachments: Iterable[Attachment]) -> int:
    """Delete the attachments and, once that is committed, their files; how many went."""
    ids = [attachment.id for attachment in attachments]
    with transaction.atomic():
        deleted = 0
        for attachment in Attachment.objects.filter(id__in=ids):
            attachment.delete()
            deleted += 1
    return deleted
