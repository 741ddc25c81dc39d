"""Which attachments a document's content refers to: the `src` of its `image` elements.

y-prosemirror stores a node as an XmlElement named after its type, with its attrs as the
element's attributes; an image node is `<image src="...">`. The lookup reads only that, so it
does not depend on the content converters.
"""

from collections.abc import Iterator
from urllib.parse import urlsplit
from uuid import UUID

from django.urls import Resolver404, resolve, reverse
from pycrdt import Doc, XmlElement, XmlFragment

IMAGE_TAG = "image"
ATTACHMENT_ROUTE = "document-attachment"


def image_sources(doc: Doc) -> Iterator[str]:
    """The `src` of every image element of the document's content, in document order."""
    stack: list = list(reversed(list(doc.get("default", type=XmlFragment).children)))
    while stack:
        node = stack.pop()
        if not isinstance(node, XmlElement):
            continue
        if node.tag == IMAGE_TAG:
            source = node.attributes.get("src")
            if isinstance(source, str):
                yield source
        stack.extend(reversed(list(node.children)))


def attachment_path(document_id: UUID, attachment_id: UUID) -> str:
    """Where an attachment is served: a path on this site, the `src` of its image node."""
    return reverse(
        ATTACHMENT_ROUTE, kwargs={"document_id": document_id, "attachment_id": attachment_id}
    )


def attachment_id(source: str) -> UUID | None:
    """The attachment an image's `src` points at (a path on this site, or a full URL of it),
    or None for anything else."""
    path = urlsplit(source).path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.url_name != ATTACHMENT_ROUTE:
        return None
    return match.kwargs["attachment_id"]


def referenced_attachments(doc: Doc) -> set[UUID]:
    """The ids of the attachments the document's images show."""
    ids = (attachment_id(source) for source in image_sources(doc))
    return {found for found in ids if found is not None}
