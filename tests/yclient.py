"""A Yjs client for tests, built on pycrdt's own codec (not the server's), over any transport."""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pycrdt import (
    Awareness,
    Doc,
    Encoder,
    Text,
    XmlElement,
    XmlFragment,
    XmlText,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    handle_sync_message,
    read_message,
    write_message,
)


class YClient:
    """A pycrdt document kept in sync over a transport given as two coroutines.

    `send(frame)` sends one binary frame; `receive(timeout)` returns the next binary frame, or
    None when nothing arrived in time; a close is reported by raising `Closed`.
    """

    def __init__(
        self,
        send: Callable[[bytes], Awaitable[None]],
        receive: Callable[[float], Awaitable[bytes | None]],
    ) -> None:
        self.doc = Doc()
        self.awareness = Awareness(self.doc)
        self.awareness.set_local_state(None)
        self._send = send
        self._receive = receive
        self.synced = False
        self.frames: list[bytes] = []

    @property
    def text(self) -> str:
        """The Y.Text named `content` (what the benchmark harness edits)."""
        return str(self.doc.get("content", type=Text))

    @property
    def fragment(self) -> XmlFragment:
        """The Y.XmlFragment named `default` (what the Tiptap editor edits)."""
        return self.doc.get("default", type=XmlFragment)

    async def handshake(self, timeout: float = 5.0) -> None:
        """Send step 1 and process frames until the server's step 2 arrives."""
        await self._send(create_sync_message(self.doc))
        await self.wait_for(lambda: self.synced, timeout)

    async def roundtrip(self, timeout: float = 5.0) -> None:
        """Send step 1 and wait for the step 2 answer: the server handles one socket's frames in
        order, so everything sent before has then been applied."""
        self.synced = False
        await self.handshake(timeout)

    async def edit(self, change: Callable[[Doc], Any]) -> bytes:
        """Make a local change and send it as one update message; returns the update."""
        before = self.doc.get_state()
        change(self.doc)
        update = self.doc.get_update(before)
        await self._send(create_update_message(update))
        return update

    async def insert(self, index: int, text: str) -> bytes:
        """Insert into the `content` text."""
        return await self.edit(lambda doc: doc.get("content", type=Text).insert(index, text))

    async def append_paragraph(self, text: str) -> bytes:
        """Append a Tiptap-shaped paragraph to the `default` fragment."""

        def change(doc: Doc) -> None:
            fragment = doc.get("default", type=XmlFragment)
            fragment.children.append(XmlElement("paragraph", {}, [XmlText(text)]))

        return await self.edit(change)

    async def set_presence(self, client_id: int, clock: int, state: dict | None) -> None:
        """Announce a presence state for `client_id` (None removes it)."""
        encoder = Encoder()
        encoder.write_var_uint(1)
        encoder.write_var_uint(client_id)
        encoder.write_var_uint(clock)
        encoder.stream.append(write_message(json.dumps(state).encode()))
        await self._send(create_awareness_message(encoder.to_bytes()))

    def presence(self) -> dict[int, dict]:
        """The presence states this client knows of (other clients', as the server relayed)."""
        return {cid: state for cid, state in self.awareness.states.items() if state is not None}

    async def send_raw(self, frame: bytes) -> None:
        await self._send(frame)

    def handle(self, frame: bytes) -> bytes | None:
        """Apply one frame from the server; returns a reply to send, if any."""
        self.frames.append(frame)
        if frame[0] == 0:
            if frame[1] == 1:
                self.synced = True
            return handle_sync_message(frame[1:], self.doc)
        if frame[0] == 1:
            self.awareness.apply_awareness_update(read_message(frame[1:]), "server")
        return None

    @property
    def notices(self) -> list[dict]:
        """The server's own notices received so far (message type 100), decoded."""
        return [json.loads(read_message(frame[1:])) for frame in self.frames if frame[0] == 100]

    @property
    def comment_messages(self) -> list[dict]:
        """The comments feed's messages received so far (message type 101), decoded."""
        return [json.loads(read_message(frame[1:])) for frame in self.frames if frame[0] == 101]

    async def pump(self, timeout: float = 0.05) -> None:
        """Process frames until none arrives within `timeout`."""
        while (frame := await self._receive(timeout)) is not None:
            reply = self.handle(frame)
            if reply is not None:
                await self._send(reply)

    async def pump_for(self, seconds: float) -> None:
        """Process frames for `seconds`, however many arrive (pump() waits for a pause, which
        never comes while other clients keep typing)."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            frame = await self._receive(remaining)
            if frame is not None:
                reply = self.handle(frame)
                if reply is not None:
                    await self._send(reply)

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Process frames until `condition()` holds; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"condition not met within {timeout}s")
            frame = await self._receive(min(remaining, 0.1))
            if frame is not None:
                reply = self.handle(frame)
                if reply is not None:
                    await self._send(reply)


class Closed(Exception):
    """The server closed the connection."""

    def __init__(self, code: int | None) -> None:
        super().__init__(f"closed with code {code}")
        self.code = code


async def communicator_client(communicator) -> YClient:
    """A YClient over a channels WebsocketCommunicator (already connected)."""

    async def send(frame: bytes) -> None:
        # Not send_to(): it refuses an empty frame, which the tests need to send.
        await communicator.send_input({"type": "websocket.receive", "bytes": frame})

    async def receive(timeout: float) -> bytes | None:
        # Not communicator.receive_output(): its timeout cancels the application.
        if communicator.future.done():
            communicator.future.result()  # re-raises what crashed the consumer
        try:
            message = await asyncio.wait_for(communicator.output_queue.get(), timeout)
        except TimeoutError:
            return None
        if message["type"] == "websocket.close":
            raise Closed(message.get("code"))
        return message["bytes"]

    return YClient(send, receive)
