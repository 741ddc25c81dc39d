"""The check a DOCX or ODT file (a zip archive) passes before anything unpacks it.

A zip bomb is a small file that unpacks into gigabytes. The archive's directory says how large
each member unpacks; a member that lies about it is cut off at what it said by Python's zipfile
and stopped by pandoc's heap limit (see pandoc.py), so the declared sizes bound the work.
"""

import io
import zipfile

from django.conf import settings

from .formats import DOCX, ODT, FileFormat

MAX_MEMBERS = 10_000
# Deflate packs text 5 to 20 times, rarely 100; a member large enough to matter that claims
# more than this is a bomb, not a document.
MAX_RATIO = 200
RATIO_CHECKED_FROM = 1024 * 1024
# What each format's archive must hold, and an ODT's `mimetype` member.
REQUIRED_MEMBERS = {DOCX: "word/document.xml", ODT: "content.xml"}
ODT_MIMETYPE = ODT.media_type.encode()


class ArchiveRefused(ValueError):
    """Not an archive of the format its name says, or a damaged one."""

    code = "invalid_file"


class ArchiveTooLarge(ValueError):
    """An archive that unpacks into more than the limits allow."""

    code = "too_large"


def check_archive(data: bytes, file_format: FileFormat) -> None:
    """Raise ArchiveRefused unless `data` is a zip archive of `file_format` (DOCX or ODT), and
    ArchiveTooLarge if it unpacks past IMPORT_MAX_UNPACKED_BYTES or packs too tightly."""
    name = file_format.name.upper()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise ArchiveRefused(f"This is not a {name} file.") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ArchiveTooLarge(f"The {name} file holds more than {MAX_MEMBERS:,} parts.")
        unpacked = sum(member.file_size for member in members)
        if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
            raise ArchiveTooLarge(
                f"The {name} file unpacks into more than the limit of "
                f"{settings.IMPORT_MAX_UNPACKED_BYTES:,} bytes."
            )
        for member in members:
            if member.file_size >= RATIO_CHECKED_FROM and (
                member.file_size > MAX_RATIO * max(member.compress_size, 1)
            ):
                raise ArchiveTooLarge(
                    f"The {name} file is compressed too tightly to be a document."
                )
        names = {member.filename for member in members}
        if REQUIRED_MEMBERS[file_format] not in names:
            raise ArchiveRefused(f"This is not a {name} file.")
        if file_format is ODT and _member(archive, "mimetype", len(ODT_MIMETYPE)) != ODT_MIMETYPE:
            raise ArchiveRefused(f"This is not an {name} text document.")


def _member(archive: zipfile.ZipFile, name: str, size: int) -> bytes | None:
    """A small member's bytes (no more than `size` of them), or None if it is missing."""
    try:
        with archive.open(name) as member:
            return member.read(size + 1)
    except (KeyError, zipfile.BadZipFile, ValueError, NotImplementedError, RuntimeError):
        return None  # missing, damaged, encrypted or packed in a way zipfile cannot read
