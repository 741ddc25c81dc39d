"""A y-websocket client for the benchmark: one pycrdt Doc over one WebSocket.

It behaves like the stock `WebsocketProvider`: on open it sends sync step 1, answers the
server's step 1 with step 2, applies step 2 and updates, and counts itself synced when a step 2
arrives. On top of that it keeps the books the benchmark needs, in a `Ledger` shared by every
client of the process (one process, one clock: latencies need no clock synchronisation).

Each benchmark insert is a unique marker `{c<client>/<seq>}`, appended at the end of the
client's own text, so no concurrent insert can land inside it. A Yjs v1 update carries inserted
strings verbatim, so a receiver finds the markers in the raw bytes of a frame without decoding
it; it then applies the frame to its Doc like any client.
"""

import asyncio
import random
import re
import time
from dataclasses import dataclass, field

import websockets
from pycrdt import (
    Awareness,
    Decoder,
    Doc,
    Text,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)
from websockets.asyncio.client import ClientConnection, connect

TEXT_NAME = "content"
MARKER = re.compile(rb"\{c(\d+)/(\d+)\}")
clock = time.perf_counter


def marker(client: int, seq: int) -> str:
    """The text a client inserts as its `seq`-th edit."""
    return f"{{c{client}/{seq}}}"


def markers_in(text: str) -> list[tuple[int, int]]:
    """Every (client, seq) marker in a text, in order, duplicates included."""
    return [(int(c), int(s)) for c, s in MARKER.findall(text.encode())]


@dataclass
class Ledger:
    """What the clients of this process sent and when, and what the others saw of it."""

    sent_at: dict[tuple[int, int], float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)  # one per (insert, other client)
    awareness_sent_at: dict[tuple[int, int], float] = field(default_factory=dict)
    awareness_latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    first_send: float | None = None
    last_receipt: float | None = None
    step1_received: int = 0  # the server's sync step 1 messages (each is answered)
    expected: int | None = None  # receipts to wait for; `complete` is set once they are in
    complete: asyncio.Event = field(default_factory=asyncio.Event)

    def expect(self, receipts: int) -> None:
        """Set `complete` once `receipts` latencies are recorded (at once if they are)."""
        self.expected = receipts
        if len(self.latencies) >= receipts:
            self.complete.set()

    def error(self, message: str) -> None:
        """Record a problem (kept short: a storm of identical errors must not flood memory)."""
        if len(self.errors) < 200:
            self.errors.append(message)


class BenchClient:
    """One simulated editor: a pycrdt Doc with a Y.Text `content`, over one WebSocket."""

    def __init__(self, url: str, number: int, ledger: Ledger, *, measure: bool = True) -> None:
        self.url = url
        self.number = number  # unique in the run: it names the markers this client inserts
        self.ledger = ledger
        self.measure = measure  # False for late joiners and cold-sync clients
        self.doc = Doc(client_id=random.getrandbits(32))  # 32 bits, like Yjs in a browser
        self.text = self.doc.get(TEXT_NAME, type=Text)
        self.sent = 0
        self.received: set[tuple[int, int]] = set()
        self.sync_s: float | None = None
        self.step2_bytes = 0
        self.close_code: int | None = None
        self._awareness: Awareness | None = None
        self._awareness_seen: set[tuple[int, int]] = set()
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._step2 = asyncio.Event()
        self._closing = False

    @property
    def connected(self) -> bool:
        return self.sync_s is not None

    async def connect(self, timeout: float) -> float:
        """Open the socket and sync; returns the seconds from connect to the server's step 2."""
        started = clock()
        # No compression, keep-alive pings or proxy: the stock provider in Node sends none, and a
        # busy event loop must not turn into spurious disconnects. Large step 2 frames allowed.
        self._ws = await connect(
            self.url,
            compression=None,
            ping_interval=None,
            max_size=None,
            max_queue=None,
            proxy=None,
            open_timeout=timeout,
        )
        self._reader = asyncio.create_task(self._read(), name=f"reader {self.number}")
        await self._ws.send(create_sync_message(self.doc))
        await asyncio.wait_for(self._step2.wait(), max(timeout - (clock() - started), 0.001))
        if not self.step2_bytes:
            raise ConnectionError(f"closed before sync (code {self.close_code})")
        self.sync_s = clock() - started
        return self.sync_s

    async def insert_marker(self, seq: int) -> None:
        """Append this client's `seq`-th marker and send the update."""
        update = self._change(len(self.text), marker(self.number, seq))
        sent_at = clock()
        self.ledger.sent_at[(self.number, seq)] = sent_at
        if self.ledger.first_send is None:
            self.ledger.first_send = sent_at
        await self._send(create_update_message(update))
        self.sent += 1

    async def insert(self, position: int, text: str) -> None:
        """Insert any text (not tracked) and send the update."""
        await self._send(create_update_message(self._change(position, text)))

    async def announce_cursor(self) -> None:
        """Send an awareness update with the user and a cursor at the end of the text, as an
        editor does after each keystroke."""
        if self._awareness is None:
            self._awareness = Awareness(self.doc)  # only to encode; never started
        position = len(self.text)
        self._awareness.set_local_state(
            {"user": {"name": f"bench {self.number}"}, "cursor": {"anchor": position}}
        )
        client_id = self.doc.client_id
        entry_clock = self._awareness.meta[client_id]["clock"]
        payload = self._awareness.encode_awareness_update([client_id])
        self.ledger.awareness_sent_at[(client_id, entry_clock)] = clock()
        await self._send(create_awareness_message(payload))

    async def round_trip(self, timeout: float) -> None:
        """Send step 1 and wait for the step 2 answer. A connection's frames are handled in
        order, so the answer proves the server has applied everything sent before it."""
        self._step2.clear()
        await self._send(create_sync_message(self.doc))
        await asyncio.wait_for(self._step2.wait(), timeout)
        if self._reader is not None and self._reader.done():
            raise ConnectionError(f"closed during the round trip (code {self.close_code})")

    async def close(self) -> None:
        """Close the socket and wait for the reader to finish."""
        self._closing = True
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 5)
            except TimeoutError:
                self._reader.cancel()

    # -- internals ---------------------------------------------------------------------------

    def _change(self, position: int, text: str) -> bytes:
        before = self.doc.get_state()
        self.text.insert(position, text)
        return self.doc.get_update(before)

    async def _send(self, frame: bytes) -> None:
        assert self._ws is not None, "connect() first"
        await self._ws.send(frame)

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for frame in self._ws:
                if isinstance(frame, str):
                    self.ledger.error(f"client {self.number}: unexpected text frame")
                    continue
                await self._handle(frame, clock())
        except websockets.ConnectionClosed:
            pass
        except asyncio.CancelledError:
            self._closing = True  # the harness gave up on this client; the server did nothing
            raise
        except Exception as error:  # a decoding failure must show in the report
            self.ledger.error(f"client {self.number}: {error!r}")
        finally:
            self.close_code = self._ws.close_code
            if not self._closing:
                self.ledger.error(
                    f"client {self.number}: closed by the server (code {self.close_code})"
                )
            self._step2.set()  # wake a waiting connect(); it sees sync_s unset if it matters

    async def _handle(self, frame: bytes, received_at: float) -> None:
        decoder = Decoder(frame)
        kind = decoder.read_var_uint()
        if kind == YMessageType.SYNC:
            sync_kind = decoder.read_var_uint()
            if sync_kind == YSyncMessageType.SYNC_STEP1:
                self.ledger.step1_received += 1
                reply = handle_sync_message(frame[1:], self.doc)
                if reply is not None:
                    await self._send(reply)
                return
            if self.measure:
                self._note_markers(frame, received_at)
            handle_sync_message(frame[1:], self.doc)
            if sync_kind == YSyncMessageType.SYNC_STEP2:
                self.step2_bytes = len(frame)
                self._step2.set()
        elif kind == YMessageType.AWARENESS and self.measure:
            payload = decoder.read_message()
            if payload:
                self._note_awareness(payload, received_at)

    def _note_markers(self, frame: bytes, received_at: float) -> None:
        ledger = self.ledger
        for match in MARKER.finditer(frame):
            key = (int(match[1]), int(match[2]))
            if key[0] == self.number or key in self.received:
                continue
            self.received.add(key)
            sent_at = ledger.sent_at.get(key)
            if sent_at is not None:
                ledger.latencies.append(received_at - sent_at)
                ledger.last_receipt = received_at
                if ledger.expected is not None and len(ledger.latencies) >= ledger.expected:
                    ledger.complete.set()

    def _note_awareness(self, payload: bytes, received_at: float) -> None:
        decoder = Decoder(payload)
        for _ in range(decoder.read_var_uint()):
            client_id = decoder.read_var_uint()
            entry_clock = decoder.read_var_uint()
            decoder.read_var_string()  # the JSON state; its content does not matter here
            key = (client_id, entry_clock)
            if client_id == self.doc.client_id or key in self._awareness_seen:
                continue
            self._awareness_seen.add(key)
            sent_at = self.ledger.awareness_sent_at.get(key)
            if sent_at is not None:
                self.ledger.awareness_latencies.append(received_at - sent_at)
