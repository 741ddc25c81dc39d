"""Reading and changing documents from synchronous code (REST views) through the live sessions.

A document loaded in this process is read and changed through its session, so open editors see
a change at once; the work of a change is done in the caller's thread, only its result on the
server's event loop. A document that is not loaded is read from
and changed in the database; other processes that hold it hear of the change through the
channel layer.
"""

from collections.abc import Callable
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from pycrdt import Doc

from documents.realtime import storage
from documents.realtime.events import CrdtUpdate
from documents.realtime.link import publish
from documents.realtime.protocol import EMPTY_UPDATE
from documents.realtime.registry import registry
from documents.search.index import index_text


def read_document(document_id: UUID) -> Doc:
    """The document's current content: the live session's if loaded, else the stored one."""
    update = async_to_sync(_live_update)(document_id)
    if update is None:
        return storage.load_doc(document_id)[0]
    return storage.build_doc([update])


def change_document(document_id: UUID, change: Callable[[Doc], None]) -> bytes:
    """Apply `change` to the document in one transaction; it is stored and reaches every open
    editor. Returns the update (empty when nothing changed).

    The change runs in the calling thread, never on the event loop: on a copy of a loaded
    document, whose resulting update the session then applies (see `_apply`), or in the store
    for a document that is not loaded. The loop, which serves every socket of this process,
    only integrates an update whose size the content limits bound.
    """
    live_state = async_to_sync(_live_update)(document_id)
    if live_state is None:
        return async_to_sync(_change_stored)(document_id, change)
    copy = storage.build_doc([live_state])
    before = copy.get_state()
    with copy.transaction():
        change(copy)
    update = copy.get_update(before)
    if update == EMPTY_UPDATE:
        return update
    return async_to_sync(_apply)(document_id, update)


async def _live_update(document_id: UUID) -> bytes | None:
    session = registry.get(document_id)
    return None if session is None else session.doc.get_update()


async def _apply(document_id: UUID, update: bytes) -> bytes:
    """Apply an update made on a copy of the live document. Editors may have typed since the
    copy was taken: the CRDT merges their edits with it, as it merges any two clients'."""
    session = registry.get(document_id)
    if session is not None:
        return await session.apply_change(lambda doc: doc.apply_update(update))
    # The session was unloaded meanwhile (it stores what it held): the update goes to the log
    # as it is, since loading the document now might not yet find the copy's base in it.
    await database_sync_to_async(storage.append_updates)(document_id, [update])
    await publish(document_id, CrdtUpdate(update, stored=True, server_change=True).message())
    return update


async def _change_stored(document_id: UUID, change: Callable[[Doc], None]) -> bytes:
    changed: list[Doc] = []

    def change_and_keep(doc: Doc) -> None:
        change(doc)
        changed.append(doc)

    update = await database_sync_to_async(storage.change_stored)(document_id, change_and_keep)
    if update != EMPTY_UPDATE:
        # No session indexes it (documents/search/indexing.py): the changed copy is what is stored.
        await database_sync_to_async(index_text)(document_id, changed[0])
        # Sessions that loaded the document meanwhile (here or elsewhere) subscribed before
        # loading, so this reaches them; one that loaded after the write has it already.
        await publish(document_id, CrdtUpdate(update, stored=True, server_change=True).message())
    return update
