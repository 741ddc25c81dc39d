"""Fixtures for the end-to-end suite: one real daphne server, Chromium, signed-in users.

This suite is its own pytest run (sync Playwright cannot share a process with pytest-asyncio,
and it needs no pytest-django):

    .venv/bin/python -m pytest e2e -p no:asyncio -p no:django

Everything here is self-sufficient: the server is `tests.server.DaphneServer` (a daphne process
on a free port with a fresh SQLite database), users are created in one `manage.py shell` call,
and each test signs its users in, each in a browser context of their own.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, BrowserContext, Page, expect  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402

from tests.server import PASSWORD, DaphneServer  # noqa: E402

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
USER_POOL = 200
FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia"]

# Bounds for waits, in milliseconds.
SYNC_MS = 10_000  # an edit reaching another browser, a save confirmed
RECONNECT_MS = 20_000  # a page finding the server again after an outage

expect.set_options(timeout=SYNC_MS)


def pytest_configure(config: pytest.Config) -> None:
    # With `-p no:django -p no:asyncio`, pyproject's settings for those plugins are unknown keys.
    for name in ("DJANGO_SETTINGS_MODULE", "asyncio_mode", "asyncio_default_fixture_loop_scope"):
        if name not in getattr(config._parser, "_inidict", {}):  # noqa: SLF001
            config._parser.addini(name, "used by another test run of this repository")


# --------------------------------------------------------------------------------------------
# The browser: Debian's Chromium, never a downloaded one.


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


# --------------------------------------------------------------------------------------------
# The server and its users.


@dataclass(frozen=True)
class User:
    username: str
    name: str  # the display name (first_name): what presence shows
    session: str  # a signed-in Django session key
    token: str  # a REST API token
    password: str = PASSWORD


class Server:
    """The daphne server under test, with a small REST client (token auth)."""

    def __init__(self, daphne: DaphneServer, users: list[User], session_cookie: str) -> None:
        self.daphne = daphne
        self.session_cookie = session_cookie
        self._users = iter(users)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.daphne.port}"

    def new_user(self) -> User:
        """A user no other test has used."""
        try:
            return next(self._users)
        except StopIteration:
            raise RuntimeError(f"the e2e user pool ({USER_POOL}) is used up") from None

    def call(
        self, method: str, path: str, body: Any = None, user: User | None = None
    ) -> tuple[int, Any]:
        """One REST request; returns (status, decoded JSON or None). Never raises on 4xx/5xx."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if user is not None:
            headers["Authorization"] = f"Token {user.token}"
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        return status, (json.loads(raw) if raw else None)

    def ok(self, method: str, path: str, body: Any = None, user: User | None = None) -> Any:
        status, data = self.call(method, path, body, user)
        assert 200 <= status < 300, f"{method} {path} -> {status}: {data}"
        return data

    def create_document(self, owner: User, title: str = "E2E document") -> str:
        return self.ok("POST", "/api/documents/", {"title": title}, owner)["id"]

    def share(self, document_id: str, owner: User, member: User, role: str = "editor") -> None:
        self.ok(
            "POST",
            f"/api/documents/{document_id}/members/",
            {"username": member.username, "role": role},
            owner,
        )

    def put_content(self, document_id: str, user: User, content: str, fmt: str = "text") -> Any:
        return self.ok(
            "PUT",
            f"/api/documents/{document_id}/content",
            {"format": fmt, "content": content},
            user,
        )

    def content(self, document_id: str, user: User, fmt: str = "text") -> Any:
        """The document as the server has it now (a fresh GET every time)."""
        return self.ok("GET", f"/api/documents/{document_id}/content?format={fmt}", None, user)[
            "content"
        ]


# Run by `manage.py shell` once per suite: the users, each with an API token and a signed-in
# session, so that tests spend no time on password hashing (Django's PBKDF2 costs about a second
# per sign-in on a small machine). The sign-in page itself is exercised by test_document_list.
CREATE_USERS = """
import json, sys
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from rest_framework.authtoken.models import Token
spec = json.loads(sys.stdin.read())
User = get_user_model()
password = make_password(spec["password"])
store = import_module(settings.SESSION_ENGINE).SessionStore
out = {"cookie": settings.SESSION_COOKIE_NAME, "users": {}}
for username, name in spec["users"]:
    user = User.objects.create(username=username, first_name=name, password=password)
    session = store()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token = Token.objects.create(user=user)
    out["users"][username] = {"session": session.session_key, "token": token.key}
print("E2E-USERS " + json.dumps(out))
"""


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    daphne = DaphneServer(
        tmp_path_factory.mktemp("e2e-server"),
        DJANGO_LOG_LEVEL="WARNING",
        # Images pasted or inserted by address come from web sites on this machine in tests.
        ATTACHMENT_FETCH_ALLOWED_NETWORKS="127.0.0.1/32",
    )
    names = [
        (f"e2e{n:02d}", f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {n:02d}")
        for n in range(1, USER_POOL + 1)
    ]
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", CREATE_USERS],
        cwd=ROOT,
        env=daphne.env,
        input=json.dumps({"password": PASSWORD, "users": names}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("E2E-USERS "))
    created = json.loads(line.removeprefix("E2E-USERS "))
    users = [
        User(
            username,
            name,
            session=created["users"][username]["session"],
            token=created["users"][username]["token"],
        )
        for username, name in names
    ]
    daphne.start()
    try:
        yield Server(daphne, users, session_cookie=created["cookie"])
    finally:
        daphne.stop()


# --------------------------------------------------------------------------------------------
# Browsers: one context per user, signed in.

# Plain text of the editor's ProseMirror document, one line per textblock: the same shape as
# `GET /api/documents/<id>/content?format=text`. Caret labels of other people are not part of it.
TEXT_JS = """() => {
  const lines = []
  window.docsEditor.editor.state.doc.descendants((node) => {
    if (node.isTextblock) { lines.push(node.textContent); return false }
    return true
  })
  return lines.join('\\n')
}"""


def eventually(check: Callable[[], Any], timeout_ms: int = SYNC_MS, interval_ms: int = 50) -> Any:
    """Calls `check` until it returns without an AssertionError (returns its result); after
    `timeout_ms` the last AssertionError is raised."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() >= deadline:
                raise
        time.sleep(interval_ms / 1000)


class EditorPage:
    """The editor page of one document in one user's browser context."""

    def __init__(self, page: Page, document_id: str, user: User) -> None:
        self.page = page
        self.document_id = document_id
        self.user = user

    @property
    def url(self) -> str:
        return f"/documents/{self.document_id}/?test=1"

    @property
    def editor(self):
        return self.page.locator(".ProseMirror")

    @property
    def connection(self):
        return self.page.locator("#status-connection")

    @property
    def save_status(self):
        return self.page.locator("#status-save")

    @property
    def banner(self):
        return self.page.locator("#banner")

    def open(self) -> EditorPage:
        """Loads the editor page and waits until it is synced with the server."""
        self.page.goto(self.url)
        self.page.wait_for_function("() => window.docsEditor !== undefined")
        self.wait_online()
        return self

    def wait_online(self, timeout: int = SYNC_MS) -> None:
        expect(self.connection).to_have_attribute("data-state", "online", timeout=timeout)

    def wait_saved(self, timeout: int = SYNC_MS) -> None:
        """Every local change is confirmed stored by the server."""
        expect(self.save_status).to_have_text("All changes saved", timeout=timeout)

    def text(self) -> str:
        return self.page.evaluate(TEXT_JS)

    def wait_text(self, expected: str, timeout: int = SYNC_MS) -> str:
        def check() -> str:
            actual = self.text()
            assert actual == expected, f"{self.user.username}'s page: {actual!r} != {expected!r}"
            return actual

        return eventually(check, timeout)

    def wait_contains(self, *parts: str, timeout: int = SYNC_MS) -> str:
        def check() -> str:
            actual = self.text()
            missing = [part for part in parts if part not in actual]
            assert not missing, f"{self.user.username}'s page lacks {missing}: {actual!r}"
            return actual

        return eventually(check, timeout)

    def config(self) -> dict:
        """The page's `editor-config` JSON (user id, name and colour, role...)."""
        return self.page.evaluate(
            "() => JSON.parse(document.getElementById('editor-config').textContent)"
        )

    def go_offline(self) -> None:
        """Takes this browser context off the network, as a lost connection would.

        `set_offline` fails new requests and handshakes, but leaves an open WebSocket hanging
        (playwright#4910), as a dead network does; the page must notice the browser's `offline`
        event itself, drop the socket and stop retrying until the network returns.
        """
        self.page.context.set_offline(True)
        expect(self.connection).to_have_text("Offline — changes will sync", timeout=5_000)
        assert self.page.evaluate("() => !window.docsEditor.collab.provider.shouldConnect"), (
            "the page keeps reconnecting although the browser is offline"
        )

    def go_online(self) -> None:
        self.page.context.set_offline(False)
        self.wait_online(RECONNECT_MS)

    def stored_update_count(self) -> int:
        """How many updates this browser's IndexedDB copy of the document holds."""
        return self.page.evaluate(
            """async () => {
              const config = JSON.parse(document.getElementById('editor-config').textContent)
              const name = `docs:${config.user.id}:${config.documentId}`
              const db = await new Promise((resolve, reject) => {
                const request = indexedDB.open(name)
                request.onsuccess = () => resolve(request.result)
                request.onerror = () => reject(request.error)
              })
              try {
                if (!db.objectStoreNames.contains('updates')) return 0
                return await new Promise((resolve, reject) => {
                  const count = db.transaction('updates', 'readonly').objectStore('updates').count()
                  count.onsuccess = () => resolve(count.result)
                  count.onerror = () => reject(count.error)
                })
              } finally {
                db.close()
              }
            }"""
        )

    def click_end(self) -> None:
        """Focuses the editor and puts the caret at the end of the document."""
        self.editor.click()
        self.caret_to_end()

    def caret_to_end(self) -> None:
        self._move_caret("Control+End", "(s, doc) => s.empty && s.head === doc.content.size - 1")

    def caret_to_start(self) -> None:
        self._move_caret("Control+Home", "(s, doc) => s.empty && s.head === 1")

    def _move_caret(self, keys: str, where: str) -> None:
        # The browser moves the caret in the DOM and ProseMirror reads it on the next
        # `selectionchange`; a remote update applied in between puts ProseMirror's old selection
        # back. Wait until the editor's own state has the caret where it belongs.
        self.page.keyboard.press(keys)
        condition = (
            f"() => {{ const {{ selection, doc }} = window.docsEditor.editor.state; "
            f"return ({where})(selection, doc) }}"
        )
        try:
            self.page.wait_for_function(condition, timeout=1_000)
        except PlaywrightTimeoutError:
            self.page.keyboard.press(keys)  # it was undone by a remote change: once more
            self.page.wait_for_function(condition, timeout=SYNC_MS)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def select_text(self, text: str) -> None:
        """Focuses the editor with the first occurrence of `text` (within one textblock)
        selected."""
        self.editor.click()
        found = self.page.evaluate(
            """(text) => {
              const { editor } = window.docsEditor
              let range = null
              editor.state.doc.descendants((node, pos) => {
                if (range || !node.isTextblock) return !range
                const at = node.textContent.indexOf(text)
                if (at >= 0) range = { from: pos + 1 + at, to: pos + 1 + at + text.length }
                return false
              })
              if (range) editor.chain().focus().setTextSelection(range).run()
              return range !== null
            }""",
            text,
        )
        assert found, f"{text!r} is not in {self.user.username}'s page"
        self.page.wait_for_function(
            "(text) => { const { state } = window.docsEditor.editor; const { from, to } = "
            "state.selection; return state.doc.textBetween(from, to) === text }",
            arg=text,
        )


class Browsers:
    """Opens signed-in browser contexts (one per user) and editor pages in them."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.browser = browser
        self.server = server
        self.contexts: list[BrowserContext] = []
        self.console: list[str] = []

    def context(self, user: User, sign_in: bool = True) -> BrowserContext:
        context = self.browser.new_context(base_url=self.server.url, accept_downloads=True)
        context.set_default_timeout(SYNC_MS)
        context.on("page", lambda page: self._watch(page, user))
        self.contexts.append(context)
        if sign_in:
            self.sign_in(context, user)
        return context

    def _watch(self, page: Page, user: User) -> None:
        page.on(
            "console",
            lambda message: self.console.append(
                f"[{user.username}] {message.type}: {message.text}"
            ),
        )
        page.on("pageerror", lambda error: self.console.append(f"[{user.username}] error: {error}"))

    def sign_in(self, context: BrowserContext, user: User) -> None:
        """Signs `user` in to `context` with the session made for them (see CREATE_USERS)."""
        context.add_cookies(
            [
                {
                    "name": self.server.session_cookie,
                    "value": user.session,
                    "url": self.server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )

    def editor(self, user: User, document_id: str) -> EditorPage:
        """A new signed-in context for `user` with the document open in it."""
        context = self.context(user)
        return EditorPage(context.new_page(), document_id, user).open()

    def close(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):  # already closed by the test
                context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browsers(
    browser: Browser, server: Server, request: pytest.FixtureRequest
) -> Iterator[Browsers]:
    opened = Browsers(browser, server)
    yield opened
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        # Shown with the failure (pytest prints a failed test's captured teardown output).
        if opened.console:
            print("\n--- browser console ---\n" + "\n".join(opened.console[-100:]))
        log = server.daphne.log_path
        if log.exists():
            tail = log.read_text(errors="replace").splitlines()[-60:]
            print(f"\n--- server log ({log}) ---\n" + "\n".join(tail))
    opened.close()


@pytest.fixture
def users(server: Server) -> Callable[[], User]:
    return server.new_user
