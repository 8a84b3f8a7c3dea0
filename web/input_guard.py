"""Refuse, before any view runs, request text the database cannot store.

PostgreSQL refuses a NUL character in text (and in every parameter compared with a text
column), and a lone UTF-16 surrogate (a JSON ``"\\ud800"`` escape) cannot be encoded as
UTF-8. Either would reach the driver deep inside a query and surface as a server error;
here it is a 400 that names the field, the same on SQLite (which would store it) and on
PostgreSQL. The workflow checks its own text fields too (``workflow.checks.check_storable``),
for callers outside the web.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, request
from flask_babel import gettext as _

from workflow.checks import UNSTORABLE

from .errors import render_error


def _json_strings(value, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield where, str(key)
            yield from _json_strings(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{where}[{index}]")


def _texts() -> Iterator[tuple[str, str]]:
    """(where, text) of everything a request carries that may reach a query."""
    yield "path", request.path
    for key, value in request.args.items(multi=True):
        yield key, key
        yield key, value
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        for key, value in request.form.items(multi=True):
            yield key, key
            yield key, value
        for key, upload in request.files.items(multi=True):
            yield key, upload.filename or ""
        if request.is_json:
            body = request.get_json(silent=True)
            yield from _json_strings(body, "")


def _refuse_unstorable():
    for where, text in _texts():
        found = UNSTORABLE.search(text)
        if found:
            code = f"U+{ord(found.group()):04X}"
            return render_error(
                400,
                _("“%(field)s” contains the character %(character)s, which cannot be stored. "
                  "Remove it and try again.", field=where or _("the request body"),
                  character=code),
                "unstorable_text")
    return None


def init_app(app: Flask) -> None:
    app.before_request(_refuse_unstorable)
