"""``followup sweep``: record the notices that fell due, queue their notifications, then
send the e-mail outbox. Meant for cron every few minutes, on one host or several."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import click

from workflow import clock
from workflow.reminders import sweep as sweeping

from .transaction import transactions


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a moment such as 2026-12-03T08:00:00Z",
                                 param_hint="--at") from None
    if moment.tzinfo is None:
        raise click.BadParameter("give the time zone too, e.g. 2026-12-03T08:00:00+01:00",
                                 param_hint="--at")
    if moment > clock.utcnow():
        raise click.BadParameter("cannot sweep ahead of the clock (that would send reminders "
                                 "early)", param_hint="--at")
    return moment.astimezone(UTC)


@click.command("sweep")
@click.option("--no-send", is_flag=True, help="Record and queue, but send no e-mail.")
@click.option("--batch", default=sweeping.BATCH, show_default=True,
              type=click.IntRange(1, 5000), help="Entries per transaction.")
@click.option("--at", "at", metavar="MOMENT",
              help="Sweep as of this past moment (ISO 8601 with a zone) instead of now.")
def sweep_cmd(no_send: bool, batch: int, at: str | None) -> None:
    """Record reminders, "overdue" and "very overdue" once each, queue the notifications
    they imply, then deliver the e-mail outbox. Safe to run on several hosts at once."""
    now = _moment(at) or clock.utcnow()
    last_print = [time.monotonic()]

    def progress(summary: sweeping.SweepSummary) -> None:
        if time.monotonic() - last_print[0] >= 5:
            click.echo(f"... {summary.examined} entries examined, {summary.events} events",
                       err=True)
            last_print[0] = time.monotonic()

    warnings, line = run(now=now, batch=batch, send=not no_send, progress=progress)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(line)


def run(*, now: datetime | None = None, batch: int = sweeping.BATCH, send: bool = True,
        progress=None) -> tuple[list[str], str]:
    """One sweep, as the command does it (record, queue, then deliver unless ``send`` is
    false), each batch its own transaction; returns the warnings and the summary line.
    The in-process scheduler of ``followup serve --sweep-every`` calls this too."""
    now = now or clock.utcnow()
    with transactions() as (session, commit):
        summary = sweeping.sweep(session, now=now, batch=batch, commit=commit,
                                 progress=progress)
        line = (f"sweep at {now:%Y-%m-%d %H:%M:%S}Z: {summary.examined} entries examined, "
                f"{summary.events} events recorded, {summary.messages} notifications queued")
        if send:
            line += "; " + _deliver(session, commit, now)
    return summary.warnings, line


def _deliver(session, commit, now) -> str:
    from web import create_app
    from web.mail.deliver import deliver

    app = create_app(serving=False)
    with app.test_request_context("/"):
        delivered = deliver(session, app.config["FOLLOWUP_MAIL"], commit=commit, now=now)
    if delivered.stopped:
        sweeping.note_delivery_problem(session, delivered.stopped)
        commit()
    return delivered.line()
