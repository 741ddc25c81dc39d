"""Fetching a pasted page's image into a document: a real local HTTP server upstream, the
address checks (SSRF), the limits, and nothing stored on any failure."""

import http.server
import threading
import time

import pytest
from rest_framework.test import APIClient

from documents.attachments import remote
from documents.models import Attachment, Membership
from tests.attachment_files import attachment_storage, image_bytes  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("attachment_storage")]

PNG = image_bytes("PNG", (12, 8))
LOCAL = ["127.0.0.1/32"]


class Upstream(http.server.BaseHTTPRequestHandler):
    """Serves the test routes; counts the requests it gets."""

    hits: list[str] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        route = self.path.split("?")[0]
        if route == "/a.png":
            self._send(200, PNG, "image/png")
        elif route.startswith("/hop/"):
            left = int(route.rsplit("/", 1)[1])
            self.send_response(302)
            self.send_header("Location", "/a.png" if left == 0 else f"/hop/{left - 1}")
            self.end_headers()
        elif route == "/private":
            self.send_response(302)
            self.send_header("Location", "http://10.0.0.1/a.png")
            self.end_headers()
        elif route == "/page":
            self._send(200, b"<html><body>hello</body></html>" * 20, "text/html")
        elif route == "/big":
            self._send(200, b"x" * 5000, "image/png")
        elif route in ("/big-chunked", "/slow"):
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"x" * 1000)
                    self.wfile.flush()
                    if route == "/slow":
                        time.sleep(0.05)
            except OSError:
                return
        else:
            self._send(404, b"not here", "text/plain")

    def _send(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def upstream():
    """A local HTTP server on port 0; yields its base URL."""
    Upstream.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def local(settings):
    settings.ATTACHMENT_FETCH_ALLOWED_NETWORKS = LOCAL
    return settings


@pytest.fixture
def document(user, make_document):
    return make_document(user, "Pasted")


@pytest.fixture
def api(user, client_for) -> APIClient:
    return client_for(user)


def fetch(client: APIClient, document, url: str):
    return client.post(
        f"/api/documents/{document.id}/attachments/fetch/", {"url": url}, format="json"
    )


def assert_nothing_stored(storage) -> None:
    assert not Attachment.objects.exists()
    assert not (storage.location and any(p.is_file() for p in _files(storage)))


def _files(storage):
    from pathlib import Path

    root = Path(storage.location)
    return list(root.rglob("*")) if root.exists() else []


def test_fetches_a_png(api, document, upstream, local, attachment_storage):  # noqa: F811
    response = fetch(api, document, f"{upstream}/a.png")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["url"]
    assert (body["content_type"], body["width"], body["height"]) == ("image/png", 12, 8)
    assert attachment_storage.exists(Attachment.objects.get().file.name)


def test_follows_three_redirects(api, document, upstream, local):
    assert fetch(api, document, f"{upstream}/hop/2").status_code == 201
    assert Upstream.hits == ["/hop/2", "/hop/1", "/hop/0", "/a.png"]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/hop/3", 502, "bad_gateway"),
        ("/private", 400, "address_not_allowed"),
        ("/page", 415, "unsupported_type"),
        ("/missing", 502, "bad_gateway"),
    ],
)
def test_refusals(api, document, upstream, local, attachment_storage, path, status, code):  # noqa: F811
    response = fetch(api, document, f"{upstream}{path}")
    assert response.status_code == status, response.content
    assert_nothing_stored(attachment_storage)


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_too_big(api, document, upstream, local, attachment_storage, path):  # noqa: F811
    local.ATTACHMENT_MAX_BYTES = 4000
    response = fetch(api, document, f"{upstream}{path}")
    assert response.status_code == 413, response.content
    assert_nothing_stored(attachment_storage)


def test_a_slow_endless_body_times_out(api, document, upstream, local, attachment_storage):  # noqa: F811
    local.ATTACHMENT_FETCH_TIMEOUT = 1.0
    local.ATTACHMENT_MAX_BYTES = 10**9
    started = time.monotonic()
    response = fetch(api, document, f"{upstream}/slow")
    assert response.status_code == 504, response.content
    assert time.monotonic() - started < 6  # the deadline holds, slow machine included
    assert_nothing_stored(attachment_storage)


def test_loopback_refused_without_the_override(api, document, upstream, attachment_storage):  # noqa: F811
    response = fetch(api, document, f"{upstream}/a.png")
    assert response.status_code == 400
    assert response.json()["url"][0].startswith("The host 127.0.0.1")
    assert Upstream.hits == []
    assert_nothing_stored(attachment_storage)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/a.png", "http://user:pw@example.com/a.png", "http:///a", "x" * 3000],
)
def test_bad_urls(api, document, url):
    response = fetch(api, document, url)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "::",
    ],
)
def test_non_public_addresses_are_refused(address, settings):
    settings.ATTACHMENT_FETCH_ALLOWED_NETWORKS = []
    assert not remote.address_allowed(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1"])
def test_public_addresses_are_allowed(address, settings):
    settings.ATTACHMENT_FETCH_ALLOWED_NETWORKS = []
    assert remote.address_allowed(address)


def test_a_hostname_on_a_private_address_is_refused(monkeypatch, settings):
    settings.ATTACHMENT_FETCH_ALLOWED_NETWORKS = []
    monkeypatch.setattr(remote, "resolve", lambda host, port: ["93.184.216.34", "10.0.0.5"])
    with pytest.raises(remote.AddressNotAllowed):
        remote.check_url("http://images.example/a.png")


def test_connects_to_the_checked_address(monkeypatch, upstream, local):
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])
    monkeypatch.setattr(remote, "resolve", lambda host, port: next(answers))
    port = upstream.rsplit(":", 1)[1]
    data = remote.fetch_image(f"http://images.example:{port}/a.png", 10**6, 5)
    assert data == PNG
    assert Upstream.hits == ["/a.png"]


@pytest.mark.parametrize("role", ["viewer", "stranger", "anonymous"])
def test_only_editors_fetch(role, document, upstream, local, make_user, token_for):
    client = APIClient()
    if role != "anonymous":
        other = make_user("someone")
        if role == "viewer":
            Membership.objects.create(document=document, user=other, role="viewer")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(other)}")
    response = fetch(client, document, f"{upstream}/a.png")
    assert response.status_code == {"viewer": 403, "stranger": 404, "anonymous": 401}[role]
    assert Upstream.hits == []
    assert not Attachment.objects.exists()


def test_fetches_are_throttled_with_uploads(api, document, upstream, local):
    local.ATTACHMENT_UPLOAD_RATE = "1/hour"
    assert fetch(api, document, f"{upstream}/a.png").status_code == 201
    refused = fetch(api, document, f"{upstream}/a.png")
    assert refused.status_code == 429
    assert Upstream.hits == ["/a.png"]
