"""``followup serve``: migrate, optionally load the demo, and serve the web app
with waitress (a production-grade WSGI server that also runs on Windows)."""

from __future__ import annotations

import click

from workflow.cases import catalogue


@click.command("serve")
@click.option("--demo", is_flag=True, help="Load demo data (into an empty database) and "
              "print the demo logins.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--sweep-every", "sweep_every", type=click.IntRange(1, 1440), default=None,
              envvar="FOLLOWUP_SWEEP_EVERY", metavar="MINUTES",
              help="Also run the sweep (reminders, overdue, e-mail) every MINUTES in this "
                   "process; for a single host without cron. [env FOLLOWUP_SWEEP_EVERY]")
def serve(demo: bool, host: str, port: int, threads: int, sweep_every: int | None) -> None:
    """Run the web application (creates or upgrades the database first)."""
    import logging
    import os
    from datetime import timedelta

    import waitress

    from followup.transaction import transaction
    from workflow import db

    from . import create_app
    from .config import ConfigurationError

    if demo:  # trying it out on this machine: plain HTTP, a generated key
        os.environ.setdefault("FOLLOWUP_ENV", "development")
    try:  # the settings first: a missing secret stops the start before anything is written
        app = create_app()
    except ConfigurationError as exc:
        raise click.ClickException(f"cannot start: {exc.message}") from exc
    try:
        db.upgrade()
        users = []
        with transaction() as session:
            catalogue.sync_addressees(session)
            if demo:
                from workflow.demo import load_demo

                users = load_demo(session)["users"]
    except Exception as exc:
        if not db.is_unavailable(exc):
            raise
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise click.ClickException(
            f"cannot reach the database at {db.shown_url()} ({reason}). Check DATABASE_URL "
            "and that the database server runs, then start again.") from exc
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104
    click.echo(f"Database: {db.database_url()}")
    click.echo(f"Open http://{shown}:{port}/ in your browser (Ctrl+C stops the server).")
    if users:
        click.echo("Demo logins (user name / password / role / organisation):")
        for username, password, role, org in users:
            click.echo(f"  {username:26} {password:20} {role:12} {org}")
    scheduler = None
    if sweep_every:
        from followup import scheduler as sweeping

        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        sweeping.log.addHandler(handler)
        sweeping.log.setLevel(logging.INFO)
        click.echo(f"The sweep runs every {sweep_every} minute(s) in this process.")
        scheduler = sweeping.start(timedelta(minutes=sweep_every))
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="followup")
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=True)
