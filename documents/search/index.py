"""Keeping the index current: a document's stored content, read as plain text."""

from uuid import UUID

from pycrdt import Doc, XmlFragment

from documents import content
from documents.models import Document
from documents.realtime import storage
from documents.search.models import SearchText

# What a document's text may take in the index; the rest of a longer one is not searched.
MAX_INDEXED_CHARACTERS = 1_000_000


def index_document(document_id: UUID) -> None:
    """Index what is stored of the document now (synchronous: the store thread calls it)."""
    try:
        doc, _ = storage.load_doc(document_id)
    except Document.DoesNotExist:
        return
    index_text(document_id, doc)


def index_text(document_id: UUID, doc: Doc) -> None:
    """Index `doc` as the document's text (a copy the caller has just stored)."""
    text = content.render(doc.get("default", type=XmlFragment), "text")
    SearchText.objects.update_or_create(
        document_id=document_id, defaults={"text": text[:MAX_INDEXED_CHARACTERS]}
    )
