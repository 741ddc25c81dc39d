"""tests/interop/scripted_client.mjs, a stock Yjs client (yjs + y-websocket) run by Node and
driven one JSON command a line."""

import asyncio
import json
import subprocess
from contextlib import asynccontextmanager

from tests.server import ROOT

SCRIPT = ROOT / "tests/interop/scripted_client.mjs"


class ScriptedNodeClient:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def command(self, op: str, **fields) -> dict:
        """Send one command (`sync` only waits for the first sync); returns its report."""
        if op != "sync":
            self.process.stdin.write((json.dumps({"op": op, **fields}) + "\n").encode())
            await self.process.stdin.drain()
        line = await asyncio.wait_for(self.process.stdout.readline(), 10)
        if not line:
            stderr = (await self.process.stderr.read()).decode()
            raise AssertionError(f"the Node client ended: {stderr}")
        reply = json.loads(line)
        assert reply["done"] == op
        return reply

    async def finish(self) -> None:
        """Close its input, which ends it; it must exit cleanly."""
        self.process.stdin.close()
        assert await asyncio.wait_for(self.process.wait(), 10) == 0


@asynccontextmanager
async def scripted_node_client(ws_url: str, document_id: str, token: str):
    process = await asyncio.create_subprocess_exec(
        "node", str(SCRIPT), "--url", ws_url, "--room", document_id, "--token", token,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        yield ScriptedNodeClient(process)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
