"""Checking and cleaning an uploaded image: its type by its content, never by its name, and a
re-encoding that keeps the pixels and drops everything else (EXIF with its GPS position, XMP,
comments, text chunks).

Animated GIFs, PNGs and WebPs stay animated: every frame is re-encoded, with its duration and
the loop count. JPEGs are turned upright by their EXIF orientation before it is dropped. The
ICC colour profile is kept (without it wide-gamut photos change colour); it is the only part
of the original besides the pixels that survives.
"""

import io
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageFile, ImageOps, ImageSequence, UnidentifiedImageError

# Pillow's name of each accepted format, and the type the file is served with.
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
# Frames of an animation re-encoded at most: each costs a Python-level pass, however small.
MAX_FRAMES = 1000

# A truncated file is refused, never completed with grey.
ImageFile.LOAD_TRUNCATED_IMAGES = False


class ImageRefused(ValueError):
    """The upload cannot become an attachment; the message says why, `code` names the rule."""

    code = "invalid_image"


class UnsupportedImage(ImageRefused):
    """Not an image, or an image of a type that is not accepted (SVG, BMP, TIFF, ...)."""

    code = "unsupported_type"


class BrokenImage(ImageRefused):
    """An accepted type whose data cannot be decoded (truncated, corrupt)."""

    code = "invalid_image"


class ImageTooLarge(ImageRefused):
    """More pixels or frames than the limits allow: decoding it would take too much memory."""

    code = "too_many_pixels"


@dataclass(frozen=True)
class CleanImage:
    """An image re-encoded from its pixels alone."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def clean_image(file: IO[bytes], max_pixels: int) -> CleanImage:
    """Decode `file` as a PNG, JPEG, GIF or WebP image and re-encode it without metadata.

    Raises UnsupportedImage for anything else, BrokenImage when the data does not decode, and
    ImageTooLarge past `max_pixels` (all frames together) or MAX_FRAMES, checked from the
    header before any pixel is decoded.
    """
    head = file.read(512)
    file.seek(0)
    if _looks_like_svg(head):
        raise UnsupportedImage("SVG images are not accepted: they can carry scripts.")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns below twice its limit; ours, below, decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(file, formats=list(CONTENT_TYPES))
    except UnidentifiedImageError:
        raise UnsupportedImage(
            "The file is not an image of an accepted type: PNG, JPEG, GIF or WebP."
        ) from None
    except Image.DecompressionBombError:
        raise ImageTooLarge(_too_many_pixels(max_pixels)) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise BrokenImage(f"The image cannot be read: {error}.") from None
    with image:
        format = image.format
        frames = getattr(image, "n_frames", 1)
        if frames > MAX_FRAMES:
            raise ImageTooLarge(f"The animation has more than {MAX_FRAMES} frames.")
        if image.width * image.height * frames > max_pixels:
            raise ImageTooLarge(_too_many_pixels(max_pixels))
        try:
            data, (width, height) = _reencode(image, format, frames)
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise BrokenImage(f"The image cannot be decoded: {error}.") from None
        return CleanImage(
            data=data,
            content_type=CONTENT_TYPES[format],
            extension=EXTENSIONS[format],
            width=width,
            height=height,
        )


def _too_many_pixels(max_pixels: int) -> str:
    return f"The image has more than {max_pixels:,} pixels (all frames together)."


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in text


def _reencode(image: Image.Image, format: str, frames: int) -> tuple[bytes, tuple[int, int]]:
    """The image's new file, and its size (a JPEG's turned by its orientation)."""
    icc_profile = image.info.get("icc_profile")
    out = io.BytesIO()
    options: dict = {"icc_profile": icc_profile} if icc_profile else {}
    if format == "GIF":
        # Without it the writer copies the first frame's comment into the new file.
        options["comment"] = b""
    if frames > 1:
        pictures, durations = [], []
        for frame in ImageSequence.Iterator(image):
            durations.append(frame.info.get("duration", 100))
            pictures.append(_pixels_only(frame))
        first, *rest = pictures
        first.save(
            out,
            format,
            save_all=True,
            append_images=rest,
            duration=durations,
            loop=image.info.get("loop", 0),
            **options,
        )
        return out.getvalue(), first.size
    # One image in memory, changed in place: at the pixel limit it holds some 200 MB.
    image.load()
    if format == "JPEG":
        # Upright by its orientation tag, which goes with the rest of the EXIF data.
        ImageOps.exif_transpose(image, in_place=True)
    if format in ("JPEG", "WEBP"):
        options["quality"] = 90
    _keep_only_transparency(image)
    image.save(out, format, **options)
    return out.getvalue(), image.size


def _pixels_only(frame: Image.Image) -> Image.Image:
    """A copy of the frame's pixels (and palette), with none of the file's metadata but the
    transparency that the pixels need."""
    frame.load()
    picture = frame.copy()
    picture.info = dict(frame.info)
    _keep_only_transparency(picture)
    return picture


def _keep_only_transparency(image: Image.Image) -> None:
    """Drop the metadata Pillow read from the file (which its writers would copy), all but the
    transparency that the pixels need."""
    transparency = image.info.get("transparency")
    image.info = {} if transparency is None else {"transparency": transparency}
