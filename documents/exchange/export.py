"""One document out as a file, in any of EXPORT_FORMATS."""

import re
from html import escape

from documents import content
from documents.content.schema import Node

from . import pandoc
from .checklists import as_marked_lists
from .formats import DOCX, EXPORT_FORMATS, HTML, MARKDOWN, ODT, PDF, TEXT, FileFormat
from .images import embed_images
from .pdf import render_pdf

# A table's first row, when all its cells are headers: pandoc keeps a header row only in <thead>.
_HEADER_ROW = re.compile(r"<table><tbody>(<tr>(?:<th\b(?:(?!<table|</tr>).)*</th>)+</tr>)")
# Characters a file name may not hold on some system, and control characters.
_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def html_page(title: str, body: str) -> str:
    """A standalone HTML page around the document's HTML."""
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def file_name(title: str, file_format: FileFormat) -> str:
    """The title as a file name with the format's extension."""
    stem = _UNSAFE_IN_NAMES.sub(" ", title).strip(" .")[:150] or "Untitled document"
    return f"{stem}.{file_format.extension}"


def export_document(document, doc: Node, file_format: FileFormat) -> bytes:
    """`doc` (the document's content, ProseMirror JSON) as a file of `file_format`."""
    assert file_format in EXPORT_FORMATS.values(), f"not an export format: {file_format}"
    if file_format is MARKDOWN:
        return content.prosemirror_to_markdown(doc).encode()
    if file_format is TEXT:
        return content.prosemirror_to_text(doc).encode()
    if file_format is HTML:
        return html_page(document.title, content.prosemirror_to_html(doc)).encode()
    if file_format is PDF:
        body = embed_images(content.prosemirror_to_html(doc), document)
        return render_pdf(html_page(document.title, body))
    # No <title>: pandoc would make it the first paragraph of the file.
    body = embed_images(content.prosemirror_to_html(as_marked_lists(doc)), document)
    body = _HEADER_ROW.sub(r"<table><thead>\1</thead><tbody>", body)
    target = {DOCX: "docx", ODT: "odt"}[file_format]
    return pandoc.convert(body.encode(), "html", target)
