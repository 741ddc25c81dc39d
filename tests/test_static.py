"""Static files: production mode serves every file of the editor under a hashed name, cached for
good; the servers the tests start serve the apps' folders as they are (never a stale copy)."""

import http.cookiejar
import re
import subprocess
import urllib.parse
import urllib.request

import brotli
import pytest

from tests.server import ROOT, DaphneServer
from tests.test_run import RunScript, fetch

pytestmark = pytest.mark.slow

IMMUTABLE = "max-age=315360000, public, immutable"


def signed_in_browser(base_url: str, username: str, password: str) -> urllib.request.OpenerDirector:
    """An HTTP client with a cookie jar, signed in through the sign-in form as a person is."""
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    form = browser.open(base_url + "/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    ).encode()
    browser.open(base_url + "/accounts/login/", data=data, timeout=10).read()
    return browser


def test_the_editors_shared_chunk_is_hashed_and_cached_for_good(tmp_path):
    run = RunScript(tmp_path)
    # The README's non-interactive way to make an administrator.
    subprocess.run(
        [ROOT / ".venv/bin/python", "manage.py", "createsuperuser", "--noinput",
         "--username", "admin", "--email", "admin@example.com"],
        cwd=ROOT, env=run.env | {"DJANGO_SUPERUSER_PASSWORD": "a long password 42"},
        check=True, capture_output=True,
    )  # fmt: skip
    run.start()
    try:
        browser = signed_in_browser(run.url, "admin", "a long password 42")
        page = browser.open(run.url + "/", timeout=10).read().decode()
        entry = re.search(r'src="(/static/editor/list\.[0-9a-f]{12}\.js)"', page)
        assert entry, page[:800]
        status, headers, body = fetch(run.url + entry.group(1), **{"Accept-Encoding": "br"})
        assert status == 200 and headers["Content-Encoding"] == "br"
        assert headers["Cache-Control"] == IMMUTABLE
        source = brotli.decompress(body).decode()
        # The chunk the pages share (lib/), named by Vite after one of its modules.
        chunk = re.search(r'from\s*"\./(chunks/[\w-]+\.[0-9a-f]{12}\.js)"', source)
        assert chunk, "the entry imports its chunk under the chunk's plain name"
        status, headers, _ = fetch(run.url + "/static/editor/" + chunk.group(1))
        assert status == 200 and headers["Cache-Control"] == IMMUTABLE
    finally:
        run.stop()


def test_servers_started_by_the_tests_serve_the_apps_folders_as_they_are(tmp_path):
    server = DaphneServer(tmp_path)
    server.start()
    try:
        url = f"http://127.0.0.1:{server.port}"
        _, _, page = fetch(url + "/accounts/login/")
        assert b'href="/static/documents/app.css"' in page
        status, _, body = fetch(url + "/static/documents/app.css")
        assert status == 200
        assert body == (ROOT / "documents/static/documents/app.css").read_bytes()
    finally:
        server.stop()
