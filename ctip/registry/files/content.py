"""What a stored file may be: its type told by its content, size and pixel limits, and a clean
copy without the metadata that could betray a victim (camera, GPS, author, software).

Images are decoded and re-encoded with Pillow, which drops EXIF (GPS included), XMP, IPTC
and text chunks; PDFs are rewritten with pypdf without their document information, XMP
metadata, scripts and embedded files; plain text is checked to be UTF-8 text. Anything else
is refused, whatever its name says. Why this way: docs/decisions/0130-file-store.md.
"""

import io
import warnings
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ..choices import FileType

# Pillow format name -> the stored type; formats are re-encoded in the same format.
IMAGE_FORMATS = {"JPEG": FileType.JPEG, "PNG": FileType.PNG, "WEBP": FileType.WEBP}
# Control characters a text file may hold: tab, line feed, form feed, carriage return.
TEXT_CONTROLS = {"\t", "\n", "\f", "\r"}
# PDF catalogue and page entries that carry metadata or run something when opened.
PDF_CATALOG_DROP = ("/Metadata", "/OpenAction", "/AA", "/PieceInfo", "/JavaScript")
# Annotations go too: a link or form field can carry a script or an address to call home.
PDF_PAGE_DROP = ("/Metadata", "/AA", "/PieceInfo", "/Annots")


@dataclass(frozen=True)
class CleanFile:
    """A checked file, ready to be sealed: its type and its cleaned bytes."""

    content_type: str
    data: bytes


def max_bytes() -> int:
    return int(settings.CTIP_FILE_MAX_BYTES)


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def clean_file(data: bytes) -> CleanFile:
    """Check and clean an uploaded file; ValidationError naming the field `file` otherwise."""
    if not data:
        raise _refuse(_("The file is empty."))
    if len(data) > max_bytes():
        raise _refuse(
            _("The file is larger than %(limit)s MB.") % {"limit": max_bytes() // (1024 * 1024)}
        )
    kind = filetype.guess_mime(data[:8192])
    if kind in (FileType.JPEG, FileType.PNG, FileType.WEBP):
        return _clean_image(data)
    if kind == FileType.PDF:
        return _clean_pdf(data)
    if kind is None and _is_text(data):
        return CleanFile(FileType.TEXT, data)
    raise _refuse(
        _(
            "This kind of file is not accepted: send a photo (JPEG, PNG, WebP), a PDF "
            "or a text file."
        )
    )


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not any((ch < " " and ch not in TEXT_CONTROLS) or ch == "\x7f" for ch in text)


def _clean_image(data: bytes) -> CleanFile:
    limit = int(settings.CTIP_FILE_MAX_PIXELS)
    try:
        # A decompression bomb (a small file that unpacks to billions of pixels) is refused
        # from its header, before any pixel is decoded.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_FORMATS:
                raise _refuse(_("The picture is not a JPEG, PNG or WebP image."))
            width, height = image.size
            if width * height > limit:
                raise _refuse(
                    _("The picture is too large: at most %(limit)s million pixels.")
                    % {"limit": limit // 1_000_000}
                )
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise _refuse(_("The picture cannot be read: it is damaged or not a picture.")) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _refuse(
            _("The picture is too large: at most %(limit)s million pixels.")
            % {"limit": limit // 1_000_000}
        ) from error
    file_type = IMAGE_FORMATS[str(image.format)]
    fmt = str(image.format)
    # Turn the picture upright as the camera said, since the orientation tag goes with EXIF.
    upright = ImageOps.exif_transpose(image) or image
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    if fmt == "JPEG":
        mode = "L" if upright.mode == "L" else "RGB"
    else:
        mode = "RGBA" if has_alpha else ("L" if upright.mode == "L" else "RGB")
    pixels = upright.convert(mode)
    # A new image from the pixels alone: nothing of the original's info (EXIF, XMP, ICC,
    # comments, text chunks) can ride along into the saved copy.
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, format="JPEG", quality=90)
    elif fmt == "WEBP":
        clean.save(out, format="WEBP", quality=90)
    else:
        clean.save(out, format="PNG", optimize=True)
    return CleanFile(file_type, out.getvalue())


def _clean_pdf(data: bytes) -> CleanFile:
    # Imported here: pypdf is needed only when a PDF arrives.
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError
    from pypdf.generic import NameObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _refuse(_("The PDF is password-protected; send it without a password."))
        if len(reader.pages) > int(settings.CTIP_FILE_MAX_PAGES):
            raise _refuse(
                _("The PDF has more than %(limit)s pages.")
                % {"limit": settings.CTIP_FILE_MAX_PAGES}
            )
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for key in PDF_PAGE_DROP:
                added.pop(NameObject(key), None)
        root = writer._root_object
        for key in PDF_CATALOG_DROP:
            root.pop(NameObject(key), None)
        # No document information dictionary (author, creator, producer, dates).
        writer._info = None
        out = io.BytesIO()
        writer.write(out)
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
        raise _refuse(_("The PDF cannot be read: it is damaged or not a PDF.")) from e
    return CleanFile(FileType.PDF, out.getvalue())
