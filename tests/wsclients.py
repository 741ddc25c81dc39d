"""Connecting channels' WebsocketCommunicator to the real ASGI application in tests."""

from contextlib import asynccontextmanager

from channels.testing import WebsocketCommunicator

from project_name.asgi import application
from tests.yclient import Closed, YClient, communicator_client


def communicator(path: str, headers: list[tuple[bytes, bytes]] | None = None):
    return WebsocketCommunicator(application, path, headers=headers or [])


async def expect_close(comm: WebsocketCommunicator, timeout: float = 3.0) -> int | None:
    """Wait for the server to close the socket; returns the close code."""
    client = await communicator_client(comm)
    try:
        await client.wait_for(lambda: False, timeout)
    except Closed as closed:
        return closed.code
    raise AssertionError("the server did not close the socket")


@asynccontextmanager
async def connected(document_id, token: str, handshake: bool = True):
    """A synced YClient on the document, disconnected on exit."""
    comm = communicator(f"/ws/documents/{document_id}?token={token}")
    ok, _ = await comm.connect()
    assert ok
    client = await communicator_client(comm)
    client.communicator = comm
    try:
        if handshake:
            await client.handshake()
        yield client
    finally:
        await comm.disconnect()


__all__ = ["Closed", "YClient", "communicator", "connected", "expect_close"]
