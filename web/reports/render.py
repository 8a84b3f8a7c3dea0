"""The yearly review worded in one language: the page's body, a standalone HTML
document (the command line's and the download's) and its PDF (WeasyPrint)."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import Addressee
from workflow.reports.pending import PendingReport

from ..labels import fmt_number
from .chart import answers_chart


def context(session: Session, report: PendingReport, locale: str) -> dict:
    """What the templates need, worded in ``locale`` (call inside force_locale)."""
    addressees = {a.code: a for a in session.scalars(select(Addressee))}
    names = {code: a.name(locale) for code, a in addressees.items()}
    chart = answers_chart(
        report.per_year, names=names, number=fmt_number,
        title=_("Answers per addressee and year of the request"))
    return {"report": report, "names": names, "chart": chart, "locale": locale}


def document(session: Session, report: PendingReport, locale: str) -> str:
    """The review as one self-contained HTML file in ``locale`` (styles included)."""
    with force_locale(locale):
        with current_app.open_resource("static/report.css") as f:
            css = f.read().decode()
        return render_template("reports/pending_document.html", css=css,
                               **context(session, report, locale))


def pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, which only these documents need.
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf()
