"""One file in as a new document: DOCX and ODT through pandoc into HTML, Markdown, HTML and text
read as the content API reads them; then the document, its images and its content are stored.

Everything that can refuse the file runs before anything is stored: the archive check, the
conversion, the images' cleaning and the content limits.
"""

import re
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from pycrdt import XmlFragment

from documents import content, live
from documents.attachments.files import store_image
from documents.attachments.images import CleanImage
from documents.attachments.references import attachment_path
from documents.content.schema import Node

from . import pandoc
from .archives import check_archive
from .checklists import CHECKED, UNCHECKED, from_marked_lists
from .formats import DOCX, HTML, IMPORT_EXTENSIONS, MARKDOWN, ODT, TEXT, FileFormat
from .images import UnpackedImages

_CONTENT_FORMATS = {MARKDOWN: "markdown", HTML: "html", TEXT: "text"}
# pandoc writes a task list's boxes as checkbox inputs, which HTML input drops: as ballot boxes,
# checklists.from_marked_lists finds them.
_CHECKBOX = re.compile(r'<input type="checkbox"( checked="")? />')


class UnsupportedFile(ValueError):
    """A file of a kind that cannot be imported, told by its name."""

    code = "unsupported_type"


class UnreadableFile(ValueError):
    """A text file (Markdown, HTML, text) that is not UTF-8."""

    code = "invalid_file"


@dataclass
class ImportedFile:
    """A file read for import: its content in the editor's schema, and its images, which the
    content refers to by the attachment URLs they will have under `document_id`."""

    document_id: uuid.UUID
    doc: Node
    images: dict[uuid.UUID, CleanImage] = field(default_factory=dict)


def import_format(filename: str) -> FileFormat:
    """The format of a file to import, from its name; UnsupportedFile if none."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in IMPORT_EXTENSIONS:
        names = ", ".join(f".{name}" for name in IMPORT_EXTENSIONS)
        raise UnsupportedFile(f"Import takes {names} files.")
    return IMPORT_EXTENSIONS[extension]


def title_from(filename: str) -> str:
    """A title from a file's name: its stem, with dashes and underscores as spaces."""
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    return " ".join(stem.replace("_", " ").replace("-", " ").split())[:200] or "Imported document"


def read_file(data: bytes, file_format: FileFormat) -> ImportedFile:
    """The file's content as ProseMirror JSON. Raises what the checks raise: ArchiveRefused,
    ArchiveTooLarge, ConversionFailed, TooManyImages, UnreadableFile, ContentTooLarge,
    ContentTooDeep."""
    document_id = uuid.uuid4()
    if file_format in _CONTENT_FORMATS:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UnreadableFile(f"A .{file_format.extension} file must be UTF-8 text.") from None
        return ImportedFile(document_id, content.parse(_CONTENT_FORMATS[file_format], text))
    assert file_format in (DOCX, ODT), f"not an import format: {file_format}"
    check_archive(data, file_format)
    with tempfile.TemporaryDirectory(prefix="import-") as work:
        media = Path(work)
        converted = pandoc.convert(data, file_format.name, "html", media=media)
        images = UnpackedImages(media)
        page = images.rewrite(
            converted.decode("utf-8", "replace"),
            lambda attachment_id: attachment_path(document_id, attachment_id),
        )
    page = _CHECKBOX.sub(lambda box: f"{CHECKED if box.group(1) else UNCHECKED} ", page)
    doc = from_marked_lists(content.parse("html", page))
    return ImportedFile(document_id, doc, images.images)


def create_document(user, title: str, imported: ImportedFile):
    """Store the imported file as a new document of `user`'s, with its images and content."""
    from documents.models import Document

    with transaction.atomic():
        document = Document.objects.create(id=imported.document_id, owner=user, title=title)
        for attachment_id, image in imported.images.items():
            store_image(document, user, image, attachment_id)
    try:
        live.change_document(
            document.id,
            lambda doc: content.replace_content(doc.get("default", type=XmlFragment), imported.doc),
        )
    except BaseException:
        document.delete()  # no empty document left behind
        raise
    return document
