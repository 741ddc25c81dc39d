"""Several daphne processes on Redis (channels-redis) and PostgreSQL, as in production:
convergence, kill -9 of one process, dropped channel-layer messages, presence across processes."""

import asyncio
import os
import re
import signal
import uuid

import psycopg
import pytest
from pycrdt import Text

from tests.server import DaphneServer, SocketClient

pytestmark = pytest.mark.slow

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture(scope="module")
def postgres_url():
    """A fresh PostgreSQL database for this module, dropped afterwards."""
    name = f"collab_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def migrated(postgres_url, tmp_path_factory):
    server = DaphneServer(tmp_path_factory.mktemp("migrate"), database_url=postgres_url)
    server.manage("migrate", "--noinput")
    server.create_user("alice")
    return postgres_url


@pytest.fixture
def cluster(migrated, tmp_path):
    """Start `count` daphne processes sharing Redis and PostgreSQL."""
    servers: list[DaphneServer] = []

    def start(count: int, **env: str) -> list[DaphneServer]:
        for _ in range(count):
            server = DaphneServer(tmp_path, database_url=migrated, REDIS_URL=REDIS_URL, **env)
            server.start()
            servers.append(server)
        return servers

    yield start
    for server in servers:
        server.stop(signal.SIGKILL)


async def connect_all(servers, document_id, token, per_server: int) -> list[SocketClient]:
    clients = []
    for server in servers:
        for _ in range(per_server):
            client = await SocketClient.connect(server.ws_url, document_id, token)
            await client.handshake()
            clients.append(client)
    return clients


async def type_tokens(client: SocketClient, name: str, count: int) -> list[str]:
    tokens = []
    for seq in range(count):
        token = f"<{name}.{seq}>"
        await client.insert(len(client.text), token)
        tokens.append(token)
        await client.pump(0.01)
    return tokens


async def type_on_every_process(
    servers: list[DaphneServer], count: int
) -> tuple[str, str, list[SocketClient], list[str]]:
    """A new document, two clients on each process typing `count` tokens each at once; returns
    the document id, the token, the clients and every token typed."""
    token = servers[0].token("alice")
    document_id = servers[0].create_document(token)
    clients = await connect_all(servers, document_id, token, per_server=2)
    typed = await asyncio.gather(
        *(type_tokens(client, f"c{index}", count) for index, client in enumerate(clients))
    )
    return document_id, token, clients, [typed_token for batch in typed for typed_token in batch]


async def converge(clients: list[SocketClient], tokens: list[str], timeout: float = 15) -> None:
    def done(client: SocketClient) -> bool:
        return all(token in client.text for token in tokens)

    await asyncio.gather(
        *(client.wait_for(lambda c=client: done(c), timeout) for client in clients)
    )
    texts = {client.text for client in clients}
    assert len(texts) == 1, "all copies are identical"
    (text,) = texts
    for token in tokens:
        assert text.count(token) == 1, f"{token} present exactly once"


async def close_all(clients):
    for client in clients:
        await client.close()


@pytest.mark.parametrize("processes", [2, 3])
async def test_clients_on_several_processes_converge(cluster, processes):
    servers = cluster(processes)
    document_id, token, clients, tokens = await type_on_every_process(servers, 15)
    await converge(clients, tokens)
    for server in servers:  # a late joiner on any process gets everything
        late = await SocketClient.connect(server.ws_url, document_id, token)
        await late.handshake()
        await converge([late], tokens, 5)
        await late.close()
    await close_all(clients)


async def test_kill_9_of_one_process_loses_nothing(cluster):
    """Clients of the killed process reconnect to another; every edit is then present once,
    and stays stored after the survivor restarts."""
    victim, survivor = cluster(2)
    token = survivor.token("alice")
    document_id = survivor.create_document(token)
    on_victim = await connect_all([victim], document_id, token, per_server=2)
    on_survivor = await connect_all([survivor], document_id, token, per_server=2)
    clients = on_victim + on_survivor
    typed = await asyncio.gather(
        *(type_tokens(client, f"c{index}", 20) for index, client in enumerate(clients))
    )
    tokens = [token for batch in typed for token in batch]

    victim.stop(signal.SIGKILL)
    for client in on_victim:
        await client.reconnect(survivor.ws_url, document_id, token)
    await converge(clients, tokens)
    await close_all(clients)

    survivor.stop()
    survivor.start()
    fresh = await SocketClient.connect(survivor.ws_url, document_id, token)
    await fresh.handshake()
    await converge([fresh], tokens, 5)
    await fresh.close()


async def test_anti_entropy_repairs_dropped_messages(cluster):
    """A channel-layer capacity of 1 drops most of a burst; anti-entropy heals the replicas."""
    servers = cluster(2, CHANNEL_LAYER_CAPACITY="1", REALTIME_ANTI_ENTROPY_SECONDS="0.5")
    token = servers[0].token("alice")
    document_id = servers[0].create_document(token)
    a, b = await connect_all(servers, document_id, token, per_server=1)
    tokens = []
    # The second process is paused during the burst, so that its channel overflows and most of
    # the burst is dropped however fast this machine is.
    servers[1].process.send_signal(signal.SIGSTOP)
    try:
        for seq in range(60):  # a burst, no pauses: far more than the layer holds
            token_text = f"<a.{seq}>"
            await a.insert(len(a.text), token_text)
            tokens.append(token_text)
        await a.pump(0.5)
    finally:
        servers[1].process.send_signal(signal.SIGCONT)
    await converge([a, b], tokens, 10)

    def repair_logged() -> bool:
        return any("anti-entropy repaired" in server.log_path.read_text() for server in servers)

    # The repair is relayed to the client before it is logged.
    await a.wait_for(repair_logged, 5)
    await close_all([a, b])


async def test_presence_crosses_processes_and_is_removed(cluster):
    servers = cluster(2)
    token = servers[0].token("alice")
    document_id = servers[0].create_document(token)
    a, b = await connect_all(servers, document_id, token, per_server=1)
    await a.set_presence(5151, 1, {"user": {"name": "Ann"}, "cursor": None})
    # The server's name for the account, whatever the client said.
    await b.wait_for(lambda: b.presence().get(5151, {}).get("user", {}).get("name") == "alice", 5)
    # Another user on the other process cannot remove or take over that client.
    mallory = f"mallory{uuid.uuid4().hex[:8]}"
    servers[0].create_user(mallory)
    servers[0].request(
        "POST",
        f"/api/documents/{document_id}/members/",
        {"username": mallory, "role": "viewer"},
        token,
    )
    attacker = await SocketClient.connect(servers[1].ws_url, document_id, servers[0].token(mallory))
    await attacker.handshake()
    await attacker.set_presence(5151, 99, None)
    await attacker.set_presence(6161, 1, {"cursor": None})
    await a.wait_for(lambda: 6161 in a.presence(), 5)
    await b.wait_for(lambda: 6161 in b.presence(), 5)
    assert 5151 in a.presence() and 5151 in b.presence()
    await a.close()
    await b.wait_for(lambda: 5151 not in b.presence(), 5)
    await attacker.close()
    await b.close()


async def test_role_changes_and_renames_reach_sockets_on_other_processes(cluster):
    servers = cluster(2)
    bob = f"bob{uuid.uuid4().hex[:8]}"
    servers[0].create_user(bob)
    alice, bob_token = servers[0].token("alice"), servers[0].token(bob)
    document_id = servers[0].create_document(alice)
    members = f"/api/documents/{document_id}/members/"
    servers[0].request("POST", members, {"username": bob, "role": "editor"}, alice)
    owner = await SocketClient.connect(servers[0].ws_url, document_id, alice)
    await owner.handshake()
    client = await SocketClient.connect(servers[1].ws_url, document_id, bob_token)
    await client.handshake()
    servers[0].request("PATCH", f"{members}{bob}/", {"role": "viewer"}, alice)
    await client.wait_for(lambda: {"type": "role", "role": "viewer"} in client.notices, 1)
    await client.append_paragraph("refused")
    await client.wait_for(lambda: client.notices[-1].get("refused") is True, 1)
    servers[0].request("PATCH", f"/api/documents/{document_id}/", {"title": "Renamed"}, alice)
    await client.wait_for(lambda: {"type": "title", "title": "Renamed"} in client.notices, 1)
    await client.close()
    # Promoted, the same copy comes back through the other process: refused there too.
    servers[0].request("PATCH", f"{members}{bob}/", {"role": "editor"}, alice)
    again = await SocketClient.connect(servers[0].ws_url, document_id, bob_token)
    again.doc.apply_update(client.doc.get_update())
    await again.handshake()
    await again.wait_for(lambda: again.notices == [{"type": "refused"}], 5)
    await again.close()
    await owner.roundtrip()
    assert str(owner.fragment) == ""
    await owner.close()
    content = servers[0].request(
        "GET", f"/api/documents/{document_id}/content?format=text", None, alice
    )
    assert content["content"] == ""


async def test_text_type_converges_too(cluster):
    """The harness edits a Y.Text named `content`; make sure plain text crosses processes."""
    servers = cluster(2)
    token = servers[0].token("alice")
    document_id = servers[0].create_document(token)
    a, b = await connect_all(servers, document_id, token, per_server=1)
    await a.edit(lambda doc: doc.get("content", type=Text).insert(0, "cross"))
    await b.wait_for(lambda: b.text == "cross", 5)
    await close_all([a, b])


async def test_compaction_while_other_processes_append_loses_nothing(cluster):
    """Every few rows one process folds the log while the other appends (PostgreSQL): after a
    restart of both, every edit is stored exactly once."""
    servers = cluster(2, REALTIME_COMPACT_THRESHOLD="3", REALTIME_PERSIST_INTERVAL_SECONDS="0.01")
    document_id, token, clients, tokens = await type_on_every_process(servers, 25)
    await converge(clients, tokens)
    await close_all(clients)
    # How often, and by which process, depends on the machine's speed; that rows were folded
    # while both appended does not.
    folded = [
        [int(rows) for rows in re.findall(r"compacted (\d+) log rows", server.log_path.read_text())]
        for server in servers
    ]
    assert sum(map(sum, folded)) > 0, f"rows folded by each process: {folded}"

    for server in servers:
        server.stop()
    servers[1].start()
    fresh = await SocketClient.connect(servers[1].ws_url, document_id, token)
    await fresh.handshake()
    await converge([fresh], tokens, 5)
    await fresh.close()


async def test_a_comment_made_on_one_process_reaches_editors_on_another(cluster):
    servers = cluster(2)
    token = servers[0].token("alice")
    document_id = servers[0].create_document(token)
    servers[0].request(
        "PUT",
        f"/api/documents/{document_id}/content",
        {"format": "text", "content": "Hello"},
        token,
    )
    editor = await SocketClient.connect(servers[1].ws_url, document_id, token)
    await editor.handshake()
    thread = servers[0].request(
        "POST", f"/api/documents/{document_id}/threads/", {"body": "Hi", "quote": "Hello"}, token
    )
    await editor.wait_for(
        lambda: {"type": "thread", "thread": thread} in editor.comment_messages, 1
    )
    servers[0].request(
        "POST", f"/api/documents/{document_id}/threads/{thread['id']}/resolve/", None, token
    )
    await editor.wait_for(lambda: editor.comment_messages[-1]["thread"]["status"] == "resolved", 1)
    await editor.close()
