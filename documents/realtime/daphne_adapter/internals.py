"""What the adapter relies on in daphne, autobahn and Twisted, checked once at start-up.

Each job names the internals it uses, and `missing_for(job)` lists those the installed versions
lack. Attributes that only instances have are looked for where the class sets them up (the
assignments in its constructor or its connection set-up), so no instance is made. These checks
are of names, not of behaviour: the tests check the behaviour under the pinned versions
(tests/test_daphne_adapter.py), and a socket whose objects still turn out to lack something
uses plain ASGI (direct_send.socket_for).
"""

import inspect
import sys
from collections.abc import Callable, Iterator
from typing import Any

from documents.realtime.daphne_adapter.receive_loop import assigned_attributes


def _name(owner: Any) -> str:
    return f"{owner.__module__}.{owner.__qualname__}"


def _has(owner: Any, *names: str) -> Iterator[str]:
    for name in names:
        if not hasattr(owner, name):
            yield f"{_name(owner)}.{name}"


def _function(owner: Any, name: str) -> Callable | None:
    """`owner.name` if it is a function written in Python (whose code can be read)."""
    function = inspect.unwrap(getattr(owner, name, None) or _absent)
    return function if inspect.isfunction(function) and function is not _absent else None


def _absent() -> None:
    pass


def _assigns(owner: Any, method_name: str, *names: str) -> Iterator[str]:
    """Each of `names` that `owner.method_name` does not assign."""
    method = _function(owner, method_name)
    assigned = assigned_attributes(method) if method else frozenset()
    for name in names:
        if name not in assigned:
            yield f"{_name(owner)}.{name} (set in {method_name})"


def _uses(owner: Any, method_name: str, *names: str) -> Iterator[str]:
    """Each of `names` that `owner.method_name`'s code does not name."""
    method = _function(owner, method_name)
    used = method.__code__.co_names if method else ()
    for name in names:
        if name not in used:
            yield f"{name} in {_name(owner)}.{method_name}"


def server_start() -> list[str]:
    """The hook where the adapter learns that daphne serves, and applies what needs the
    server: daphne's Server.run."""
    from daphne.server import Server

    reactor = sys.modules.get("twisted.internet.reactor")
    if reactor is None:
        return ["an installed twisted.internet.reactor"]
    return [
        *_uses(Server, "run", "ws_factory", "setProtocolOptions"),
        *_has(reactor, "callWhenRunning"),
    ]


def direct_send() -> list[str]:
    """DirectSocket: daphne's `send` partial, autobahn's protocol state and send queue, and
    Twisted's TCP connection and its buffer."""
    from autobahn.websocket.protocol import TrafficStats
    from autobahn.websocket.protocol import WebSocketProtocol as Autobahn
    from daphne.server import Server
    from twisted.internet import abstract, tcp

    connection_state = ("state", "send_queue", "_perMessageCompress", "trafficStats")
    return [
        # The `send` of each connection is functools.partial(server.handle_reply, protocol).
        *_uses(Server, "create_application", "partial", "handle_reply"),
        *_has(Server, "handle_reply"),
        *_has(Autobahn, "STATE_OPEN"),
        *_assigns(Autobahn, "_connectionMade", *connection_state),
        *_assigns(TrafficStats, "reset", "outgoingWebSocketMessages"),
        *_uses(Autobahn, "sendData", "send_queue"),
        *_has(abstract.FileDescriptor, "dataBuffer", "offset", "connected", "disconnecting"),
        *_has(abstract.FileDescriptor, "write"),
        *_assigns(abstract.FileDescriptor, "__init__", "_tempDataBuffer", "_tempDataLen"),
        *_has(tcp.Connection, "TLS", "abortConnection"),
        *_assigns(tcp.Connection, "__init__", "socket"),
    ]


def message_limits() -> list[str]:
    """message_limits.py and the bounded protocol: daphne's limits, the factory's protocol,
    and autobahn's per-fragment bookkeeping."""
    from autobahn.websocket.protocol import WebSocketProtocol as Autobahn
    from daphne import server, ws_protocol

    daphne_limits = ("websocket_max_message_size", "websocket_max_frame_size")
    autobahn_limits = ("maxMessagePayloadSize", "maxFramePayloadSize")
    missing = [
        *_assigns(server.Server, "__init__", *daphne_limits),
        *_uses(server.Server, "run", "WebSocketFactory", *daphne_limits),
        *_has(ws_protocol.WebSocketFactory, "protocol"),
        *_assigns(ws_protocol.WebSocketFactory, "resetProtocolOptions", *autobahn_limits),
        *_has(Autobahn, "onMessageFrameBegin", "sendClose"),
        *_assigns(Autobahn, "onMessageBegin", "message_data", "message_data_total_length"),
        *_assigns(Autobahn, "_connectionMade", "failedByMe"),
        *_uses(Autobahn, "onMessageFrameData", "failedByMe"),
    ]
    if getattr(server, "WebSocketFactory", None) is not ws_protocol.WebSocketFactory:
        missing.append("daphne.server.WebSocketFactory (as daphne.ws_protocol's)")
    return missing


def access_log() -> list[str]:
    """access_log.py: daphne's Server.log_action(protocol, action, details)."""
    from daphne.server import Server

    log_action = getattr(Server, "log_action", None)
    if log_action is None:
        return [f"{_name(Server)}.log_action"]
    if list(inspect.signature(log_action).parameters) != ["self", "protocol", "action", "details"]:
        return [f"{_name(Server)}.log_action(self, protocol, action, details)"]
    return []


def shutdown_flush() -> list[str]:
    """shutdown.py: the reactor daphne installs, its shutdown triggers, Deferred.fromFuture."""
    from twisted.internet.defer import Deferred

    reactor = sys.modules.get("twisted.internet.reactor")
    if reactor is None:
        return ["an installed twisted.internet.reactor"]
    return [*_has(reactor, "addSystemEventTrigger"), *_has(Deferred, "fromFuture")]


def multipart() -> list[str]:
    """multipart.py: Twisted's Request.requestReceived parses multipart bodies with
    twisted.web.http._getMultiPartArgs, and daphne's request never reads what it made."""
    from daphne.http_protocol import WebRequest
    from twisted.web import http

    missing = [
        *_has(http, "_getMultiPartArgs"),
        *_uses(http.Request, "requestReceived", "_getMultiPartArgs"),
    ]
    process = _function(WebRequest, "process")
    if process is None or "args" in process.__code__.co_names:
        missing.append(f"{_name(WebRequest)}.process that never reads request.args")
    return missing


def missing_for(check: Callable[[], list[str]]) -> list[str]:
    """What `check` finds missing; an error while checking (a module gone) counts as missing."""
    try:
        return check()
    except Exception as error:  # ImportError, or an internal that is not what it was
        return [f"{type(error).__name__}: {error}"]
