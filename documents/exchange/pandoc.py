"""DOCX and ODT through pandoc (the pypandoc-binary package brings its executable).

Each conversion runs in a pandoc process of its own, so that a hostile file can cost no more
than CONVERSION_SECONDS and CONVERSION_MEMORY_MB: `--sandbox` keeps pandoc from reading any
file or address besides its input (an image linked from a document is not fetched), and the
Haskell runtime's heap limit (`+RTS -M`) stops a file that unpacks into too much.
"""

import functools
import subprocess
from pathlib import Path

from django.conf import settings


class ConversionFailed(ValueError):
    """pandoc could not convert the file: it is not what its name says, or it is damaged."""

    code = "invalid_file"


class ConversionTooCostly(ConversionFailed):
    """Converting the file took more time or memory than the limits allow."""

    code = "too_complex"


@functools.cache
def pandoc_path() -> str:
    """The pandoc executable: pypandoc-binary's, else one on the PATH."""
    import pypandoc

    return pypandoc.get_pandoc_path()


def convert(
    source: bytes, source_format: str, target_format: str, *, media: Path | None = None
) -> bytes:
    """`source` in `source_format` converted to `target_format` (pandoc's names: "html", "docx",
    "odt"). With `media`, the images of the source are written under that directory and the
    output refers to them by their paths there."""
    command = [
        pandoc_path(),
        "+RTS",
        f"-M{settings.CONVERSION_MEMORY_MB}m",
        "-RTS",
        "--sandbox",
        f"--from={source_format}",
        f"--to={target_format}",
        "--output=-",
    ]
    if media is not None:
        command.append(f"--extract-media={media}")
    try:
        finished = subprocess.run(
            command, input=source, capture_output=True, timeout=settings.CONVERSION_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise ConversionTooCostly(
            f"The file took longer than {settings.CONVERSION_SECONDS:g} seconds to convert."
        ) from None
    if finished.returncode != 0:
        if b"Heap exhausted" in finished.stderr or b"heap overflow" in finished.stderr:
            raise ConversionTooCostly(
                f"The file needs more than {settings.CONVERSION_MEMORY_MB} MB to convert."
            )
        raise ConversionFailed(f"The file cannot be read as {source_format.upper()}.")
    return finished.stdout
