"""Real daphne processes for tests that need TCP, restarts and kills."""

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import websockets

from tests.yclient import Closed, YClient

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "server-test-password-1!"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DaphneServer:
    """A daphne process on a free port, restartable on it.

    By default it has its own SQLite database in `directory`: `database` is a migrated SQLite
    file to start from (copied), else one is migrated. With `database_url` it uses that
    database as it is (several servers share one). `daphne_args` are added to daphne's command
    line, and `launcher` is what runs it (`python -m daphne`, or a test's own module).
    """

    def __init__(
        self,
        directory: Path,
        database: Path | None = None,
        database_url: str | None = None,
        daphne_args: tuple[str, ...] = (),
        launcher: tuple[str, ...] = ("-m", "daphne"),
        **env: str,
    ) -> None:
        self.port = free_port()
        self.daphne_args = daphne_args
        self.launcher = launcher
        self.log_path = directory / f"daphne-{self.port}.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url or f"sqlite:///{directory / 'db.sqlite3'}",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE": "0",
            "DJANGO_SECRET_KEY": "test-only-secret-key-for-real-server-tests-0123456789",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # The apps' static files as they are: no stale collectstatic copy of the editor.
            "DJANGO_STATIC_COLLECTED": "0",
            **env,
        }
        self.process: subprocess.Popen | None = None
        if database is not None:
            shutil.copyfile(database, directory / "db.sqlite3")
        elif database_url is None:
            self.manage("migrate", "--noinput")

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/documents"

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=60,
        )

    def create_user(self, username: str) -> None:
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model as g; "
            f"g().objects.create_user({username!r}, password={PASSWORD!r})",
        )

    def start(self) -> None:
        assert self.process is None, "server already running"
        log = open(self.log_path, "a")  # noqa: SIM115 (the child keeps it)
        self.process = subprocess.Popen(
            [sys.executable, *self.launcher, "-b", "127.0.0.1", "-p", str(self.port),
             *self.daphne_args, "project_name.asgi:application"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited: {self.log_path.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("daphne did not start listening within 20 s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("daphne ignored SIGTERM for 15 s") from None
        finally:
            self.process = None

    def request(self, method: str, path: str, body: dict | None = None, token: str = ""):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Token {token}"} if token else {}),
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def metric(self, sample: str) -> float:
        """One sample of the server's /metrics (`name{label="value"}`), 0 if it has none yet;
        the server needs METRICS_TOKEN in its environment."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/metrics",
            headers={"Authorization": f"Bearer {self.env['METRICS_TOKEN']}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            for line in response.read().decode().splitlines():
                name, _, value = line.rpartition(" ")
                if name == sample:
                    return float(value)
        return 0.0

    def token(self, username: str) -> str:
        body = {"username": username, "password": PASSWORD}
        return self.request("POST", "/api/auth/token/", body)["token"]

    def create_document(self, token: str, title: str = "Doc") -> str:
        return self.request("POST", "/api/documents/", {"title": title}, token)["id"]


def reset_peak_rss(pid: int) -> None:
    """Linux: writing 5 to clear_refs resets VmHWM (the peak RSS) to the current RSS."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def upgrade_request(path: str) -> bytes:
    """A WebSocket opening handshake for `path`, as bytes to write to a plain TCP stream."""
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


def ws_frame(
    opcode: int,
    payload: bytes,
    *,
    masked: bool = True,
    fin: bool = True,
    rsv: int = 0,
    declared: int | None = None,
) -> bytes:
    """One WebSocket frame as given, however invalid; `declared` overrides the length field.
    The masking key is zero: still a masked frame, and a 1 MiB payload needs no XOR pass."""
    length = len(payload) if declared is None else declared
    mask_bit = 0x80 if masked else 0
    header = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    if length < 126:
        header += bytes([mask_bit | length])
    elif length < 2**16:
        header += bytes([mask_bit | 126]) + length.to_bytes(2, "big")
    else:
        header += bytes([mask_bit | 127]) + length.to_bytes(8, "big")
    return header + (b"\0\0\0\0" if masked else b"") + payload


class PlainWebSocket:
    """A WebSocket client on a plain TCP stream with a tiny receive buffer, which reads only when
    asked, and then no faster than `read_rate` bytes a second: a client that stops reading, or
    reads slowly. `send` and `receive` make it a YClient transport."""

    CHUNK = 16 * 1024

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.read_rate: float | None = None  # bytes a second; None: as fast as they come

    @classmethod
    async def open(cls, port: int, path: str) -> "PlainWebSocket":
        connection = socket.socket()
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        connection.setblocking(False)
        await asyncio.get_running_loop().sock_connect(connection, ("127.0.0.1", port))
        # A small stream limit: asyncio stops reading the socket beyond twice this much.
        reader, writer = await asyncio.open_connection(sock=connection, limit=4096)
        writer.write(upgrade_request(path))
        response = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert response.startswith(b"HTTP/1.1 101 "), response[:100]
        return cls(reader, writer)

    async def send(self, message: bytes) -> None:
        self.writer.write(ws_frame(0x2, message))
        await self.writer.drain()

    async def receive(self, timeout: float) -> bytes | None:
        """The next binary message, or None if nothing came within `timeout`; raises Closed on
        a close frame or a dropped connection. The server's pings are skipped."""
        try:
            while True:
                try:
                    first = await asyncio.wait_for(self.reader.readexactly(1), timeout)
                except TimeoutError:
                    return None
                opcode, payload = first[0] & 0x0F, await self._read_payload()
                if opcode == 8:
                    raise Closed(int.from_bytes(payload[:2], "big"))
                if opcode == 2:
                    return payload
        except (asyncio.IncompleteReadError, ConnectionError):
            raise Closed(None) from None

    async def _read_payload(self) -> bytes:
        length = (await self.reader.readexactly(1))[0] & 0x7F
        if length >= 126:
            length = int.from_bytes(await self.reader.readexactly(2 if length == 126 else 8))
        payload = bytearray()
        while len(payload) < length:
            chunk = await self.reader.readexactly(min(self.CHUNK, length - len(payload)))
            payload += chunk
            if self.read_rate:
                await asyncio.sleep(len(chunk) / self.read_rate)
        return bytes(payload)

    async def dropped(self, timeout: float) -> bool:
        """Read what is left until the server's end is gone (True), or until `timeout` passes
        with the connection still open (False)."""
        deadline = time.monotonic() + timeout
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                if not await asyncio.wait_for(self.reader.read(1 << 16), remaining):
                    return True  # end of stream
        except ConnectionResetError:
            return True  # the server aborted the connection
        except TimeoutError:
            pass
        return False

    def close(self) -> None:
        self.writer.close()


async def _open(url: str, document_id: str, token: str):
    # No size limit: a large document's sync step 2 is bigger than the library's 1 MiB default.
    return await websockets.connect(f"{url}/{document_id}?token={token}", max_size=None)


def _transport(connection):
    async def send(frame: bytes) -> None:
        try:
            await connection.send(frame)
        except websockets.ConnectionClosed as closed:
            raise Closed(closed.rcvd.code if closed.rcvd else None) from None

    async def receive(timeout: float) -> bytes | None:
        try:
            # Cancelling recv() is safe with websockets' asyncio implementation: nothing is lost.
            return await asyncio.wait_for(connection.recv(), timeout)
        except TimeoutError:
            return None
        except websockets.ConnectionClosed as closed:
            raise Closed(closed.rcvd.code if closed.rcvd else None) from None

    return send, receive


class SocketClient(YClient):
    """A YClient over a real WebSocket (the `websockets` package); like the stock provider, it
    can reconnect with the document state it holds."""

    def __init__(self, connection) -> None:
        self.connection = connection
        super().__init__(*_transport(connection))

    @classmethod
    async def connect(cls, url: str, document_id: str, token: str) -> "SocketClient":
        return cls(await _open(url, document_id, token))

    async def reconnect(self, url: str, document_id: str, token: str) -> None:
        """Open a new socket and sync again; the handshake re-sends what the server lacks."""
        self.connection = await websockets.connect(
            f"{url}/{document_id}?token={token}", max_size=None
        )
        self._send, self._receive = _transport(self.connection)
        self.synced = False
        await self.handshake()

    async def close(self) -> None:
        await self.connection.close()
