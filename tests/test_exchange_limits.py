"""Hostile imports: oversized files, zip bombs, files of another type than their name says,
damaged archives, conversions past their time or memory; each refused with a clear code, with
nothing stored."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from documents.exchange.archives import ArchiveRefused, ArchiveTooLarge, check_archive
from documents.exchange.formats import DOCX, ODT
from documents.models import Attachment, Document
from tests.attachment_files import attachment_storage  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("attachment_storage"),
]


@pytest.fixture
def api(user, token_for) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def import_file(api: APIClient, name: str, data: bytes):
    return api.post(
        "/api/documents/import", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )


def archive(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return out.getvalue()


def real_docx(api: APIClient, make_document, user) -> bytes:
    document = make_document(user, "Source")
    api.put(
        f"/api/documents/{document.id}/content",
        {"format": "markdown", "content": "# Title\n\nSome *text*."},
        format="json",
    )
    return api.get(f"/api/documents/{document.id}/export", {"format": "docx"}).content


def assert_refused(response, status: int, documents_before: int = 0) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    detail = body.get("detail") or body.get("file", [""])[0]
    assert detail
    assert Document.objects.count() == documents_before
    assert Attachment.objects.count() == 0


def test_a_file_over_the_size_limit_is_a_413_before_it_is_read(api, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = import_file(api, "big.txt", b"x" * 5000)
    assert response.status_code == 413
    assert "1,000 bytes" in response.json()["detail"]
    assert Document.objects.count() == 0


def test_a_zip_bomb_is_refused_before_it_is_unpacked(api):
    bomb = archive(
        {"[Content_Types].xml": b"<x/>", "word/document.xml": b"\0" * (300 * 1024 * 1024)}
    )
    assert len(bomb) < 1024 * 1024
    response = import_file(api, "bomb.docx", bomb)
    assert_refused(response, 413)
    assert "unpacks into more than" in response.json()["detail"]


def test_a_member_compressed_too_tightly_is_refused(api):
    dense = archive(
        {"[Content_Types].xml": b"<x/>", "word/document.xml": b"a" * (20 * 1024 * 1024)}
    )
    response = import_file(api, "dense.docx", dense)
    assert_refused(response, 413)
    assert "compressed too tightly" in response.json()["detail"]


def test_too_many_members_are_refused():
    many = archive({f"word/part{n}.xml": b"" for n in range(10_001)}, zipfile.ZIP_STORED)
    with pytest.raises(ArchiveTooLarge):
        check_archive(many, DOCX)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.docx", b"This is plain text, not a zip archive."),
        (
            "report.docx",
            archive({"content.xml": b"<office/>", "mimetype": ODT.media_type.encode()}),
        ),
        ("report.odt", archive({"word/document.xml": b"<w:document/>"})),
        ("report.odt", archive({"content.xml": b"<x/>", "mimetype": b"application/zip"})),
        ("report.docx", b"PK\x03\x04" + b"\0" * 200),
    ],
)
def test_a_file_of_another_type_than_its_name_says_is_a_400(api, name, data):
    response = import_file(api, name, data)
    assert_refused(response, 400)


def test_a_damaged_docx_that_passes_the_archive_check_is_a_400(api):
    broken = archive({"[Content_Types].xml": b"<x", "word/document.xml": b"<not xml"})
    response = import_file(api, "broken.docx", broken)
    assert_refused(response, 400)


@pytest.mark.parametrize("name", ["tool.exe", "picture.png", "noextension", "old.doc"])
def test_unsupported_types_are_a_415(api, name):
    response = import_file(api, name, b"MZ\x90\x00")
    assert_refused(response, 415)
    assert ".docx" in response.json()["detail"]


def test_a_text_file_that_is_not_utf8_is_a_400(api):
    response = import_file(api, "latin1.txt", "Café".encode("latin-1"))
    assert_refused(response, 400)
    assert "UTF-8" in response.json()["file"][0]


def test_content_nested_too_deep_is_a_400(api):
    response = import_file(api, "deep.html", b"<blockquote>" * 500 + b"x")
    assert_refused(response, 400)


def test_content_over_the_content_limits_is_a_413(api, settings):
    settings.CONTENT = {**settings.CONTENT, "MAX_NODES": 50}
    response = import_file(api, "many.md", "\n\n".join(f"p{n}" for n in range(200)).encode())
    assert_refused(response, 413)


def test_a_conversion_past_its_time_is_a_422(api, user, make_document, settings):
    data = real_docx(api, make_document, user)
    before = Document.objects.count()
    settings.CONVERSION_SECONDS = 0.001
    response = import_file(api, "slow.docx", data)
    assert_refused(response, 422, documents_before=before)
    assert "seconds" in response.json()["detail"]


def test_a_conversion_past_its_memory_is_a_422(api, settings):
    import docx

    written = docx.Document()
    for n in range(2000):
        written.add_paragraph(" ".join(f"word{n}-{m}" for m in range(100)))
    out = io.BytesIO()
    written.save(out)
    settings.CONVERSION_MEMORY_MB = 16
    response = import_file(api, "huge.docx", out.getvalue())
    assert_refused(response, 422)
    assert "MB" in response.json()["detail"]


def test_an_image_pandoc_names_outside_its_folder_is_never_read(tmp_path):
    from documents.exchange.images import UnpackedImages

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for you")
    media = tmp_path / "media"
    media.mkdir()
    images = UnpackedImages(media)
    page = images.rewrite(
        f'<p><img src="{secret}" alt="kept as text" /><img src="{media}/../secret.png" /></p>',
        lambda attachment_id: f"/a/{attachment_id}",
    )
    assert page == "<p>kept as text</p>"
    assert images.images == {}


def test_too_many_images_are_a_413(api, settings, tmp_path):
    from documents.exchange.images import TooManyImages, UnpackedImages
    from tests.attachment_files import image_bytes

    settings.IMPORT_MAX_IMAGES = 2
    for n in range(3):
        (tmp_path / f"{n}.png").write_bytes(image_bytes())
    page = "".join(f'<img src="{tmp_path}/{n}.png" />' for n in range(3))
    with pytest.raises(TooManyImages):
        UnpackedImages(tmp_path).rewrite(page, str)


def test_the_archive_check_passes_a_real_docx(api, user, make_document):
    check_archive(real_docx(api, make_document, user), DOCX)
    with pytest.raises(ArchiveRefused):
        check_archive(real_docx(api, make_document, user), ODT)


def test_imports_are_throttled_per_user(api, settings):
    settings.IMPORT_RATE = "2/hour"
    assert import_file(api, "a.txt", b"a").status_code == 201
    assert import_file(api, "b.txt", b"b").status_code == 201
    assert import_file(api, "c.txt", b"c").status_code == 429
