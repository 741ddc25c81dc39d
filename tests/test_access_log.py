"""Tokens stay out of the logs (project_name/secrets_in_logs.py): daphne's access log and the
JSON log mask `?token=`, checked on real servers started the way production starts them."""

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websockets
from django.test import RequestFactory

from project_name.logformat import JsonFormatter
from project_name.secrets_in_logs import describe_request, mask_secrets
from tests.server import ROOT, free_port


@pytest.mark.parametrize(
    ("target", "logged"),
    [
        ("/ws/documents/x?token=abc", "/ws/documents/x?token=[redacted]"),
        ("/api/?format=json&token=abc&page=2", "/api/?format=json&token=[redacted]&page=2"),
        ("/api/?token=abc&token=def", "/api/?token=[redacted]&token=[redacted]"),
        ("/api/?%74oken=abc", "/api/?%74oken=[redacted]"),  # the server decodes the name
        ("/api/?token", "/api/?token=[redacted]"),
        ("/api/?tokens=abc&my_token=def", "/api/?tokens=abc&my_token=def"),
        ("/api/documents/", "/api/documents/"),
    ],
)
def test_secret_parameters_are_masked(target, logged):
    assert mask_secrets(target) == logged


def test_the_json_log_shows_a_request_without_its_token():
    request = RequestFactory().get("/nope", {"token": "abc", "page": "2"})
    assert describe_request(request) == "GET /nope?token=[redacted]&page=2"
    record = logging.makeLogRecord({"msg": "Not Found: /nope", "levelname": "WARNING"})
    record.request = request
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request"] == "GET /nope?token=[redacted]&page=2"


def _dockerfile_command(port: int) -> list[str]:
    """The image's CMD, on loopback and a free port, with the virtualenv's daphne."""
    line = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")
    )
    command = json.loads(line.removeprefix("CMD"))
    command[command.index("-b") + 1] = "127.0.0.1"
    command[command.index("-p") + 1] = str(port)
    return [str(ROOT / ".venv/bin" / command[0]), *command[1:]]


STARTS = {
    "make run": lambda port: ["bash", "scripts/run.sh"],
    "the image": _dockerfile_command,
}


class ProductionServer:
    """A server started as production starts it, with a user, a document and a token."""

    def __init__(self, tmp_path: Path, start: str, **env: str) -> None:
        self.port = free_port()
        self.log = tmp_path / "server.log"
        self.env = {
            **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
            "PORT": str(self.port),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE": "0",
            "DJANGO_SECRET_KEY": "test-only-secret-key-for-access-log-tests-0123456789",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_COLLECTED": "0",
            **env,
        }
        self.command = STARTS[start](self.port)
        self._manage("migrate", "--noinput")
        self.token, self.document_id = self._manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model as g; "
            "from rest_framework.authtoken.models import Token; "
            "from documents.models import Document; "
            "u = g().objects.create_user('logged', password='password-123!'); "
            "print(Token.objects.create(user=u).key, Document.objects.create(owner=u).pk)",
        ).split()[-2:]
        self.process: subprocess.Popen | None = None

    def _manage(self, *args: str) -> str:
        completed = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        return completed.stdout

    def start(self) -> None:
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while self.status("/healthz") is None:
            assert time.monotonic() < deadline, f"no server: {self.log.read_text()[-2000:]}"
            assert self.process.poll() is None, f"exited: {self.log.read_text()[-2000:]}"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(15)

    def status(self, path: str) -> int | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None


@pytest.fixture
def server_started(tmp_path):
    servers: list[ProductionServer] = []

    def start(how: str, **env: str) -> ProductionServer:
        server = ProductionServer(tmp_path, how, **env)
        servers.append(server)
        server.start()
        return server

    yield start
    for server in servers:
        server.stop()


async def _open_and_sync(server: ProductionServer) -> None:
    url = f"ws://127.0.0.1:{server.port}/ws/documents/{server.document_id}?token={server.token}"
    async with websockets.connect(url) as socket:
        await asyncio.wait_for(socket.recv(), 10)  # the server's sync step 1: accepted


@pytest.mark.slow
@pytest.mark.parametrize(
    ("how", "log_format", "warning"),
    [
        ("make run", "plain", "WARNING django.request Not Found: /no-such-page\n"),
        ("the image", "json", '"request": "GET /no-such-page?token=[redacted]&page=2"'),
    ],
    ids=["make run, plain log", "the image, json log"],
)
def test_requests_with_a_token_in_the_query_leave_no_token_in_the_log(
    server_started, how, log_format, warning
):
    server = server_started(how, DJANGO_LOG_FORMAT=log_format)
    token = server.token
    assert server.status(f"/api/documents/?token={token}") == 401  # REST reads the header only
    assert server.status(f"/no-such-page?token={token}&page=2") == 404  # a logged warning
    asyncio.run(_open_and_sync(server))
    server.stop()  # the access log is complete once the server has exited
    log = server.log.read_text()
    assert token not in log
    assert "GET /api/documents/?token=[redacted]" in log
    assert "GET /no-such-page?token=[redacted]&page=2" in log
    assert f"WSCONNECT /ws/documents/{server.document_id}" in log
    assert warning in log
