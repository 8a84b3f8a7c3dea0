"""``followup backup FILE`` and ``followup restore FILE``.

SQLite: the online backup API of Python's sqlite3 (a consistent copy while the
application keeps running). PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``
(the PostgreSQL client tools, e.g. Debian's ``postgresql-client``), which take a
consistent snapshot without stopping the servers. A restore goes into an empty database
only, and verifies the history afterwards.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from workflow import db, history

from .transaction import transaction


def _libpq_url(url: str) -> str:
    # the client tools take a libpq URI: no SQLAlchemy driver name
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise click.ClickException("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise click.ClickException(f"{name} is not installed: install the PostgreSQL client "
                                   "tools (Debian: apt-get install postgresql-client)")
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise click.ClickException(f"{Path(command[0]).name} failed: "
                                   f"{done.stderr.strip() or done.stdout.strip()}")


def backup_database(url: str, target: Path) -> None:
    if target.exists():
        raise click.ClickException(f"{target} exists; a backup never overwrites a file")
    if url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_file(url))
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(target), _libpq_url(url)])


def _is_empty(url: str) -> bool:
    engine = db.make_engine(url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore_database(url: str, source: Path) -> None:
    if not source.is_file():
        raise click.ClickException(f"{source} is not a backup file")
    if not _is_empty(url):
        raise click.ClickException("the target database is not empty; restore into a new, "
                                   "empty database (then point DATABASE_URL at it)")
    if url.startswith("sqlite"):
        if source.read_bytes()[:16] != b"SQLite format 3\x00":
            raise click.ClickException(f"{source} is not a SQLite backup")
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_file(url))
        try:
            with target:
                origin.backup(target)
        finally:
            target.close()
            origin.close()
    else:
        _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", "--dbname", _libpq_url(url), str(source)])


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup(target: Path) -> None:
    """Write a consistent copy of the database to TARGET (the servers keep running)."""
    url = db.database_url()
    backup_database(url, target)
    click.echo(f"backup of {db.shown_url()} written to {target} "
               f"({target.stat().st_size:,} bytes)")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
def restore(source: Path) -> None:
    """Restore a backup into the (empty) database DATABASE_URL names, then verify the
    history. Check it against a kept checkpoint with verify-history --checkpoint."""
    url = db.database_url()
    restore_database(url, source)
    with transaction() as session:
        result = history.verify_history(session)
    click.echo(f"restored {source} into {db.shown_url()}; {result.describe()}")
    if not result.ok:
        raise SystemExit(1)
