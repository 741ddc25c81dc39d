"""Images between documents and files.

Out: a document's HTML names its images by their attachment paths, which neither pandoc
(sandboxed) nor WeasyPrint (allowed only data: URLs) may fetch; they are embedded as data: URLs.
In: the images pandoc unpacked from a DOCX or ODT are cleaned like uploads and become
attachments of the new document.

Both rewrite `<img>` tags in HTML that this project or pandoc wrote, whose attributes are
always double-quoted with their quotes escaped: a pattern reads them exactly.
"""

import base64
import html
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from documents.attachments.images import CleanImage, ImageRefused, clean_image
from documents.attachments.references import attachment_id

_IMG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')
_LENGTH = re.compile(r"width:\s*([0-9.]+)(px|in|cm|mm|pt)")
PIXELS_PER = {"px": 1.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "pt": 96 / 72}
# Embedded images of one export, together, at most; past it an image is left out, its alt
# text kept. Base64 grows each by a third, and the converter holds them all at once.
MAX_EMBEDDED_BYTES = 64 * 1024 * 1024


def _attributes(tag: str) -> dict[str, str]:
    return {name.lower(): value for name, value in _ATTRIBUTE.findall(tag)}


def _tag(attributes: dict[str, str]) -> str:
    return "<img" + "".join(f' {name}="{value}"' for name, value in attributes.items()) + ">"


def _alt_text(attributes: dict[str, str]) -> str:
    return attributes.get("alt", "")


def embed_images(source: str, document) -> str:
    """`source` (the document's HTML) with its own attachments' images as data: URLs; any other
    image gives way to its alt text."""
    tags = [_attributes(tag) for tag in _IMG.findall(source)]
    ids = {attachment_id(html.unescape(tag.get("src", ""))) for tag in tags} - {None}
    attachments = {a.id: a for a in document.attachments.filter(id__in=ids)}
    budget = MAX_EMBEDDED_BYTES

    def embedded(match: re.Match) -> str:
        nonlocal budget
        attributes = _attributes(match.group())
        attachment = attachments.get(attachment_id(html.unescape(attributes.get("src", ""))))
        if attachment is None or attachment.size > budget:
            return _alt_text(attributes)
        try:
            with attachment.file.open("rb") as file:
                data = file.read(settings.ATTACHMENT_MAX_BYTES + 1)
        except FileNotFoundError:
            return _alt_text(attributes)
        budget -= len(data)
        encoded = base64.b64encode(data).decode("ascii")
        attributes["src"] = f"data:{attachment.content_type};base64,{encoded}"
        return _tag(attributes)

    return _IMG.sub(embedded, source)


@dataclass
class UnpackedImages:
    """The images of an imported file, each cleaned and given the id of its attachment-to-be.

    `rewrite` points the file's HTML at them; `store` then keeps them for the new document.
    """

    media: Path
    images: dict[uuid.UUID, CleanImage] = field(default_factory=dict)
    by_path: dict[Path, uuid.UUID] = field(default_factory=dict)

    def rewrite(self, source: str, url_of: Callable[[uuid.UUID], str]) -> str:
        """`source` (pandoc's HTML) with each image unpacked under `media` pointed at the URL
        `url_of(attachment_id)` gives; any other image gives way to its alt text."""
        return _IMG.sub(lambda match: self._rewritten(match.group(), url_of), source)

    def _rewritten(self, tag: str, url_of: Callable[[uuid.UUID], str]) -> str:
        attributes = _attributes(tag)
        attachment_id = self._attachment_for(html.unescape(attributes.get("src", "")))
        if attachment_id is None:
            return _alt_text(attributes)
        shown = {"src": url_of(attachment_id)}
        shown |= {key: attributes[key] for key in ("alt", "title") if attributes.get(key)}
        if width := _pixels(attributes.get("style", "")):
            shown["width"] = str(width)
        return _tag(shown)

    def _attachment_for(self, src: str) -> uuid.UUID | None:
        path = Path(src).resolve()
        if path in self.by_path:
            return self.by_path[path]
        if not path.is_relative_to(self.media.resolve()) or not path.is_file():
            return None  # pandoc wrote a link the file holds, not an image it unpacked
        if len(self.images) >= settings.IMPORT_MAX_IMAGES:
            raise TooManyImages(
                f"The file holds more than the limit of {settings.IMPORT_MAX_IMAGES} images."
            )
        if path.stat().st_size > settings.ATTACHMENT_MAX_BYTES:
            return None
        try:
            with path.open("rb") as file:
                image = clean_image(file, settings.ATTACHMENT_MAX_PIXELS)
        except ImageRefused:
            return None  # a type we do not keep (EMF, TIFF, SVG...): its alt text stays
        attachment_id = uuid.uuid4()
        self.images[attachment_id] = image
        self.by_path[path] = attachment_id
        return attachment_id


class TooManyImages(ValueError):
    """An imported file with more images than IMPORT_MAX_IMAGES."""

    code = "too_large"


def _pixels(style: str) -> int | None:
    match = _LENGTH.search(style)
    if not match:
        return None
    return round(float(match.group(1)) * PIXELS_PER[match.group(2)]) or None
