"""What an attachment must be: a real PDF of at most 10 MiB with a plain ``.pdf`` name.

Decided by the content, never by what the sender claims: the file must start with a PDF
header, must not also be a ZIP archive (a PDF/ZIP polyglot carries a second file that
other programs would open), and must be readable as a PDF with at least one page (pypdf
parses the cross-reference table and page tree; it does not decompress page contents, so
a compression bomb inside a PDF costs nothing here). A name with a folder part is
refused, so no path from the sender ever reaches a file system or a download header.
"""

from __future__ import annotations

import io
import logging
import zipfile

from workflow import errors
from workflow.checks import clean_text

PDF = "application/pdf"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_NAME = 255


def _refused(rule: str, message: str, name: str, **params) -> errors.ValidationError:
    return errors.ValidationError(message, field="attachment", rule=rule,
                                  params={"name": name, **params})


def clean_filename(filename: str | None) -> str:
    """A plain file name ending in .pdf, checked like any text; a name with a folder part
    (either slash) is refused rather than cut, so that what is stored is what was sent."""
    name = clean_text(filename, "filename", required=True, limit=MAX_NAME)
    if "/" in name or "\\" in name:
        raise _refused("pdf_name", f"{name} names a folder; give only the file's own name, "
                       "ending in .pdf", name)
    if name in (".", "..") or not name.lower().endswith(".pdf") or name.startswith("."):
        raise _refused("pdf_name", f"{name} does not have a plain PDF name; give the file a "
                       "name ending in .pdf", name)
    return name


def check_pdf(filename: str | None, content: bytes) -> tuple[str, str]:
    """(clean file name, content type) of an acceptable attachment, or a refusal that
    names the file and the reason."""
    name = clean_filename(filename)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise _refused("attachment_size", f"{name} is {len(content) // 1024} KiB; the limit is "
                       f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB", name,
                       size=len(content), limit=MAX_ATTACHMENT_BYTES)
    not_pdf = _refused("pdf_only", f"{name} is not a PDF file; attach answers as PDF", name)
    if not content.startswith(b"%PDF-"):
        raise not_pdf
    if zipfile.is_zipfile(io.BytesIO(content)):
        raise not_pdf
    if _pages(content) < 1:
        raise _refused("pdf_unreadable", f"{name} cannot be read as a PDF (it may be "
                       "damaged or only pretend to be one); save it again as PDF and "
                       "attach it", name)
    return name, PDF


def _pages(content: bytes) -> int:
    from pypdf import PdfReader

    # pypdf reports repairs of slightly damaged files through logging; they are not errors
    quiet = logging.getLogger("pypdf")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return 1  # readable with its password; the page tree is encrypted too
        return len(reader.pages)
    except Exception:  # any parse failure of untrusted bytes means "not a readable PDF"
        return 0
    finally:
        quiet.setLevel(level)
