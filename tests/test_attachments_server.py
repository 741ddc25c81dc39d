"""Attachments through a real daphne process: an upload and its image over HTTP, and a 20 MiB
upload refused."""

import io
import json
import urllib.error
import urllib.request
import uuid

import pytest
from PIL import Image

from bench.procstat import sample_process
from tests.server import DaphneServer, reset_peak_rss

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory, database):
    directory = tmp_path_factory.mktemp("attachments")
    server = DaphneServer(directory, database, ATTACHMENT_ROOT=str(directory / "files"))
    server.start()
    yield server
    server.stop()


def post_multipart(server: DaphneServer, path: str, token: str, data: bytes, name: str):
    """POST `data` as the multipart field `file`; returns (status, decoded JSON body)."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{path}",
        method="POST",
        data=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Authorization": f"Token {token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_an_upload_is_served_back(server):
    token = server.token("alice")
    document = server.create_document(token)
    image = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(image, "JPEG")
    status, body = post_multipart(
        server, f"/api/documents/{document}/attachments/", token, image.getvalue(), "a.jpg"
    )
    assert status == 201, body
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{body['url']}", headers={"Authorization": f"Token {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"] == "image/jpeg"
        assert response.headers["Cache-Control"].startswith("private")
        assert Image.open(io.BytesIO(response.read())).size == (64, 48)


def test_a_20_mib_upload_is_a_413_and_costs_about_its_size(server):
    """Refused with the limit's message. Twisted, under daphne, parsed every multipart body
    with the e-mail package before the application saw any of it (a 20 MiB one raised the
    peak memory by some 240 MiB); the daphne adapter leaves that to Django (multipart.py), so
    what is left is Twisted holding the body itself. The proxy in front limits bodies too
    (deploy/nginx.conf: 11 MiB on the upload path, 2 MiB elsewhere)."""
    token = server.token("alice")
    document = server.create_document(token)
    pid = server.process.pid
    before = sample_process(pid).rss_mib
    reset_peak_rss(pid)
    status, body = post_multipart(
        server, f"/api/documents/{document}/attachments/", token, b"\0" * (20 << 20), "big.png"
    )
    grown = sample_process(pid).peak_rss_mib - before
    assert status == 413
    assert body["detail"] == "The file is larger than the limit of 10,485,760 bytes."
    assert grown < 100, f"peak +{grown:.0f} MiB"
