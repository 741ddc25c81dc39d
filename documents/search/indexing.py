"""SearchIndexing: the session feature that keeps a live document's index entry current.

After the writer has stored what was pending, the document is indexed again from what is
stored, at most once every INDEX_DELAY_SECONDS while people type and once more when the session
stops, on the store thread: never on the path of a keystroke.
"""

import asyncio

from django.conf import settings

from documents.realtime.features import Feature
from documents.realtime.store import in_store_thread
from documents.search.index import index_document


class SearchIndexing(Feature):
    def __init__(self, session) -> None:
        super().__init__(session)
        self.delay = settings.REALTIME["SEARCH_INDEX_SECONDS"]
        self._dirty = False  # stored since the last indexing
        self._timer: asyncio.TimerHandle | None = None
        self._indexing: asyncio.Task | None = None
        self._stopping = False  # then only stop() indexes, once

    async def stored(self) -> None:
        self._dirty = True
        if self._timer is None and self._indexing is None and not self._stopping:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.delay, self._start_indexing)

    async def stop(self) -> None:
        self._stopping = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._indexing is not None:
            await asyncio.gather(self._indexing, return_exceptions=True)
        if self._dirty:
            await self._index()

    def _start_indexing(self) -> None:
        self._timer = None
        self._indexing = asyncio.ensure_future(self._index_then_again())

    async def _index_then_again(self) -> None:
        await self._index()
        self._indexing = None
        if self._dirty:  # stored again while indexing: once more, after the delay
            await self.stored()

    async def _index(self) -> None:
        self._dirty = False
        try:
            await in_store_thread(index_document)(self.session.document_id)
        except Exception:
            self.log.exception("indexing for search failed")
