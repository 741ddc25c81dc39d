"""Multipart uploads with a size limit that holds while the body is read, not after.

Django's own handlers keep up to FILE_UPLOAD_MAX_MEMORY_SIZE of a file in memory and spool the
rest to a temporary file: memory stays bounded, but a file of any size would still be read to
the end and land on disk. The limit here refuses a body that announces a length past it before
reading any of it, and one that does not (chunked) as soon as its file passes the limit.
"""

from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    TemporaryFileUploadHandler,
)
from django.http import HttpRequest

from documents.api.errors import PayloadTooLarge

# Room in a body for the multipart boundaries and headers around the file.
MULTIPART_OVERHEAD = 64 * 1024


class LimitedUploadHandler(FileUploadHandler):
    """Refuses with a 413 an upload whose body or file is larger than `limit` bytes; first in
    the chain, it passes every chunk on to the handlers that keep the file."""

    def __init__(self, request=None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + MULTIPART_OVERHEAD:
            raise self.too_large()
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise self.too_large()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"The file is larger than the limit of {self.limit:,} bytes.", code="too_large"
        )


def limit_uploads(request: HttpRequest, limit: int) -> None:
    """Give the request's multipart parsing a limit of `limit` bytes a file; before anything
    reads the body (DRF's CSRF check reads a cookie-authenticated POST's form to find its
    token, before the view's own parser would)."""
    request.upload_handlers = [
        LimitedUploadHandler(request, limit=limit),
        MemoryFileUploadHandler(request),
        TemporaryFileUploadHandler(request),
    ]
