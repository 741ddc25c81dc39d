"""DocumentConsumer: one WebSocket on one document. It authenticates, checks access, and turns
frames into session calls; the session does the rest."""

import logging
from uuid import UUID

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from documents import metrics
from documents.access import Role
from documents.client_address import socket_client_address
from documents.realtime.auth import admit
from documents.realtime.close_codes import CloseCode
from documents.realtime.daphne_adapter import receive_loop, send_paths
from documents.realtime.daphne_adapter.direct_send import DirectSocket, SendBacklogFull
from documents.realtime.document_log import DocumentLog
from documents.realtime.limits import RateLimit, socket_quota
from documents.realtime.protocol import MessageTooLarge, ProtocolError
from documents.realtime.registry import RegistryFull, registry
from documents.realtime.session import DocumentSession
from documents.visitors import AnonymousVisitor

logger = logging.getLogger(__name__)


class DocumentConsumer(AsyncWebsocketConsumer):
    """Speaks the y-websocket protocol for `/ws/documents/<uuid>`.

    Refusals happen after the handshake, as a close code: the stock client only reports a close
    code, and would retry a failed handshake for ever.
    """

    role: Role | None = None
    session: DocumentSession | None = None
    user = None
    quota_key: object = None  # whose share of the socket quota this socket takes
    rate_limit: RateLimit | None = None
    direct: DirectSocket | None = None
    dropped_with: CloseCode | None = None
    log: DocumentLog

    async def __call__(self, scope, receive, send):
        # No channel-layer channel per socket: each document is subscribed once per process
        # (link.py), and the adapter's plain loop skips the task and asyncio.wait per receive
        # that Channels' own loop would still cost.
        try:
            await receive_loop.run(self, scope, receive, send)
        except StopConsumer:
            pass
        finally:
            # Runs on a normal disconnect and when the server cancels us at shutdown.
            await self._leave()
            if self.direct is not None:
                self.direct.closed()

    async def websocket_connect(self, message) -> None:
        document_id: UUID = self.scope["url_route"]["kwargs"]["document_id"]
        self.log = DocumentLog(logger, document_id)
        user, role = await database_sync_to_async(admit)(self.scope, document_id)
        if role is None:
            if not user.is_authenticated:
                await self._refuse(CloseCode.NOT_SIGNED_IN, "not signed in")
            else:
                await self._refuse(CloseCode.NOT_FOUND, "no such document")
            return
        limits = settings.REALTIME
        if user.is_authenticated:
            self.quota_key, maximum = user.pk, limits["MAX_SOCKETS_PER_USER"]
        else:
            # Someone signed out on a public link: a visitor of its own per socket, counted
            # by address.
            user = AnonymousVisitor()
            address = socket_client_address(self.scope)
            self.quota_key = f"address:{address}"
            maximum = limits["MAX_ANONYMOUS_SOCKETS_PER_ADDRESS"]
        if not socket_quota.acquire(self.quota_key, maximum):
            await self._refuse(CloseCode.TOO_MANY, "too many open connections")
            return
        try:
            session = await registry.checkout(document_id)
        except RegistryFull:
            socket_quota.release(self.quota_key)
            await self._refuse(CloseCode.TRY_AGAIN_LATER, "the server is at capacity")
            return
        except Exception:
            socket_quota.release(self.quota_key)
            self.log.exception("loading failed")
            await self._refuse(CloseCode.UNAVAILABLE, "the document could not be loaded")
            return
        self.user = user
        self.role = role
        self.rate_limit = RateLimit(limits["MAX_MESSAGES_PER_SECOND"], limits["MESSAGE_BURST"])
        self.session = session
        await self.accept()
        self.direct = send_paths.socket_for(self.base_send, limits["MAX_QUEUED_SEND_BYTES"])
        metrics.opened_sockets.inc()
        await session.join(self)

    @property
    def read_only(self) -> bool:
        return self.role is None or not self.role.can_edit

    async def dispatch(self, message) -> None:
        # Channels closes stale database connections before every handler, through a thread
        # hop; frames touch no database, and that hop cost more than everything else per frame.
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
        else:
            await super().dispatch(message)

    async def websocket_receive(self, message) -> None:
        if self.session is None:
            return  # closing: frames still in flight are ignored
        frame = message.get("bytes")
        if frame is None:
            await self.close_with(CloseCode.MALFORMED, "text frames are not part of the protocol")
            return
        limits = settings.REALTIME
        if len(frame) > limits["MAX_MESSAGE_BYTES"]:
            await self.close_with(CloseCode.TOO_LARGE, "message too large")
            return
        if not self.rate_limit.allow():
            logger.info("closing a socket that sent too many messages")
            await self.close_with(CloseCode.TOO_MANY, "too many messages")
            return
        try:
            await self.session.receive(self, frame)
        except MessageTooLarge as error:
            await self.close_with(CloseCode.TOO_LARGE, str(error))
        except ProtocolError as error:
            self.log.info("malformed frame: %s", error)
            await self.close_with(CloseCode.MALFORMED, str(error))

    async def send_frame(self, frame: bytes) -> None:
        if self.session is None:
            return  # left: closing, or dropped for not reading
        if self.direct is not None:
            try:
                if self.direct.send(frame):
                    return
            except SendBacklogFull as full:
                await self._drop_for_not_reading(full.queued)
                return
            except Exception:
                # daphne's internals failed us: this socket, this frame included, uses plain
                # ASGI from now on (a frame only goes out part-way if Twisted's own write fails,
                # and then the connection is broken on either path).
                self.direct = None
                send_paths.fell_back("sending")
        try:
            await self.base_send({"type": "websocket.send", "bytes": frame})
        except Exception:  # the socket closed under us (autobahn's Disconnected): nothing to do
            logger.debug("send to a closed socket dropped")

    async def close_with(self, code: int, reason: str) -> None:
        """Leave the session at once (no more broadcasts, presence removed), then close."""
        await self._leave()
        # Close reasons are limited to 123 bytes.
        await self.close(code=int(code), reason=reason.encode()[:123].decode(errors="ignore"))

    async def websocket_disconnect(self, message) -> None:
        if self.user is not None:  # admitted: refusals are not counted as opened either
            metrics.closed_sockets.inc(self.dropped_with or message.get("code", 1005))
        await super().websocket_disconnect(message)

    async def _drop_for_not_reading(self, queued: int) -> None:
        """Drop the connection and what is queued for it, and leave the session."""
        self.log.info(
            "dropping a socket that is not reading (%d bytes queued, close code %d)",
            queued,
            CloseCode.NOT_READING,
        )
        self.dropped_with = CloseCode.NOT_READING
        self.direct.abort()
        await self._leave()

    async def _refuse(self, code: int, reason: str) -> None:
        await self.accept()
        # int(): autobahn, under daphne, refuses an IntEnum as a close code.
        await self.close(code=int(code), reason=reason)

    async def _leave(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            socket_quota.release(self.quota_key)
            await session.leave(self)
            await registry.checkin(session)


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Answers WebSocket paths that name no document with 4404, like an unknown id."""

    async def connect(self) -> None:
        await self.accept()
        await self.close(code=int(CloseCode.NOT_FOUND), reason="no such document")
