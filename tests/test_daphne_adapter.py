"""The daphne adapter (documents/realtime/daphne_adapter/): its start-up check, what it turns off
when an internal is missing, and, against real daphne processes, that the direct path is taken
under the pinned versions, that a socket whose direct path fails still works through ASGI, and
that the message limits given on daphne's command line are not lowered."""

import asyncio
import functools
import re

import pytest
import websockets
from autobahn.websocket.protocol import WebSocketProtocol as AutobahnProtocol
from channels.consumer import AsyncConsumer
from daphne import ws_protocol
from daphne.server import Server
from pycrdt import Doc, Text, create_update_message
from twisted.internet import abstract

from documents import metrics
from documents.realtime.daphne_adapter import message_limits, receive_loop, send_paths, startup
from documents.realtime.daphne_adapter.bounded_protocol import BoundedWebSocketProtocol
from documents.realtime.daphne_adapter.message_limits import MessageLimits, limits_for
from tests.eventually import eventually
from tests.server import DaphneServer, SocketClient

MiB = 1024 * 1024
TOO_LARGE = 4413


# -- the start-up check, in this process ---------------------------------------------------------


def test_the_pinned_versions_have_every_internal_the_adapter_uses():
    report = startup.check()
    assert report.off == {}
    assert set(report.on) == {*startup.JOBS, startup.RECEIVE_LOOP}


def _file_descriptor_init_without_its_buffer_length(self, reactor=None) -> None:
    self.reactor = reactor
    self._tempDataBuffer = []


def _log_action_with_other_arguments(self, protocol, action, details, extra=None) -> None:
    pass


def _run_without_a_websocket_factory(self) -> None:
    pass


@pytest.mark.parametrize(
    ("owner", "name", "replacement", "off", "missing"),
    [
        (AutobahnProtocol, "STATE_OPEN", None, {"direct send"}, "WebSocketProtocol.STATE_OPEN"),
        (
            abstract.FileDescriptor,
            "__init__",
            _file_descriptor_init_without_its_buffer_length,
            {"direct send"},
            "FileDescriptor._tempDataLen (set in __init__)",
        ),
        (
            Server,
            "log_action",
            _log_action_with_other_arguments,
            {"access log masking"},
            "Server.log_action(self, protocol, action, details)",
        ),
        (
            Server,
            "run",
            _run_without_a_websocket_factory,
            {"direct send", "message limits"},
            "ws_factory in daphne.server.Server.run",
        ),
    ],
    ids=["a class attribute", "an instance attribute", "a signature", "daphne's run"],
)
def test_a_missing_internal_turns_off_the_jobs_that_use_it(
    monkeypatch, owner, name, replacement, off, missing
):
    if replacement is None:
        monkeypatch.delattr(owner, name)
    else:
        monkeypatch.setattr(owner, name, replacement)
    report = startup.check()
    assert set(report.off) == off
    for job in off:
        assert any(missing in what for what in report.off[job]), report.off[job]
    assert missing in report.line().partition("; off: ")[2]


@pytest.fixture
def adapter_state(monkeypatch):
    """Whatever a server start changes in this process is put back afterwards."""
    monkeypatch.setattr(send_paths, "_handle_reply", None)
    monkeypatch.setattr(ws_protocol.WebSocketFactory, "protocol", ws_protocol.WebSocketProtocol)
    monkeypatch.setattr(BoundedWebSocketProtocol, "max_incoming_message_bytes", 0)
    callbacks = []
    from twisted.internet import reactor

    monkeypatch.setattr(reactor, "callWhenRunning", lambda *call: callbacks.append(call))
    return callbacks


def test_a_job_that_is_off_is_not_applied_when_daphne_starts(monkeypatch, adapter_state):
    """With autobahn's STATE_OPEN gone, a socket daphne makes gets no direct path (its `send`
    goes through ASGI), while the message limits, which do not need it, still apply."""
    monkeypatch.delattr(AutobahnProtocol, "STATE_OPEN")
    report = startup.check()
    server = Server(application=None, endpoints=["tcp:port=0"])
    startup.started(server, report)
    assert send_paths._handle_reply is None
    assert send_paths.socket_for(functools.partial(server.handle_reply, object()), 1024) is None
    assert ws_protocol.WebSocketFactory.protocol is BoundedWebSocketProtocol
    assert server.websocket_max_message_size == message_limits.OUTGOING_LIMIT_BYTES
    assert len(adapter_state) == 1  # the start-up line, once the reactor runs


def test_with_everything_there_daphnes_sockets_get_a_direct_path(adapter_state):
    """The counterpart: the same start turns the direct path on for daphne's `send` partials,
    and for nothing else; a socket whose protocol lacks what the path uses is counted as a
    failure and left to plain ASGI."""
    server = Server(application=None, endpoints=["tcp:port=0"])
    startup.started(server, startup.check())
    assert send_paths._handle_reply is Server.handle_reply
    assert send_paths.socket_for(functools.partial(print, object()), 1024) is None
    failures = metrics.direct_send_failures.value
    assert send_paths.socket_for(functools.partial(server.handle_reply, object()), 1024) is None
    assert metrics.direct_send_failures.value == failures + 1


def test_the_plain_receive_loop_stands_in_only_for_what_channels_sets_up(monkeypatch):
    assert receive_loop.unsupported() is None
    channels_call = AsyncConsumer.__call__

    async def call_that_sets_more(self, scope, receive, send):
        self.extra = None
        await channels_call(self, scope, receive, send)

    monkeypatch.setattr(AsyncConsumer, "__call__", call_that_sets_more)
    assert receive_loop.unsupported() == "Channels' AsyncConsumer.__call__ also sets extra"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("clean_registry")
async def test_under_channels_own_loop_the_consumer_still_works(
    monkeypatch, user, make_document, token_for
):
    from tests.conftest import async_db
    from tests.wsclients import connected

    monkeypatch.setattr(receive_loop, "run", receive_loop.channels_loop)
    document = await async_db(make_document)(user)
    token = await async_db(token_for)(user)
    async with connected(document.id, token) as a, connected(document.id, token) as b:
        await a.insert(0, "through Channels' loop")
        await b.wait_for(lambda: b.text == "through Channels' loop")


# -- the message limits ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "consumer", "limits"),
    [
        (1 * MiB, 1 * MiB, MessageLimits(outgoing=64 * MiB, incoming=1 * MiB)),
        (100 * MiB, 1 * MiB, MessageLimits(outgoing=100 * MiB, incoming=1 * MiB)),
        (0, 1 * MiB, MessageLimits(outgoing=0, incoming=1 * MiB)),
        (256 * 1024, 4 * MiB, MessageLimits(outgoing=64 * MiB, incoming=4 * MiB)),
        (1 * MiB, 80 * MiB, MessageLimits(outgoing=80 * MiB, incoming=80 * MiB)),
    ],
    ids=[
        "defaults",
        "operator's larger",
        "operator's none",
        "consumer's larger",
        "huge consumer's",
    ],
)
def test_the_limits_never_lower_the_operators(operator, consumer, limits):
    assert limits_for(operator, consumer) == limits


# -- real daphne processes -------------------------------------------------------------------------

METRICS = "adapter-test"


@pytest.fixture
def start_server(tmp_path, database):
    servers: list[DaphneServer] = []

    def start(*daphne_args: str, launcher=("-m", "daphne"), **env: str) -> DaphneServer:
        server = DaphneServer(
            tmp_path,
            database,
            daphne_args=daphne_args,
            launcher=launcher,
            METRICS_TOKEN=METRICS,
            **env,
        )
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


async def adapter_line(server: DaphneServer) -> str:
    """The adapter's start-up line in the server's log (logged once the reactor runs)."""

    def lines() -> list[str]:
        text = server.log_path.read_text()
        return [line for line in text.splitlines() if "daphne adapter:" in line]

    found = await eventually(lines)
    assert len(found) == 1, found
    return found[0]


async def edit_between_two_clients(server: DaphneServer, edits: int = 20) -> None:
    """Two clients on a new document: each sees the other's edits; then both close."""
    token = server.token("alice")
    document_id = server.create_document(token)
    writer = await SocketClient.connect(server.ws_url, document_id, token)
    reader = await SocketClient.connect(server.ws_url, document_id, token)
    await writer.handshake()
    await reader.handshake()
    for index in range(edits):
        await writer.insert(len(writer.text), f"<{index}>")
    await reader.wait_for(lambda: reader.text == writer.text)
    await reader.insert(0, "reply ")
    await writer.wait_for(lambda: writer.text.startswith("reply "))
    await writer.close()
    await reader.close()


def closed_sockets(server: DaphneServer) -> float:
    return sum(
        server.metric(f'collab_sockets_closed_total{{code="{code}"}}') for code in (1000, 1005)
    )


@pytest.mark.slow
async def test_under_the_pinned_daphne_every_frame_takes_the_direct_path(start_server):
    """Both sockets get a direct path, and when they close autobahn has sent none of their
    messages: every one (greeting, relayed updates, confirmations) was written directly."""
    server = start_server()
    line = await adapter_line(server)
    assert "daphne 4.2.3, autobahn 26.11.1, Twisted 26.10.0" in line
    assert re.search(r"on: direct send, message limits \(.*\), access log masking", line)
    assert line.endswith("off: none")
    await edit_between_two_clients(server)
    await eventually(lambda: closed_sockets(server) == 2)
    assert server.metric('collab_socket_send_paths_total{path="direct"}') == 2
    assert server.metric("collab_frames_broadcast_total") >= 20
    assert server.metric("collab_direct_socket_asgi_messages_total") == 0
    assert server.metric("collab_direct_send_failures_total") == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fault", "paths", "failures"),
    [("open", {"asgi": 1, "direct": 1}, 1), ("send", {"direct": 2}, 2)],
    ids=["while opening", "at the first send"],
)
async def test_a_socket_whose_direct_path_fails_carries_on_through_asgi(
    start_server, fault, paths, failures
):
    server = start_server(launcher=("-m", "tests.faulty_daphne"), ADAPTER_FAULT=fault)
    assert "on: direct send" in await adapter_line(server)
    await edit_between_two_clients(server)
    await eventually(lambda: closed_sockets(server) == 2)
    for path, count in paths.items():
        assert server.metric(f'collab_socket_send_paths_total{{path="{path}"}}') == count
    assert server.metric("collab_direct_send_failures_total") == failures
    log = server.log_path.read_text()
    assert log.count("direct send failed") == 1  # the first failure, with its traceback
    assert "InjectedFault" in log


@pytest.mark.slow
async def test_the_messages_a_direct_socket_sends_through_asgi_are_counted(start_server):
    """The counter that stays at 0 above does count: with every frame sent through ASGI, it
    holds at least every relayed update."""
    server = start_server(launcher=("-m", "tests.faulty_daphne"), ADAPTER_FAULT="asgi")
    await edit_between_two_clients(server, edits=20)
    await eventually(lambda: closed_sockets(server) == 2)
    assert server.metric('collab_socket_send_paths_total{path="direct"}') == 2
    assert server.metric("collab_direct_socket_asgi_messages_total") >= 21


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flag", "in_force"),
    [("0", "outgoing no limit, incoming 1 MiB"), ("104857600", "outgoing 100 MiB, incoming 1 MiB")],
    ids=["none", "100 MiB"],
)
async def test_the_operators_message_limit_is_not_lowered(start_server, flag, in_force):
    """What daphne's WebSocket factory applies, as the start-up line reads it from the running
    server: the operator's limit, not the adapter's 64 MiB."""
    server = start_server("--websocket-max-message-size", flag)
    assert f"message limits ({in_force})" in await adapter_line(server)


@pytest.mark.slow
async def test_messages_the_operator_and_the_consumer_allow_get_through(start_server):
    """daphne started for 8 MiB messages, the consumer allowing 4 MiB: a 3 MiB update in one
    frame (over daphne's default frame limit, 1 MiB) is applied and relayed, and a frame over
    the consumer's limit is refused with 4413."""
    server = start_server(
        "--websocket-max-message-size", str(8 * MiB), REALTIME_MAX_MESSAGE_BYTES=str(4 * MiB)
    )
    assert "message limits (outgoing 64 MiB, incoming 4 MiB)" in await adapter_line(server)
    token = server.token("alice")
    document_id = server.create_document(token)
    reader = await SocketClient.connect(server.ws_url, document_id, token)
    await reader.handshake()
    url = f"{server.ws_url}/{document_id}?token={token}"
    async with websockets.connect(url, max_size=None) as writer:
        doc = Doc()
        doc.get("content", type=Text).insert(0, "x" * (3 * MiB))
        await writer.send(create_update_message(doc.get_update()))
        await reader.wait_for(lambda: len(reader.text) == 3 * MiB, timeout=30)
    async with websockets.connect(url, max_size=None) as hostile:
        await hostile.send(create_update_message(b"\x00" * (4 * MiB)))
        assert await close_code(hostile) == TOO_LARGE
    await reader.close()


async def close_code(connection) -> int | None:
    """Read until the server closes `connection`; returns its close code."""
    try:
        while True:
            await asyncio.wait_for(connection.recv(), 10)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
