"""Reading and changing documents from synchronous code (REST views) through the live sessions.

A document loaded in this process is read and changed through its session, on the server's
event loop, so open editors see a change at once. A document that is not loaded is read from
and changed in the database; other processes that hold it hear of the change through the
channel layer.
"""

from collections.abc import Callable
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from pycrdt import Doc

from documents.realtime import store
from documents.realtime.link import publish
from documents.realtime.registry import registry
from documents.realtime.session import server_change_event


def read_document(document_id: UUID) -> Doc:
    """The document's current content: the live session's if loaded, else the stored one."""
    update = async_to_sync(_live_update)(document_id)
    if update is None:
        return store.load_doc(document_id)[0]
    return store.build_doc([update])


def change_document(document_id: UUID, change: Callable[[Doc], None]) -> bytes:
    """Apply `change` to the document in one transaction; it is stored and reaches every open
    editor. Returns the update (empty when nothing changed)."""
    return async_to_sync(_change)(document_id, change)


async def _live_update(document_id: UUID) -> bytes | None:
    session = registry.get(document_id)
    return None if session is None else session.doc.get_update()


async def _change(document_id: UUID, change: Callable[[Doc], None]) -> bytes:
    session = registry.get(document_id)
    if session is not None:
        return await session.apply_change(change)
    update = await database_sync_to_async(store.change_stored)(document_id, change)
    if update != store.EMPTY_UPDATE:
        # Sessions that loaded the document meanwhile (here or elsewhere) subscribed before
        # loading, so this reaches them; one that loaded after the write has it already.
        await publish(document_id, server_change_event(update, stored=True))
    return update
