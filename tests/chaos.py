"""A seeded randomized convergence ("chaos") driver against one live daphne server.

Clients edit Tiptap-shaped documents (the `default` XmlFragment: paragraphs and headings of
formatted text) at random: unique tokens inserted, random ranges deleted, marks set and removed,
blocks added, re-aligned and removed. They drop their connections and come back, keep editing
offline, while the server is stopped (SIGTERM) or killed (SIGKILL) and started again. At the end
everyone syncs, and every client, a fresh client, and a fresh client after one more restart must
hold exactly what the clients authored.

What the clients authored is recorded by the driver, not read back from the server: every update
made, every token inserted (also appended, in the same update, to a `ledger` array that nobody
deletes from), and every token that a delete overlapped in its author's view. So the check fails
if the server loses, duplicates or invents anything. Everything is reproducible from the seed
except the interleaving, which the scheduler decides.

As a script: `python -m tests.chaos --seeds 1-20 --clients 5 --ops 300`.
"""

import argparse
import asyncio
import contextlib
import random
import re
import shutil
import signal
import string
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

import websockets
from pycrdt import Array, Doc, XmlElement, XmlFragment, XmlText, create_update_message

from tests.server import DaphneServer, SocketClient
from tests.yclient import Closed

USERNAME = "chaos"
# Compaction and group commit run often, so that kills land in the middle of them.
SERVER_ENV = {"REALTIME_COMPACT_THRESHOLD": "20", "REALTIME_PERSIST_INTERVAL_SECONDS": "0.1"}
# A connection that is gone shows as one of these; a handshake that times out raises
# AssertionError (YClient.wait_for).
CONNECTION_ERRORS = (Closed, OSError, TimeoutError, websockets.WebSocketException, AssertionError)
HANDSHAKE_SECONDS = 10.0
TOKEN = re.compile(r"\[[a-z]{6}\]")
MAX_DELETE = 12
MARKS = ("bold", "italic", "code", "link")


@dataclass(frozen=True)
class ChaosSettings:
    clients: int = 5
    ops: int = 300  # per client
    documents: int = 1
    restarts: int = 2  # per seed; TERM and KILL alternate, the first one drawn from the seed
    pause: float = 0.06  # mean seconds between two operations of one client
    disconnect_chance: float = 0.02  # per operation of a connected client
    offline_edit_chance: float = 0.7  # per operation of a disconnected client
    settle_seconds: float = 60.0  # bound on the final sync


@dataclass
class Figures:
    seeds: int = 0
    clients: int = 0
    documents: int = 0
    operations: int = 0
    offline_operations: int = 0
    inserts: int = 0
    deletes: int = 0
    formats: int = 0
    blocks: int = 0  # blocks added, re-aligned or removed
    disconnects: int = 0  # chosen by a client
    drops: int = 0  # noticed by a client: the server went away
    reconnects: int = 0
    restarts_term: int = 0
    restarts_kill: int = 0
    tokens: int = 0
    tokens_deleted: int = 0
    final_length: int = 0  # characters in the documents at the end
    elapsed: float = 0.0

    def add(self, other: "Figures") -> None:
        for item in fields(self):
            if item.name in ("clients", "documents"):  # settings, not counts
                setattr(self, item.name, getattr(other, item.name))
            else:
                setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def summary(self) -> str:
        return (
            f"seeds={self.seeds} clients={self.clients} documents={self.documents} "
            f"operations={self.operations} (offline {self.offline_operations}: "
            f"inserts {self.inserts}, deletes {self.deletes}, formats {self.formats}, "
            f"blocks {self.blocks}) disconnects={self.disconnects} drops={self.drops} "
            f"reconnects={self.reconnects} restarts=TERM {self.restarts_term} + KILL "
            f"{self.restarts_kill} tokens={self.tokens} (deleted {self.tokens_deleted}) "
            f"final_length={self.final_length} elapsed={self.elapsed:.1f}s"
        )


# The document model, as Tiptap's y-prosemirror binding lays it out.


def fragment(doc: Doc) -> XmlFragment:
    return doc.get("default", type=XmlFragment)


def ledger(doc: Doc) -> Array:
    return doc.get("ledger", type=Array)


def block_text(element: XmlElement) -> XmlText:
    (text,) = element.children  # every block is made with exactly one text
    return text


def plain(text: XmlText) -> str:
    return "".join(chunk for chunk, _ in text.diff())


def render(doc: Doc) -> dict:
    """Everything the editor would show, formatting included, plus the ledger; runs with equal
    marks are merged, so that two copies of one state compare equal however their items split."""
    blocks = []
    for element in fragment(doc).children:
        runs: list[list] = []
        for chunk, attrs in block_text(element).diff():
            marks = {name: value for name, value in (attrs or {}).items() if value is not None}
            if runs and runs[-1][1] == marks:
                runs[-1][0] += chunk
            else:
                runs.append([chunk, marks])
        blocks.append([element.tag, dict(element.attributes), runs])
    return {"blocks": blocks, "ledger": list(ledger(doc))}


# Random operations. Each runs inside one transaction and says what it did.


@dataclass
class Outcome:
    kind: str  # a Figures counter
    inserted: str | None = None
    block: str | None = None  # id of the block the token went into
    touched: set[str] = field(default_factory=set)  # tokens a delete overlapped
    removed_block: str | None = None


def random_marks(rng: random.Random) -> dict | None:
    if rng.random() < 0.6:
        return None
    mark = rng.choice(MARKS)
    return {mark: mark_value(mark, rng)}


def mark_value(mark: str, rng: random.Random) -> dict:
    return {"href": f"https://example.com/{rng.randrange(100)}"} if mark == "link" else {}


def pick_block(doc: Doc, rng: random.Random, non_empty: bool = False) -> XmlElement | None:
    blocks = [e for e in fragment(doc).children if not non_empty or len(block_text(e))]
    return rng.choice(blocks) if blocks else None


def insert_text(doc: Doc, rng: random.Random, token: str) -> Outcome:
    element = pick_block(doc, rng)
    if element is None:
        return insert_block(doc, rng, token)
    text = block_text(element)
    content = plain(text)
    # Never inside a whole token: a token split by another one could not be found again.
    inside = {i for m in TOKEN.finditer(content) for i in range(m.start() + 1, m.end())}
    index = rng.choice([i for i in range(len(content) + 1) if i not in inside])
    text.insert(index, token, random_marks(rng))
    ledger(doc).append(token)
    return Outcome("inserts", inserted=token, block=element.attributes["id"])


def delete_range(doc: Doc, rng: random.Random, token: str) -> Outcome:
    element = pick_block(doc, rng, non_empty=True)
    if element is None:
        return insert_text(doc, rng, token)
    text = block_text(element)
    start = rng.randrange(len(text))
    stop = min(len(text), start + rng.randint(1, MAX_DELETE))
    touched = {
        m.group() for m in TOKEN.finditer(plain(text)) if m.start() < stop and start < m.end()
    }
    del text[start:stop]
    return Outcome("deletes", touched=touched)


def format_range(doc: Doc, rng: random.Random, token: str) -> Outcome:
    element = pick_block(doc, rng, non_empty=True)
    if element is None:
        return insert_text(doc, rng, token)
    text = block_text(element)
    start = rng.randrange(len(text))
    stop = rng.randint(start + 1, len(text))
    mark = rng.choice(MARKS)
    value = None if rng.random() < 0.3 else mark_value(mark, rng)  # None removes the mark
    text.format(start, stop, {mark: value})
    return Outcome("formats")


def insert_block(doc: Doc, rng: random.Random, token: str) -> Outcome:
    children = fragment(doc).children
    block_id = token.strip("[]")  # unique, as the token is
    tag, attrs = "paragraph", {"id": block_id}
    if rng.random() < 0.3:
        tag, attrs = "heading", {"id": block_id, "level": str(rng.randint(1, 3))}
    children.insert(rng.randint(0, len(children)), XmlElement(tag, attrs, [XmlText(token)]))
    ledger(doc).append(token)
    return Outcome("blocks", inserted=token, block=block_id)


def align_block(doc: Doc, rng: random.Random, token: str) -> Outcome:
    element = pick_block(doc, rng)
    if element is None:
        return insert_block(doc, rng, token)
    element.attributes["textAlign"] = rng.choice(("left", "center", "right"))
    return Outcome("blocks")


def remove_block(doc: Doc, rng: random.Random, token: str) -> Outcome:
    children = fragment(doc).children
    if len(children) < 4:  # keep something to edit
        return insert_block(doc, rng, token)
    index = rng.randrange(len(children))
    removed = children[index].attributes["id"]
    del children[index]
    # Tokens inserted into it concurrently go too: the check knows them by their block.
    return Outcome("blocks", removed_block=removed)


Operation = Callable[[Doc, random.Random, str], Outcome]
OPERATIONS: dict[Operation, int] = {
    insert_text: 45,
    delete_range: 20,
    format_range: 15,
    insert_block: 8,
    align_block: 6,
    remove_block: 3,
}


# What was authored, as the driver saw it, and the check against it.


@dataclass
class Truth:
    """What the clients of one document did."""

    document_id: str
    updates: list[bytes] = field(default_factory=list)  # every update any client made
    authors: dict[str, int] = field(default_factory=dict)  # token -> client index
    blocks: dict[str, str] = field(default_factory=dict)  # token -> id of its block
    touched: set[str] = field(default_factory=set)
    removed_blocks: set[str] = field(default_factory=set)

    def new_token(self, rng: random.Random) -> str:
        while (token := f"[{''.join(rng.choices(string.ascii_lowercase, k=6))}]") in self.authors:
            pass
        return token

    def record(self, client: int, update: bytes, outcome: Outcome) -> None:
        self.updates.append(update)
        if outcome.inserted is not None:
            self.authors[outcome.inserted] = client
            self.blocks[outcome.inserted] = outcome.block
        self.touched |= outcome.touched
        if outcome.removed_block is not None:
            self.removed_blocks.add(outcome.removed_block)

    def survivors(self) -> list[str]:
        """Tokens that no delete can have reached: each must be there, whole, exactly once."""
        return [
            token
            for token, block in self.blocks.items()
            if token not in self.touched and block not in self.removed_blocks
        ]

    def reference(self) -> Doc:
        doc = Doc()
        for update in self.updates:
            doc.apply_update(update)
        return doc


def check(truth: Truth, where: str, holders: dict[str, Doc]) -> None:
    """Every holder has every token in its ledger once, every surviving token in its text once,
    and exactly the state that all authored updates together make."""
    expected = render(truth.reference())
    for name, doc in holders.items():
        entries = list(ledger(doc))
        missing = sorted(truth.authors.keys() - set(entries))
        assert not missing, (
            f"{where}: {name} lacks {len(missing)} of {len(truth.authors)} inserted tokens, "
            f"e.g. {[(token, f'client {truth.authors[token]}') for token in missing[:5]]}"
        )
        duplicated = sorted(entry for entry, count in Counter(entries).items() if count > 1)
        assert len(entries) == len(truth.authors), (
            f"{where}: {name} has {len(entries)} ledger entries for {len(truth.authors)} "
            f"tokens; duplicated: {duplicated[:5]}"
        )
        content = "\n".join(plain(block_text(element)) for element in fragment(doc).children)
        wrong = [(t, content.count(t)) for t in truth.survivors() if content.count(t) != 1]
        assert not wrong, f"{where}: {name}: undeleted tokens found not exactly once: {wrong[:5]}"
        actual = render(doc)
        assert actual == expected, f"{where}: {name} differs from what the clients authored: " + (
            first_difference(actual, expected)
        )


def first_difference(actual: dict, expected: dict) -> str:
    if actual["ledger"] != expected["ledger"]:
        return "the ledger's order differs"
    pairs = zip(actual["blocks"], expected["blocks"], strict=False)
    for index, (got, wanted) in enumerate(pairs):
        if got != wanted:
            return f"block {index} is {got!r:.400}, expected {wanted!r:.400}"
    return f"{len(actual['blocks'])} blocks, expected {len(expected['blocks'])}"


# The clients and the server's conductor.


@dataclass
class Run:
    server: DaphneServer
    token: str
    settings: ChaosSettings
    figures: Figures
    done: int = 0  # operations made so far, by all clients
    _milestones: dict[int, asyncio.Event] = field(default_factory=dict)

    def advance(self) -> None:
        self.done += 1
        if (milestone := self._milestones.get(self.done)) is not None:
            milestone.set()

    async def reach(self, done: int) -> None:
        if self.done < done:
            await self._milestones.setdefault(done, asyncio.Event()).wait()


class Peer:
    """One editing client. Its `plan` (disconnects, pauses) is drawn from the seed whatever
    happens; its `pick` (operations, positions, tokens) also depends on what it has received."""

    def __init__(self, run: Run, index: int, truth: Truth, client: SocketClient, seed: int):
        self.run = run
        self.index = index
        self.truth = truth
        self.client = client
        self.plan = random.Random(f"plan {seed} {index}")
        self.pick = random.Random(f"pick {seed} {index}")
        self.online = True
        self.offline_ops = 0  # own operations to make before trying to reconnect

    @classmethod
    async def join(cls, run: Run, index: int, truth: Truth, seed: int) -> "Peer":
        client = await SocketClient.connect(run.server.ws_url, truth.document_id, run.token)
        await client.handshake(HANDSHAKE_SECONDS)
        return cls(run, index, truth, client, seed)

    async def play(self) -> None:
        settings = self.run.settings
        for _ in range(settings.ops):
            leave = self.plan.random() < settings.disconnect_chance
            offline_ops = self.plan.randint(3, 30)
            edit_offline = self.plan.random() < settings.offline_edit_chance
            pause = self.plan.uniform(0, 2 * settings.pause)
            if self.online and leave:
                await self.disconnect(offline_ops)
            elif not self.online and self.offline_ops <= 0:
                await self.reconnect()
            if self.online or edit_offline:
                await self.edit()
            self.offline_ops -= 1
            self.run.advance()
            await self.pause(pause)

    async def edit(self) -> None:
        operation = self.pick.choices(list(OPERATIONS), list(OPERATIONS.values()))[0]
        token = self.truth.new_token(self.pick)
        doc = self.client.doc
        before = doc.get_state()
        with doc.transaction():
            outcome = operation(doc, self.pick, token)
        update = doc.get_update(before)
        self.truth.record(self.index, update, outcome)
        self.count(outcome.kind)
        if self.online:
            try:
                await self.client.send_raw(create_update_message(update))
            except CONNECTION_ERRORS:
                self.lost()  # the update stays in our doc: the next handshake delivers it

    def count(self, kind: str) -> None:
        figures = self.run.figures
        figures.operations += 1
        figures.offline_operations += not self.online
        setattr(figures, kind, getattr(figures, kind) + 1)

    async def pause(self, seconds: float) -> None:
        if not self.online:
            await asyncio.sleep(seconds)
            return
        try:
            await self.client.pump_for(seconds)
        except CONNECTION_ERRORS:
            self.lost()

    async def disconnect(self, offline_ops: int) -> None:
        self.run.figures.disconnects += 1
        self.online = False
        self.offline_ops = offline_ops
        if self.pick.random() < 0.5:
            self.abort()  # the network goes away: no close frame
        else:
            with contextlib.suppress(*CONNECTION_ERRORS):
                await self.client.close()

    async def reconnect(self) -> None:
        """The y-websocket handshake: step 1 and step 2 both ways, so whatever either side
        lacks, offline edits included, crosses."""
        try:
            await self.open()
        except CONNECTION_ERRORS:
            self.lost()
            return
        self.run.figures.reconnects += 1

    async def open(self) -> None:
        await self.client.reconnect(self.run.server.ws_url, self.truth.document_id, self.run.token)
        self.online = True

    def lost(self) -> None:
        """The server went away under us; try again after a few operations (a back-off)."""
        if self.online:
            self.run.figures.drops += 1
        self.abort()
        self.online = False
        self.offline_ops = self.pick.randint(1, 4)

    def abort(self) -> None:
        self.client.connection.transport.abort()

    async def sync(self, deadline: float) -> None:
        """Be connected and make one round trip: afterwards the server has applied everything
        this client sent, and this client has everything the server had."""
        while True:
            try:
                if not self.online:
                    await self.open()
                await self.client.roundtrip(HANDSHAKE_SECONDS)
                return
            except CONNECTION_ERRORS:
                self.abort()
                self.online = False
                if time.monotonic() > deadline:
                    raise AssertionError(f"client {self.index} could not sync") from None
                await asyncio.sleep(0.2)


async def conduct(run: Run, rng: random.Random, total_ops: int) -> None:
    """Stop the server at random points of the clients' progress, then start it again. One
    point in each of equal stretches: back-to-back restarts would find nobody connected."""
    count = run.settings.restarts
    moments = [
        int((number + rng.uniform(0.2, 0.8)) / count * 0.9 * total_ops) for number in range(count)
    ]
    first_kind = rng.randrange(2)
    for number, moment in enumerate(moments):
        await run.reach(moment)
        kill = (number + first_kind) % 2 == 1
        await asyncio.to_thread(run.server.stop, signal.SIGKILL if kill else signal.SIGTERM)
        if kill:
            run.figures.restarts_kill += 1
        else:
            run.figures.restarts_term += 1
        await asyncio.sleep(rng.uniform(0, 0.5))  # the clients find it gone and edit offline
        await asyncio.to_thread(run.server.start)


async def fresh_doc(run: Run, truth: Truth) -> Doc:
    client = await SocketClient.connect(run.server.ws_url, truth.document_id, run.token)
    await client.handshake(HANDSHAKE_SECONDS)
    await client.close()
    return client.doc


async def run_seed(server: DaphneServer, token: str, seed: int, settings: ChaosSettings) -> Figures:
    """One chaos run against a running server (left running); raises AssertionError if the
    clients end up with anything but what they authored."""
    started = time.monotonic()
    figures = Figures(seeds=1, clients=settings.clients, documents=settings.documents)
    run = Run(server, token, settings, figures)
    truths = [
        Truth(await asyncio.to_thread(server.create_document, token, f"chaos {seed}.{number}"))
        for number in range(settings.documents)
    ]
    peers = [
        await Peer.join(run, index, truths[index % len(truths)], seed)
        for index in range(settings.clients)
    ]
    async with asyncio.TaskGroup() as group:
        for peer in peers:
            group.create_task(peer.play())
        group.create_task(conduct(run, random.Random(seed), settings.clients * settings.ops))

    deadline = time.monotonic() + settings.settle_seconds
    for _ in range(2):  # first everyone hands over what the server lacks, then takes the union
        for peer in peers:
            await peer.sync(deadline)
    for truth in truths:
        holders = {f"client {p.index}": p.client.doc for p in peers if p.truth is truth}
        holders["a fresh client"] = await fresh_doc(run, truth)
        check(truth, f"seed {seed}, document {truth.document_id}", holders)
    for peer in peers:
        await peer.client.close()

    # What is stored: nobody is left to re-send anything.
    await asyncio.to_thread(server.stop)
    await asyncio.to_thread(server.start)
    for truth in truths:
        stored = await fresh_doc(run, truth)
        check(truth, f"seed {seed}, document {truth.document_id}", {"after a restart": stored})
        figures.tokens += len(truth.authors)
        figures.tokens_deleted += len(truth.authors) - len(truth.survivors())
        figures.final_length += sum(len(block_text(e)) for e in fragment(stored).children)
    figures.elapsed = time.monotonic() - started
    return figures


def chaos_server(directory: Path) -> DaphneServer:
    """A server (not started) with the chaos user."""
    server = DaphneServer(directory, **SERVER_ENV)
    server.create_user(USERNAME)
    return server


def parse_seeds(text: str) -> list[int]:
    """`1-20`, `3,5,8` or a mix: `1-3,7`."""
    seeds: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        seeds.extend(range(int(first), int(last or first) + 1))
    return seeds


async def run_seeds(server: DaphneServer, seeds: list[int], settings: ChaosSettings) -> Figures:
    token = await asyncio.to_thread(server.token, USERNAME)
    total = Figures()
    for seed in seeds:
        figures = await run_seed(server, token, seed, settings)
        print(f"seed {seed}: {figures.summary()}", flush=True)
        total.add(figures)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=parse_seeds, default=parse_seeds("1-5"))
    defaults = ChaosSettings()
    for item in fields(ChaosSettings):
        flag = "--" + item.name.replace("_", "-")
        parser.add_argument(flag, type=type(item.default), default=getattr(defaults, item.name))
    args = parser.parse_args(argv)
    settings = ChaosSettings(**{item.name: getattr(args, item.name) for item in fields(defaults)})
    directory = Path(tempfile.mkdtemp(prefix="chaos-"))
    server = chaos_server(directory)
    server.start()
    try:
        total = asyncio.run(run_seeds(server, args.seeds, settings))
    except BaseException:
        print(f"server log kept in {directory}", file=sys.stderr)
        raise
    finally:
        server.stop()
    print(f"total: {total.summary()}")
    shutil.rmtree(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
