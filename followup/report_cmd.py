"""``followup report pending``: the yearly review of pending recommendations as an HTML
or PDF file (by the output file's extension), in Dutch, French or English."""

from __future__ import annotations

from pathlib import Path

import click

from workflow import clock
from workflow.reports import pending

from .transaction import transaction

EXTENSIONS = (".html", ".pdf")


@click.group("report")
def report() -> None:
    """Reports made from the history."""


@report.command("pending")
@click.option("--year", type=int, default=None,
              help="The year under review (default: this year, up to now).")
@click.option("--lang", type=click.Choice(["nl", "fr", "en"]), default="nl",
              show_default=True)
@click.option("--output", "output", type=click.Path(dir_okay=False, writable=True,
                                                    path_type=Path), required=True,
              help="The file to write: .html or .pdf.")
def pending_cmd(year: int | None, lang: str, output: Path) -> None:
    """Write the yearly review: per addressee, every recommendation not yet answered at
    the end of the year (time limit, days overdue, interim replies, reminders), the
    answers received during the year and the answers per year of the request."""
    if output.suffix.lower() not in EXTENSIONS:
        raise click.BadParameter(f"{output.name!r}: name a .html or .pdf file",
                                 param_hint="--output")
    now = clock.utcnow()
    year = year or clock.brussels_date(now).year
    from web import create_app
    from web.reports import render

    app = create_app(serving=False)
    with transaction(commit=False) as session, app.test_request_context("/"):
        report_data = pending.build(session, year, now=now)
        html = render.document(session, report_data, lang)
    data = render.pdf(html) if output.suffix.lower() == ".pdf" else html.encode()
    output.write_bytes(data)
    waiting = sum(len(a.pending) for a in report_data.addressees)
    click.echo(f"review of {year} as of {report_data.as_of:%Y-%m-%d %H:%M}Z: {waiting} answers "
               f"pending from {len(report_data.addressees)} addressees; wrote {output} "
               f"({len(data):,} bytes)")
