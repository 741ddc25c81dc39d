"""The project's server, started fresh for one scenario: a temporary directory with a new SQLite
database, a user with a token, and one daphne process on a free port.

Every server started here is also registered for shutdown at exit, so an error or Ctrl-C in the
harness never leaves a daphne process behind.
"""

import atexit
import contextlib
import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.procstat import ProcSample, sample_process

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "bench"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
MANAGE_TIMEOUT_S = 120.0
PROBLEM_LINE = re.compile(r"\b(ERROR|CRITICAL|WARNING)\b|^Traceback")
# The project's log format: "%(asctime)s %(levelname)s %(name)s %(message)s".
LOGGED = re.compile(r"^\S+ \S+ (?P<level>[A-Z]+) (?P<logger>\S+) (?P<message>.*)$")
VARYING = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}|\d+(\.\d+)?")

_live_servers: set["BenchServer"] = set()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    # Runs in the child before exec: if the harness dies without cleaning up (SIGKILL), the
    # kernel sends the server SIGTERM. Linux only; elsewhere the atexit hook has to do.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


class BenchServer:
    """One daphne process serving the project, with its own database.

    Use as a context manager: entering migrates the database, creates the user and starts the
    server; leaving stops it (SIGTERM, then SIGKILL after 15 s) and deletes the directory.
    `extra_env` overrides settings (e.g. `REALTIME_COMPACT_THRESHOLD`); `before_start` runs
    after the user exists and before daphne starts (to seed the database); `daphne_args` are
    extra daphne options (none by default: the server runs as `make run` runs it).
    """

    def __init__(
        self,
        extra_env: dict[str, str] | None = None,
        before_start: Callable[["BenchServer"], None] | None = None,
        daphne_args: list[str] | None = None,
    ) -> None:
        self.before_start = before_start
        self.daphne_args = daphne_args or []
        self.directory = Path(tempfile.mkdtemp(prefix="collab-bench-"))
        self.port = free_port()
        self.password = secrets.token_urlsafe(16)
        self.log_path = self.directory / "daphne.log"
        self.metrics_token = secrets.token_urlsafe(24)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "project_name.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE": "0",
            "DJANGO_SECRET_KEY": "bench-" + secrets.token_hex(24),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{self.directory / 'db.sqlite3'}",
            "PYTHONUNBUFFERED": "1",
            "METRICS_TOKEN": self.metrics_token,
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None
        self.stop_info: dict[str, Any] = {}
        self._token: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> "BenchServer":
        try:
            self.prepare()
            if self.before_start is not None:
                self.before_start(self)
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def prepare(self) -> None:
        """Migrate the fresh database and create the benchmark user."""
        self.manage("migrate", "--noinput")
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user({USERNAME!r}, password={self.password!r})",
        )

    def manage(self, *args: str) -> str:
        """Run `manage.py` with this server's environment; returns its output."""
        return self.run_python(str(ROOT / "manage.py"), *args)

    def run_python(self, *args: str, timeout: float = MANAGE_TIMEOUT_S) -> str:
        """Run the harness's Python with this server's environment (cwd: the project root)."""
        completed = subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed:\n{completed.stderr[-3000:]}")
        return completed.stdout

    def start(self) -> None:
        """Start daphne and wait until it accepts connections."""
        assert self.process is None, "BenchServer.start() was called twice"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
                 *self.daphne_args, "project_name.asgi:application"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent,
            )  # fmt: skip
        _live_servers.add(self)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited at start:\n{self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"daphne did not listen within {START_TIMEOUT_S:.0f} s")

    def stop(self) -> dict[str, Any]:
        """SIGTERM, wait up to 15 s, then SIGKILL. Returns how it went."""
        process = self.process
        if process is None:
            return self.stop_info
        started = time.monotonic()
        info: dict[str, Any] = {"ignored_sigterm": False}
        try:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    info["ignored_sigterm"] = True
                    process.kill()
                    process.wait(timeout=STOP_TIMEOUT_S)
        finally:
            # Interrupted before the process ended: stay registered, so that close() or the
            # exit hook tries again.
            if process.poll() is not None:
                self.process = None
                _live_servers.discard(self)
        info["exit_code"] = process.returncode
        info["stop_s"] = round(time.monotonic() - started, 2)
        self.stop_info = info
        return info

    def close(self) -> None:
        """Stop the server and delete its directory."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    # -- what scenarios use ------------------------------------------------------------------

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server is not running"
        return self.process.pid

    def sample(self) -> ProcSample:
        """CPU and memory of the server process now."""
        return sample_process(self.pid)

    def ws_url(self, document_id: str) -> str:
        """The WebSocket URL of a document, with the token, as the stock provider builds it."""
        return f"ws://127.0.0.1:{self.port}/ws/documents/{document_id}?token={self.token()}"

    def api(self, method: str, path: str, body: dict | None = None, auth: bool = True) -> Any:
        """One JSON request to the REST API."""
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Token {self.token()}"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers=headers,
        )
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.load(response)

    def token(self) -> str:
        """The benchmark user's API token (`POST /api/auth/token/`, asked once)."""
        if self._token is None:
            body = {"username": USERNAME, "password": self.password}
            self._token = self.api("POST", "/api/auth/token/", body, auth=False)["token"]
        return self._token

    def create_documents(self, count: int, title: str = "bench") -> list[str]:
        """Create `count` documents through `POST /api/documents/`; returns their ids."""
        return [
            self.api("POST", "/api/documents/", {"title": f"{title} {i}"})["id"]
            for i in range(count)
        ]

    @contextlib.contextmanager
    def profiled(self, output: Path) -> Iterator[None]:
        """Sample the server with py-spy (if installed) while the block runs; writes a
        speedscope profile (https://www.speedscope.app) to `output`."""
        beside_python = str(Path(sys.executable).parent)
        py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=beside_python)
        if py_spy is None:
            raise RuntimeError("--profile needs py-spy (pip install py-spy)")
        output.parent.mkdir(parents=True, exist_ok=True)
        spy = subprocess.Popen(
            [py_spy, "record", "--pid", str(self.pid), "--rate", "100", "--threads",
             "--nonblocking", "--format", "speedscope", "--output", str(output)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            yield
        finally:
            spy.send_signal(signal.SIGINT)
            try:
                spy.wait(timeout=30)
            except subprocess.TimeoutExpired:
                spy.kill()
                spy.wait()

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's output."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def log_problems(self, keep: int = 15) -> dict[str, Any]:
        """Counts of ERROR/CRITICAL, WARNING and traceback lines in the server's output, with the
        first `keep` of those lines and up to three distinct tracebacks in full."""
        counts = {"errors": 0, "warnings": 0, "tracebacks": 0}
        lines: list[str] = []
        tracebacks: dict[str, str] = {}  # by the exception line
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            text = ""
        all_lines = text.splitlines()
        for index, line in enumerate(all_lines):
            match = PROBLEM_LINE.search(line)
            if match is None:
                continue
            if line.startswith("Traceback"):
                counts["tracebacks"] += 1
                block = _traceback_at(all_lines, index)
                if len(tracebacks) < 3:
                    tracebacks.setdefault(block[-1], "\n".join(block))
            elif match.group(1) == "WARNING":
                counts["warnings"] += 1
            else:
                counts["errors"] += 1
            if len(lines) < keep and not line.startswith("Traceback"):
                lines.append(line[:300])
        return {
            **counts,
            "kinds": _kinds(all_lines),
            "first_lines": lines,
            "traceback_texts": list(tracebacks.values()),
        }

    def keep_log(self, directory: Path, name: str) -> Path:
        """Copy the server's output to `directory/name` (the directory itself is deleted)."""
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / name
        shutil.copyfile(self.log_path, target)
        return target

    def log_count(self, pattern: str) -> int:
        """How many lines of the server's output match a regular expression."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return 0
        compiled = re.compile(pattern)
        return sum(1 for line in text.splitlines() if compiled.search(line))


def _kinds(lines: list[str], top: int = 10) -> list[tuple[str, int]]:
    """The most frequent ERROR/WARNING messages, with ids and numbers masked, and their counts."""
    counter: Counter[str] = Counter()
    for line in lines:
        match = LOGGED.match(line)
        if match is not None and match["level"] in ("ERROR", "CRITICAL", "WARNING"):
            counter[VARYING.sub("#", f"{match['level']} {match['logger']} {match['message']}")] += 1
    return counter.most_common(top)


def _traceback_at(lines: list[str], start: int) -> list[str]:
    """The traceback starting at `lines[start]`: indented lines, then the exception line."""
    block = [lines[start]]
    for line in lines[start + 1 :]:
        block.append(line[:500])
        continues = line.startswith((" ", "\t", "During handling", "Traceback", "The above"))
        if line.strip() and not continues:
            break  # the exception line ends the traceback
    return block


@atexit.register
def _stop_live_servers() -> None:
    for server in list(_live_servers):
        with contextlib.suppress(Exception):
            server.close()
