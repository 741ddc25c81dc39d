"""The bound on what the server queues for a socket, against a real daphne process: clients that
stop reading are dropped (4408 in the metrics) and cost no more than the bound, while clients
that read stay connected, slow ones opening a large document included."""

import asyncio
import time
from pathlib import Path

import pytest
import websockets
from pycrdt import Doc, Text, create_sync_message, create_update_message

from bench.procstat import sample_process
from tests.server import DaphneServer, PlainWebSocket, SocketClient, reset_peak_rss
from tests.yclient import YClient

pytestmark = pytest.mark.slow

MiB = 1024 * 1024
NOT_READING = 4408
CLOSED_NOT_READING = 'collab_sockets_closed_total{code="4408"}'


def start_server(tmp_path: Path, database: Path, **env: str) -> DaphneServer:
    server = DaphneServer(tmp_path, database, METRICS_TOKEN="send-limits-test", **env)
    server.start()
    return server


class RawWriter:
    """Sends updates of its own document over a plain `websockets` connection, and reads (and
    drops) whatever the server sends it: a YClient would answer each "stored" step 1 with a
    step 2 of everything the server had not stored yet, megabytes here."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.doc = Doc()
        self.text = self.doc.get("content", type=Text)
        self._draining = asyncio.create_task(self._drain())

    @classmethod
    async def connect(cls, server: DaphneServer, document_id: str, token: str) -> "RawWriter":
        url = f"{server.ws_url}/{document_id}?token={token}"
        return cls(await websockets.connect(url, max_size=None))

    async def replace(self, content: str) -> None:
        """Send one update that replaces the whole text: a large message, while the document
        stays small (deleted text is garbage-collected)."""
        before = self.doc.get_state()
        with self.doc.transaction():
            del self.text[:]
            self.text += content
        await self.connection.send(create_update_message(self.doc.get_update(before)))

    async def append(self, content: str) -> None:
        before = self.doc.get_state()
        self.text += content
        await self.connection.send(create_update_message(self.doc.get_update(before)))

    async def roundtrip(self) -> None:
        """Wait until the server has applied everything sent so far (it answers a step 1 after
        the frames before it)."""
        self._answered = asyncio.Event()
        await self.connection.send(create_sync_message(self.doc))
        await asyncio.wait_for(self._answered.wait(), 30)

    async def close(self) -> None:
        self._draining.cancel()
        await self.connection.close()

    async def _drain(self) -> None:
        async for frame in self.connection:
            if frame[:2] == b"\x00\x01" and hasattr(self, "_answered"):
                self._answered.set()


async def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        await asyncio.sleep(0.05)


# Three clients that never read while a writer sends 200 updates of 256 KiB (50 MiB to each),
# in two rounds. Before the bound the server held all of it: +145 MiB per round over the same
# run without them. Now each is dropped past 8 MiB (what is queued for it, frames shared with
# the others); the writer's traffic alone takes the peak up by about 30 MiB in our runs.
SILENT_CLIENTS = 3
UPDATES = 200
UPDATE_BYTES = 256 * 1024
SILENT_GROWTH_MIB = 64


async def _attack_round(
    server: DaphneServer, path: str, writer: RawWriter, reader: YClient, first: int
) -> float:
    """Silent clients join, the writer sends updates numbered from `first` while the honest
    reader keeps up; returns how long it took the server to drop the silent clients."""
    dropped_before = server.metric(CLOSED_NOT_READING)
    silent = [await PlainWebSocket.open(server.port, path) for _ in range(SILENT_CLIENTS)]
    started = time.monotonic()
    all_dropped = asyncio.create_task(
        wait_until(
            lambda: server.metric(CLOSED_NOT_READING) == dropped_before + SILENT_CLIENTS,
            60,
            "the drops",
        )
    )
    all_dropped.add_done_callback(lambda _: dropped_at.append(time.monotonic()))
    dropped_at: list[float] = []
    for index in range(first, first + UPDATES):
        await writer.replace(f"{index:06d}" + "x" * (UPDATE_BYTES - 6))
        # An honest client keeps up: at most a few updates behind.
        behind = f"{index - 4:06d}"
        await wait_until(lambda: reader.text[:6] >= behind, 30, "the reader")  # noqa: B023
    await all_dropped
    # What the silent clients' kernels took, then the end of their connections.
    assert [await client.dropped(timeout=5) for client in silent] == [True] * SILENT_CLIENTS
    await wait_until(lambda: reader.text == str(writer.text), 30, "the reader's copy")
    return dropped_at[0] - started


async def test_clients_that_never_read_are_dropped_and_cost_at_most_the_bound(tmp_path, database):
    server = start_server(tmp_path, database)
    try:
        token = server.token("alice")
        document_id = server.create_document(token)
        path = f"/ws/documents/{document_id}?token={token}"
        reader = await SocketClient.connect(server.ws_url, document_id, token)
        await reader.handshake()
        reading = asyncio.create_task(reader.pump_for(600))
        writer = await RawWriter.connect(server, document_id, token)
        pid = server.process.pid
        before = sample_process(pid).rss_mib
        reset_peak_rss(pid)
        # Twice: a second round costs no more than the first, so the first one's was freed.
        seconds = [
            await _attack_round(server, path, writer, reader, first) for first in (10_000, 20_000)
        ]
        grown = sample_process(pid).peak_rss_mib - before
        print(f"dropped after {seconds[0]:.2f} and {seconds[1]:.2f} s; peak +{grown:.1f} MiB")
        assert grown < SILENT_GROWTH_MIB
        assert not reading.done()  # the honest reader is still connected, and served:
        reading.cancel()
        await asyncio.gather(reading, return_exceptions=True)
        await reader.roundtrip()
        await reader.close()
        await writer.close()
    finally:
        server.stop()


# A client that reads at 2 MiB/s opens a 6 MiB document (three times the bound set here) while
# someone types: its step 2 still waits at the server when the keystrokes follow it, and must
# not count against it.
QUEUE_BOUND = 2 * MiB
DOCUMENT_BYTES = 6 * MiB


async def test_a_slow_reader_opens_a_document_larger_than_the_bound(tmp_path, database):
    server = start_server(tmp_path, database, REALTIME_MAX_QUEUED_SEND_BYTES=str(QUEUE_BOUND))
    try:
        token = server.token("alice")
        document_id = server.create_document(token)
        writer = await RawWriter.connect(server, document_id, token)
        for _ in range(DOCUMENT_BYTES // (512 * 1024)):
            await writer.append("y" * 512 * 1024)
        await writer.roundtrip()

        connection = await PlainWebSocket.open(
            server.port, f"/ws/documents/{document_id}?token={token}"
        )
        connection.read_rate = 2 * MiB
        reader = YClient(connection.send, connection.receive)
        handshake = asyncio.create_task(reader.handshake(timeout=30))
        while not handshake.done():
            await writer.append("k")  # a keystroke every 20 ms
            await asyncio.sleep(0.02)
        await handshake
        await writer.append("!")
        await reader.wait_for(lambda: reader.text == str(writer.text), 30)
        assert server.metric(CLOSED_NOT_READING) == 0
        connection.close()
        await writer.close()
    finally:
        server.stop()


async def test_a_reader_that_stops_after_opening_a_large_document_is_dropped(tmp_path, database):
    """The allowance for one large message is not a lasting one: a client that takes its step 2
    and then stops reading is dropped once the bound is queued behind it."""
    server = start_server(tmp_path, database, REALTIME_MAX_QUEUED_SEND_BYTES=str(QUEUE_BOUND))
    try:
        token = server.token("alice")
        document_id = server.create_document(token)
        writer = await RawWriter.connect(server, document_id, token)
        for _ in range(DOCUMENT_BYTES // (512 * 1024)):
            await writer.append("y" * 512 * 1024)
        await writer.roundtrip()
        connection = await PlainWebSocket.open(
            server.port, f"/ws/documents/{document_id}?token={token}"
        )
        reader = YClient(connection.send, connection.receive)
        await reader.handshake(timeout=30)
        # Past what the kernel's buffers take (up to 4 MiB on loopback) and the bound.
        for _ in range((4 * MiB + 2 * QUEUE_BOUND) // (256 * 1024)):
            await writer.append("z" * 256 * 1024)
        await writer.roundtrip()
        assert await connection.dropped(timeout=10)
        await wait_until(lambda: server.metric(CLOSED_NOT_READING) == 1, 10, "the metrics")
        await writer.close()
    finally:
        server.stop()
