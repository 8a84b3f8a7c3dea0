"""The yearly review of pending recommendations: the page, and the document as HTML
or PDF in a chosen language. Reads only."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from workflow import clock
from workflow import errors as werr
from workflow.lifecycle import AUDITOR, SECRETARIAT
from workflow.reports import pending

from ..extensions import db
from ..labels import error_text
from ..security import role_required
from . import bp, render

READERS = (SECRETARIAT, AUDITOR)
FORMATS = ("html", "pdf")


def _year() -> tuple[int | None, str | None]:
    """The year asked for (default: this year, up to now), or the error to show."""
    text = request.args.get("year", "").strip()
    now = clock.utcnow()
    if not text:
        return clock.brussels_date(now).year, None
    try:
        year = int(text)
    except ValueError:
        year = text
    try:
        pending.review_moments(year, now)
    except werr.ValidationError as exc:
        return None, error_text(exc)
    return year, None


@bp.route("/pending")
@role_required(*READERS)
def pending_page():
    year, error = _year()
    locale = str(get_locale())
    if error:
        return render_template("reports/pending.html", error=error,
                               year=request.args.get("year", ""), report=None), 400
    report = pending.build(db.session, year)
    return render_template("reports/pending.html", error=None, year=year,
                           **render.context(db.session, report, locale))


@bp.route("/pending.<fmt>")
@role_required(*READERS)
def pending_download(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    year, error = _year()
    languages = current_app.config["LANGUAGES"]
    locale = request.args.get("lang") or str(get_locale())
    if error or locale not in languages:
        message = error or _("Unknown language %(lang)s: choose one of %(allowed)s.",
                             lang=locale, allowed=", ".join(languages))
        return Response(message + "\n", status=400, mimetype="text/plain")
    html = render.document(db.session, pending.build(db.session, year), locale)
    name = f"pending-{year}-{locale}.{fmt}"
    body, mimetype = (render.pdf(html), "application/pdf") if fmt == "pdf" else (
        html, "text/html")
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
