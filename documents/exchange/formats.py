"""The file formats documents are exported to and imported from."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FileFormat:
    """A file format: its name in the API, its media type and its file name extension."""

    name: str
    media_type: str
    extension: str


DOCX = FileFormat(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
)
ODT = FileFormat("odt", "application/vnd.oasis.opendocument.text", "odt")
PDF = FileFormat("pdf", "application/pdf", "pdf")
MARKDOWN = FileFormat("md", "text/markdown; charset=utf-8", "md")
HTML = FileFormat("html", "text/html; charset=utf-8", "html")
TEXT = FileFormat("txt", "text/plain; charset=utf-8", "txt")

EXPORT_FORMATS = {f.name: f for f in (DOCX, PDF, ODT, MARKDOWN, HTML, TEXT)}

# Imports are told apart by extension, then checked by content (see imports.py).
IMPORT_EXTENSIONS = {
    "docx": DOCX,
    "odt": ODT,
    "md": MARKDOWN,
    "markdown": MARKDOWN,
    "html": HTML,
    "htm": HTML,
    "txt": TEXT,
}
