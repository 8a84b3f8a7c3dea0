"""Real (tiny) PDF files for the tests: attachments are checked by parsing them."""

from __future__ import annotations

import io
from functools import cache

from pypdf import PdfWriter


@cache
def pdf(title: str = "answer") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
