"""CSV files that are safe to open in a spreadsheet: every CSV export writes through here.

A spreadsheet program (Excel, LibreOffice Calc, Google Sheets) takes a cell that begins
with ``=``, ``+``, ``-`` or ``@`` for a formula, and a tab or a carriage return in front
can hide one (CSV or formula injection). Titles, texts, reasons and committee names come
from people and from imported files: a title such as ``=HYPERLINK("http://x", "open")``
would become a live link, or worse, on the computer of whoever opens the export.

As OWASP recommends (https://owasp.org/www-community/attacks/CSV_Injection), a text cell
that begins with one of these characters is written with a single quote in front: the
spreadsheet then shows the text as text (and hides the quote). Only text is changed:
numbers, such as a negative number of days, are not text and stay numbers. Text that
already begins with a quote gets one more, so that nothing is lost: a program reading
the file as data removes one leading ``'`` from any cell that has one, and has the text
as typed (the JSON exports carry it unchanged). The ``canonical`` column of the history
files (JSON, beginning with ``{``) is never changed, so every hash still checks from it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTED = (*FORMULA_START, "'")  # and a quote itself, to keep the change reversible


def cell(value: Any) -> Any:
    """``value`` as a spreadsheet may read it: text that could start a formula (or that
    begins with a quote) gets a leading single quote; anything else (numbers, dates,
    None) is left as it is."""
    if isinstance(value, str) and value.startswith(QUOTED):
        return "'" + value
    return value


def original(text: str) -> str:
    """The text as it was before :func:`cell`, for a program reading a CSV export."""
    return text[1:] if text.startswith("'") else text


class Writer:
    """``csv.writer`` with every cell passed through :func:`cell`."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([cell(value) for value in row])


class DictWriter(csv.DictWriter):
    """``csv.DictWriter`` with every cell passed through :func:`cell`."""

    def writerow(self, rowdict: Mapping[str, Any]):
        return super().writerow({key: cell(value) for key, value in rowdict.items()})
