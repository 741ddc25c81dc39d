"""`make run`: the product in production mode on loopback, its secret key made once, and its
static files served the way Django deployments serve them (WhiteNoise)."""

import gzip
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.server import ROOT, free_port

pytestmark = pytest.mark.slow


def fetch(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class RunScript:
    """scripts/run.sh (what `make run` starts) in a copy of the checkout's state dir."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")
        } | {"PORT": str(self.port), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
        subprocess.run(
            [ROOT / ".venv/bin/python", "manage.py", "migrate", "--noinput"],
            cwd=ROOT, env=self.env, check=True, capture_output=True,
        )  # fmt: skip
        self.process: subprocess.Popen | None = None
        self.output = tmp_path / "run.log"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["bash", "scripts/run.sh"], cwd=ROOT, env=self.env,
            stdout=self.output.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                fetch(self.url + "/healthz")
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"run.sh did not come up: {self.output.read_text()}")

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(10)


@pytest.fixture
def run(tmp_path):
    script = RunScript(tmp_path)
    yield script
    script.stop()


def test_make_run_is_production_mode_with_a_kept_secret_key(run):
    key_file = ROOT / ".local/secret_key"
    run.start()
    assert f"Serving on http://127.0.0.1:{run.port}/ (production mode" in run.output.read_text()
    key = key_file.read_text()
    assert len(key.strip()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    status, _, body = fetch(run.url + "/documents/not-a-uuid/")
    assert status == 404 and b"This page doesn" in body and b"URLconf" not in body
    run.stop()
    run.start()
    assert key_file.read_text() == key  # made once, then kept
    ignored = subprocess.run(["git", "check-ignore", "-q", ".local/secret_key"], cwd=ROOT)
    assert ignored.returncode == 0


def test_static_files_are_hashed_compressed_and_cached_for_ever(run):
    run.start()
    _, _, page = fetch(run.url + "/accounts/login/")
    css = re.search(rb'href="(/static/documents/app\.[0-9a-f]{12}\.css)"', page)
    assert css, page[:600]
    status, headers, body = fetch(run.url + css.group(1).decode(), **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert b"--" in gzip.decompress(body)  # the stylesheet's custom properties
    assert (
        "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
    )
    for source_map in ("/static/editor/editor.js.map", "/static/editor/list.js.map"):
        assert fetch(run.url + source_map)[0] == 404
