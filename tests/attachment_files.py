"""Attachments in tests: a storage of their own in a temporary folder, and images to upload."""

import io

import pytest
from django.core.files.storage import FileSystemStorage
from PIL import Image

from documents.models import Attachment


@pytest.fixture
def attachment_storage(tmp_path, monkeypatch) -> FileSystemStorage:
    """Attachment files go to a temporary folder for the test (the field holds its storage
    from import on, so it is swapped on the field)."""
    storage = FileSystemStorage(location=tmp_path / "attachments")
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    return storage


def image_bytes(format: str = "PNG", size: tuple[int, int] = (12, 8), **options) -> bytes:
    """An image of `size` in `format`, saved with Pillow's `options` (exif=..., comment=...)."""
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    image.save(out, format, **options)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    """A file for the test client's multipart body."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)
