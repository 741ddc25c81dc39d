"""Attachments over REST: uploading images (told by content, cleaned, limited) and serving them
to those who may view the document only."""

import io
import struct
import zlib

import pytest
from django.conf import settings
from PIL import Image
from rest_framework.test import APIClient

from documents.api.uploads import LimitedUploadHandler
from documents.attachments.images import ImageTooLarge, clean_image
from documents.models import Attachment, Membership
from tests.attachment_files import attachment_storage, image_bytes, upload  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("attachment_storage")]


@pytest.fixture
def document(user, make_document):
    return make_document(user, "With pictures")


@pytest.fixture
def api(user, token_for) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def post_file(client: APIClient, document, file):
    return client.post(
        f"/api/documents/{document.id}/attachments/", {"file": file}, format="multipart"
    )


def test_upload_then_get_the_bytes(api, document, attachment_storage):  # noqa: F811
    response = post_file(api, document, upload("photo.png", image_bytes("PNG", (12, 8))))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "url", "content_type", "size", "width", "height"}
    assert body["url"] == f"/api/documents/{document.id}/attachments/{body['id']}"
    assert response["Location"] == body["url"]
    assert (body["content_type"], body["width"], body["height"]) == ("image/png", 12, 8)
    attachment = Attachment.objects.get(pk=body["id"])
    assert attachment_storage.exists(attachment.file.name)
    assert body["size"] == attachment_storage.size(attachment.file.name)

    served = api.get(body["url"])
    assert served.status_code == 200
    data = b"".join(served.streaming_content)
    assert len(data) == body["size"]
    assert Image.open(io.BytesIO(data)).format == "PNG"
    assert served["Content-Type"] == "image/png"
    assert served["Cache-Control"].startswith("private, max-age=")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("inline")


def test_a_browser_asking_for_images_gets_the_image(api, document):
    url = post_file(api, document, upload("a.png", image_bytes())).json()["url"]
    served = api.get(url, HTTP_ACCEPT="image/avif,image/webp,image/png")
    assert served.status_code == 200
    missing = api.get(url[:-4] + "0000", HTTP_ACCEPT="image/png")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No such attachment."}


def test_the_session_cookie_reads_and_uploads(user, document):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    token = client.get("/").cookies["csrftoken"].value
    response = client.post(
        f"/api/documents/{document.id}/attachments/",
        {"file": upload("a.gif", image_bytes("GIF"))},
        format="multipart",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201, response.content
    assert client.get(response.json()["url"]).status_code == 200


def test_a_png_named_jpg_is_a_png(api, document):
    response = post_file(api, document, upload("photo.jpg", image_bytes("PNG"), "image/jpeg"))
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/png"
    assert Attachment.objects.get().file.name.endswith(".png")


@pytest.mark.parametrize("format", ["JPEG", "GIF", "WEBP"])
def test_each_accepted_type(api, document, format):
    response = post_file(api, document, upload("x", image_bytes(format)))
    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == f"image/{format.lower()}"


def test_a_text_file_named_png_is_refused(api, document):
    response = post_file(api, document, upload("notes.png", b"just some text\n" * 20, "image/png"))
    assert response.status_code == 415
    assert "PNG, JPEG, GIF or WebP" in response.json()["detail"]
    assert not Attachment.objects.exists()


def test_other_image_types_are_refused(api, document):
    response = post_file(api, document, upload("x.bmp", image_bytes("BMP")))
    assert response.status_code == 415


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)


@pytest.mark.parametrize("data", [SVG, SVG.split(b"\n", 1)[1]], ids=["with-xml", "bare"])
def test_an_svg_is_refused(api, document, data):
    response = post_file(api, document, upload("x.png", data, "image/svg+xml"))
    assert response.status_code == 415
    assert "SVG" in response.json()["detail"]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG of a few hundred bytes whose header announces width × height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused(api, document):
    response = post_file(api, document, upload("bomb.png", bomb_png()))
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The image has more than")
    assert not Attachment.objects.exists()


def test_the_pixel_limit_is_a_setting(api, document, settings):
    settings.ATTACHMENT_MAX_PIXELS = 100
    refused = post_file(api, document, upload("x.png", image_bytes("PNG", (11, 10))))
    assert refused.status_code == 413
    allowed = post_file(api, document, upload("x.png", image_bytes("PNG", (10, 10))))
    assert allowed.status_code == 201


def test_frames_of_an_animation_count_together():
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=50)
    with pytest.raises(ImageTooLarge):
        clean_image(io.BytesIO(out.getvalue()), max_pixels=299)
    assert clean_image(io.BytesIO(out.getvalue()), max_pixels=300).width == 10


def test_a_truncated_image_is_refused(api, document):
    whole = image_bytes("PNG", (200, 200))
    response = post_file(api, document, upload("cut.png", whole[: len(whole) // 2]))
    assert response.status_code == 400
    assert response.json()["file"][0].startswith("The image cannot be")
    jpeg = image_bytes("JPEG", (200, 200))
    assert post_file(api, document, upload("cut.jpg", jpeg[: len(jpeg) // 2])).status_code == 400
    assert not Attachment.objects.exists()


def test_a_multipart_body_without_file_is_refused(api, document):
    response = api.post(
        f"/api/documents/{document.id}/attachments/", {"image": "nope"}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()


def test_a_json_body_is_refused(api, document):
    response = api.post(f"/api/documents/{document.id}/attachments/", {"file": "x"}, format="json")
    assert response.status_code == 415


def test_two_files_are_refused(api, document):
    response = api.post(
        f"/api/documents/{document.id}/attachments/",
        {"file": [upload("a.png", image_bytes()), upload("b.png", image_bytes())]},
        format="multipart",
    )
    assert response.status_code == 400


def test_a_20_mib_upload_is_a_413_before_its_body_is_read(api, document):
    assert settings.ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024
    response = post_file(api, document, upload("big.png", b"\x89PNG" + b"\x00" * (20 << 20)))
    assert response.status_code == 413
    assert response.json()["detail"] == "The file is larger than the limit of 10,485,760 bytes."
    assert not Attachment.objects.exists()


def test_a_cookie_upload_over_the_limit_is_a_413_too(user, document, settings):
    """DRF's CSRF check reads a cookie POST's form before the view: the limit holds there."""
    settings.ATTACHMENT_MAX_BYTES = 1000
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    token = client.get("/").cookies["csrftoken"].value
    response = client.post(
        f"/api/documents/{document.id}/attachments/",
        {"file": upload("big.png", noise_png(100, 100))},
        format="multipart",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 413


def noise_png(width: int, height: int) -> bytes:
    """A PNG that does not compress: random pixels."""
    import os

    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


def test_a_body_without_a_length_is_stopped_once_past_the_limit():
    """A chunked body announces no length: the handler counts what it is given. One that
    announces too much is refused before anything is read."""
    with pytest.raises(Exception) as announced:
        LimitedUploadHandler(limit=100).handle_raw_input(None, {}, 20 << 20, b"x")
    assert announced.value.status_code == 413
    handler = LimitedUploadHandler(limit=100)
    assert handler.handle_raw_input(None, {}, 0, b"x") is None
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    with pytest.raises(Exception) as refused:
        handler.receive_data_chunk(b"x" * 60, 60)
    assert refused.value.status_code == 413


def test_an_upload_just_at_the_limit_goes_through(api, document, settings):
    data = noise_png(40, 40)
    settings.ATTACHMENT_MAX_BYTES = len(data)
    assert post_file(api, document, upload("x.png", data)).status_code == 201
    settings.ATTACHMENT_MAX_BYTES = len(data) - 1
    assert post_file(api, document, upload("x.png", data)).status_code == 413


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotated 90° clockwise
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}  # GPSInfo
    return exif


def test_exif_and_its_gps_position_are_gone(api, document):
    original = image_bytes("JPEG", (30, 20), exif=gps_exif(), comment=b"shot at home")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # there before
    body = post_file(api, document, upload("photo.jpg", original)).json()
    served = Image.open(io.BytesIO(b"".join(api.get(body["url"]).streaming_content)))
    exif = served.getexif()
    assert 0x8825 not in exif and not exif.get_ifd(0x8825)
    assert len(exif) == 0
    assert "comment" not in served.info and "exif" not in served.info
    # Turned upright by the orientation it had.
    assert (body["width"], body["height"]) == (20, 30) == served.size


def test_png_text_and_exif_are_gone(api, document):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Alice at 12 Home Street")
    original = image_bytes("PNG", pnginfo=info, exif=gps_exif())
    body = post_file(api, document, upload("x.png", original)).json()
    served = Image.open(io.BytesIO(b"".join(api.get(body["url"]).streaming_content)))
    assert "Author" not in served.info and "exif" not in served.info


def test_an_animated_gif_stays_animated(api, document):
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(
        out, "GIF", save_all=True, append_images=frames[1:], duration=[50, 60, 70], loop=0,
        comment=b"made by someone",
    )  # fmt: skip
    body = post_file(api, document, upload("a.gif", out.getvalue())).json()
    served = Image.open(io.BytesIO(b"".join(api.get(body["url"]).streaming_content)))
    assert served.n_frames == 3
    assert "comment" not in served.info
    durations = []
    for index in range(3):
        served.seek(index)
        durations.append(served.info["duration"])
    assert durations == [50, 60, 70]


def test_transparency_survives(api, document):
    image = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    body = post_file(api, document, upload("t.png", out.getvalue())).json()
    served = Image.open(io.BytesIO(b"".join(api.get(body["url"]).streaming_content)))
    assert served.convert("RGBA").getpixel((0, 0))[3] == 0


@pytest.fixture
def other_attachment(make_user, make_document, token_for):
    owner = make_user()
    other = make_document(owner, "Someone else's")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(owner)}")
    body = post_file(client, other, upload("x.png", image_bytes())).json()
    return other, body


def test_another_documents_attachment_under_this_path_is_a_404(api, document, other_attachment):
    other, body = other_attachment
    Membership.objects.create(document=other, user=document.owner, role="viewer")
    own = post_file(api, document, upload("x.png", image_bytes())).json()
    swapped = api.get(f"/api/documents/{document.id}/attachments/{body['id']}")
    unknown = api.get(f"/api/documents/{document.id}/attachments/{own['id'][:-4]}0000")
    assert swapped.status_code == unknown.status_code == 404
    assert swapped.json() == unknown.json()
    assert api.get(body["url"]).status_code == 200  # under its own document's path


def test_those_who_may_not_view_get_the_404_of_an_unknown_id(api, document, other_attachment):
    _, body = other_attachment
    unknown = "/api/documents/00000000-0000-0000-0000-000000000001/attachments/" + body["id"]
    for client in (api, APIClient()):
        hidden, missing = client.get(body["url"]), client.get(unknown)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json() == {"detail": "No such document."}


def test_a_removed_member_loses_the_images(api, document, make_user, token_for):
    url = post_file(api, document, upload("x.png", image_bytes())).json()["url"]
    member = make_user()
    membership = Membership.objects.create(document=document, user=member, role="viewer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(member)}")
    assert client.get(url).status_code == 200
    membership.delete()
    assert client.get(url).status_code == 404


def test_deleting_the_document_deletes_its_files(
    api,
    document,
    attachment_storage,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    names = []
    for _ in range(2):
        body = post_file(api, document, upload("x.png", image_bytes())).json()
        names.append(Attachment.objects.get(pk=body["id"]).file.name)
    assert all(attachment_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/documents/{document.id}/").status_code == 204
    assert not Attachment.objects.exists()
    assert not any(attachment_storage.exists(name) for name in names)
    assert api.get(body["url"]).status_code == 404


def test_a_rolled_back_delete_keeps_the_file(api, document, attachment_storage):  # noqa: F811
    from django.db import transaction

    body = post_file(api, document, upload("x.png", image_bytes())).json()
    name = Attachment.objects.get(pk=body["id"]).file.name
    with pytest.raises(RuntimeError), transaction.atomic():
        document.delete()
        raise RuntimeError("rolled back")
    assert attachment_storage.exists(name)


def test_the_content_security_policy_allows_these_images():
    from django.utils.csp import CSP

    assert CSP.SELF in settings.SECURE_CSP["img-src"]


def test_the_served_image_carries_the_policy(api, document):
    url = post_file(api, document, upload("x.png", image_bytes())).json()["url"]
    served = api.get(url)
    assert "default-src 'self'" in served["Content-Security-Policy"]
    assert served["Cross-Origin-Resource-Policy"] == "same-origin"


def test_a_refused_upload_does_not_grow_memory(user, token_for, document):
    """Refused from its announced length, a 20 MiB body is never read into memory."""
    import tracemalloc

    from django.urls import resolve
    from rest_framework.test import APIRequestFactory

    boundary = "BoUnDaRy"
    payload = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
        f"Content-Type: image/png\r\n\r\n".encode()
        + b"\x00" * (20 << 20)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    path = f"/api/documents/{document.id}/attachments/"
    request = APIRequestFactory().generic(
        "POST",
        path,
        payload,
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_AUTHORIZATION=f"Token {token_for(user)}",
    )
    match = resolve(path)
    tracemalloc.start()
    try:
        response = match.func(request, **match.kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 413
    assert peak < 1 << 20, f"{peak:,} bytes allocated"


def test_the_s3_store_is_configured_from_the_environment():
    """With ATTACHMENT_S3_BUCKET set, attachments go to django-storages' S3 backend (which an
    operator installs); without it, to the file system."""
    import json
    import os
    import subprocess
    import sys

    # The settings module alone: django.setup() would build the storage, and fail without the
    # package installed.
    script = (
        "import json; from project_name import settings; "
        "print(json.dumps(settings.STORAGES['attachments']))"
    )
    base = {"PATH": os.environ["PATH"]}

    def storage(**env) -> dict:
        run = subprocess.run(
            [sys.executable, "-c", script],
            env={**base, **env},
            capture_output=True,
            text=True,
            check=True,
            cwd=settings.BASE_DIR,
        )
        return json.loads(run.stdout)

    s3 = storage(
        ATTACHMENT_S3_BUCKET="pictures",
        ATTACHMENT_S3_ENDPOINT_URL="https://minio.example:9000",
        ATTACHMENT_S3_REGION="eu-west-1",
    )
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"] == {
        "bucket_name": "pictures",
        "location": "attachments",
        "default_acl": "private",
        "file_overwrite": False,
        "endpoint_url": "https://minio.example:9000",
        "region_name": "eu-west-1",
    }
    files = storage(ATTACHMENT_ROOT="/srv/attachments")
    assert files == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": "/srv/attachments"},
    }


def test_a_browser_asking_again_gets_a_304_while_it_may_view(api, document, make_user, token_for):
    url = post_file(api, document, upload("x.png", image_bytes())).json()["url"]
    first = api.get(url)
    etag = first["ETag"]
    again = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["Cache-Control"] == first["Cache-Control"]
    assert api.get(url, HTTP_IF_NONE_MATCH='"something else"').status_code == 200
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Token {token_for(make_user())}")
    assert stranger.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404


@pytest.mark.parametrize("format", ["PNG", "WEBP"])
def test_animated_png_and_webp_stay_animated(api, document, format):
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, format, save_all=True, append_images=frames[1:], duration=80, loop=0)
    body = post_file(api, document, upload("a", out.getvalue())).json()
    served = Image.open(io.BytesIO(b"".join(api.get(body["url"]).streaming_content)))
    assert (served.format, served.n_frames) == (format, 3)


def test_uploads_are_throttled_per_user(api, document, user, make_document, settings):
    settings.ATTACHMENT_UPLOAD_RATE = "2/hour"
    for _ in range(2):
        assert post_file(api, document, upload("x.png", image_bytes())).status_code == 201
    other = make_document(user, "another")  # per user, whatever the document
    refused = post_file(api, other, upload("x.png", image_bytes()))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert api.get(f"/api/documents/{document.id}/").status_code == 200  # nothing else is
