"""What can happen to comment threads: start one, reply, edit, delete, resolve, reopen.

Each runs in one transaction with its notifications, and once it commits every open editor
of the document hears of it (feed.py). The limits come from `settings.COMMENTS`. Anchors
are resolved against the document as it is now (`live.read_document`), off the event loop:
these functions are called from REST views.
"""

import json
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from pycrdt import Doc

from documents import live
from documents.comments.anchors import (
    InvalidAnchor,
    Located,
    Place,
    Position,
    anchor_quote,
    decode_position,
    locate,
)
from documents.comments.feed import ThreadChanged, ThreadDeleted
from documents.comments.mentions import store_mentions
from documents.comments.models import Comment, CommentThread
from documents.comments.serializers import ThreadSerializer
from documents.models import Document
from documents.notifications import notify_mentioned, notify_replied
from documents.realtime.link import publish_after_commit


class ThreadLimit(ValueError):
    """A document or thread already holds as many as it may."""


def limits() -> dict:
    return settings.COMMENTS


def threads_of(document: Document) -> QuerySet[CommentThread]:
    """The document's threads with what showing them needs, fetched in a few queries."""
    comments = Comment.objects.select_related("author").prefetch_related("mentions")
    return document.threads.select_related("author", "resolved_by").prefetch_related(
        Prefetch("comments", queryset=comments)
    )


def locate_threads(document_id: UUID, threads: list[CommentThread]) -> dict[UUID, Located | None]:
    """Where each thread's text is in the document now."""
    if not threads:
        return {}
    ranges = [(_position(t.anchor_start), _position(t.anchor_end)) for t in threads]
    found = locate(live.read_document(document_id), ranges)
    return {thread.id: place for thread, place in zip(threads, found, strict=True)}


def in_document_order(
    threads: list[CommentThread], located: dict[UUID, Located | None]
) -> list[CommentThread]:
    """Threads by where their text starts, orphaned ones last; the sort is stable, so threads
    that come oldest first stay so among equals."""

    def key(thread: CommentThread) -> tuple[int, Place]:
        place = located.get(thread.id)
        if place is None or place.orphaned:
            return (1, Place(0, 0))
        return (0, place.start)

    return sorted(threads, key=key)


def start_thread(
    document: Document,
    author: AbstractBaseUser,
    body: str,
    anchor: tuple[bytes, bytes] | None = None,
    quote: tuple[str, int] | None = None,
) -> CommentThread:
    """A new thread on a range given by its two positions (`anchor`) or by a quote and which
    occurrence of it. Raises InvalidAnchor, MentionRefused or ThreadLimit."""
    doc = live.read_document(document.id)
    start, end = _anchor_positions(doc, anchor, quote)
    located = locate(doc, [(start, end)])[0]
    if located is None or located.orphaned:
        raise InvalidAnchor("The selected text is no longer in the document.")
    stored_body, mentioned = store_mentions(body, document.id, limits()["MAX_MENTIONS"])
    with transaction.atomic():
        # The document row is locked so that two writers cannot both take the last place.
        Document.objects.select_for_update().filter(pk=document.pk).first()
        if document.threads.count() >= limits()["MAX_THREADS_PER_DOCUMENT"]:
            raise ThreadLimit(
                f"A document holds at most {limits()['MAX_THREADS_PER_DOCUMENT']} threads."
            )
        thread = CommentThread.objects.create(
            document=document,
            author=author,
            anchor_start=start.encode(),
            anchor_end=end.encode(),
            quote=_shortened(located.quote),
        )
        comment = _add_comment(thread, author, stored_body, mentioned)
        _notify(comment, mentioned, replied_to=[])
        _announce(thread, {thread.id: located})
    return thread


def reply(thread: CommentThread, author: AbstractBaseUser, body: str) -> Comment:
    """A reply in the thread; mentioned people and the thread's earlier participants are told."""
    stored_body, mentioned = store_mentions(body, thread.document_id, limits()["MAX_MENTIONS"])
    with transaction.atomic():
        CommentThread.objects.select_for_update().filter(pk=thread.pk).first()
        if thread.comments.count() >= limits()["MAX_COMMENTS_PER_THREAD"]:
            raise ThreadLimit(
                f"A thread holds at most {limits()['MAX_COMMENTS_PER_THREAD']} comments."
            )
        participants = list(
            thread.comments.exclude(author=None).values_list("author", flat=True).distinct()
        )
        comment = _add_comment(thread, author, stored_body, mentioned)
        _notify(comment, mentioned, replied_to=participants)
        _announce(thread)
    return comment


def edit(comment: Comment, body: str) -> Comment:
    """New words for a comment; people it now mentions for the first time are told."""
    thread = comment.thread
    stored_body, mentioned = store_mentions(body, thread.document_id, limits()["MAX_MENTIONS"])
    with transaction.atomic():
        before = set(comment.mentions.values_list("pk", flat=True))
        comment.body = stored_body
        comment.edited = timezone.now()
        comment.save(update_fields=["body", "edited"])
        comment.mentions.set(mentioned)
        newly = [user for user in mentioned if user.pk not in before]
        _notify(comment, newly, replied_to=[])
        _announce(thread)
    return comment


def delete(comment: Comment) -> None:
    """Delete a comment; deleting the first one deletes the whole thread."""
    thread = comment.thread
    first = thread.comments.order_by("created", "id").first()
    with transaction.atomic():
        if first is not None and first.pk == comment.pk:
            thread_id = thread.id
            thread.delete()
            publish_after_commit(thread.document_id, ThreadDeleted(str(thread_id)))
        else:
            comment.delete()
            _announce(thread)


def set_status(thread: CommentThread, user: AbstractBaseUser, status: str) -> CommentThread:
    """Resolve or reopen a thread."""
    with transaction.atomic():
        thread.status = status
        resolved = status == CommentThread.Status.RESOLVED
        thread.resolved_by = user if resolved else None
        thread.resolved_at = timezone.now() if resolved else None
        thread.save(update_fields=["status", "resolved_by", "resolved_at"])
        _announce(thread)
    return thread


def present(thread: CommentThread, located: dict[UUID, Located | None] | None = None) -> dict:
    """The thread as clients read it, re-read with its comments."""
    fresh = threads_of(thread.document).get(pk=thread.pk)
    if located is None:
        located = locate_threads(thread.document_id, [fresh])
    return ThreadSerializer(fresh, context={"located": located}).data


def _announce(thread: CommentThread, located: dict[UUID, Located | None] | None = None) -> None:
    payload = json.dumps(present(thread, located), separators=(",", ":"))
    publish_after_commit(thread.document_id, ThreadChanged(payload))


def _add_comment(
    thread: CommentThread, author: AbstractBaseUser, body: str, mentioned: list[AbstractBaseUser]
) -> Comment:
    comment = Comment.objects.create(thread=thread, author=author, body=body)
    comment.mentions.set(mentioned)
    return comment


def _notify(
    comment: Comment,
    mentioned: list[AbstractBaseUser],
    replied_to: list[int],
) -> None:
    """Tell the mentioned of the mention and earlier participants of the reply (each once,
    never the author)."""
    author_pk = comment.author_id
    told = notify_mentioned(comment, [user for user in mentioned if user.pk != author_pk])
    skip = {author_pk, *told}
    notify_replied(comment, [pk for pk in replied_to if pk not in skip])


def _anchor_positions(
    doc: Doc, anchor: tuple[bytes, bytes] | None, quote: tuple[str, int] | None
) -> tuple[Position, Position]:
    if anchor is not None:
        return decode_position(anchor[0]), decode_position(anchor[1])
    if quote is None:
        raise InvalidAnchor("Give either an anchor or a quote.")
    return anchor_quote(doc, *quote)


def _position(stored: bytes | memoryview) -> Position:
    return decode_position(bytes(stored))


def _shortened(quote: str) -> str:
    limit = limits()["STORED_QUOTE_CHARS"]
    return quote if len(quote) <= limit else quote[: limit - 1] + "…"
