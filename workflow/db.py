"""Engines, sessions and migrations, without Flask.

The database is chosen by ``DATABASE_URL``; by default a SQLite file in the
``instance/`` folder of the working directory. ``postgresql://`` URLs use psycopg 3.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def instance_path() -> Path:
    return Path(os.environ.get("FOLLOWUP_INSTANCE", Path.cwd() / "instance"))


def database_url(url: str | None = None) -> str:
    url = url or os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path() / 'followup.db'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _sqlite_pragmas(dbapi_connection, _record):
    """Set at every new connection: foreign keys, a busy timeout (wait for a rival writer
    instead of failing at once), the write-ahead log (readers never block the writer) and
    ``synchronous=NORMAL`` (in WAL mode a commit stays atomic and consistent; only the last
    transactions before a power cut can be lost). An in-memory database cannot use WAL:
    SQLite keeps its "memory" journal there, which is left as it is."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA database_list")
    files = [row[2] for row in cursor.fetchall() if row[1] == "main"]
    if files and files[0]:  # a file database (in-memory and temporary ones have no file)
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class StatementCounter:
    """The SQL statements an engine ran inside :func:`count_statements`."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __len__(self) -> int:
        return len(self.statements)

    def updates(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith("UPDATE")]


@contextmanager
def count_statements(engine: Engine) -> Iterator[StatementCounter]:
    """Count the statements sent to the database (``executemany`` counts once), e.g.
    ``with count_statements(engine) as counted: ...; counted.count``."""
    counter = StatementCounter()

    def seen(_conn, _cursor, statement, _parameters, _context, _executemany):
        counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def engine_options(url: str) -> dict:
    return {"pool_pre_ping": True} if url.startswith("postgresql") else {}


def configure_engine(engine: Engine) -> Engine:
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _ensure_sqlite_folder(url: str) -> str:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


def make_engine(url: str | None = None) -> Engine:
    url = _ensure_sqlite_folder(database_url(url))
    return configure_engine(create_engine(url, **engine_options(url)))


def make_session(engine: Engine) -> Session:
    return sessionmaker(bind=engine, expire_on_commit=False)()


# SQLSTATEs of a transaction that lost a race on PostgreSQL: serialization failure and
# deadlock. Retrying the whole request or command is the remedy.
LOST_RACE_SQLSTATES = frozenset({"40001", "40P01"})


def is_conflict(exc: BaseException) -> bool:
    """Whether a failed flush or commit means "someone else changed it meanwhile" (an
    optimistic-lock version mismatch, a constraint another writer got to first, a
    serialization failure or deadlock, SQLite's database-locked) rather than a bug.
    The owners of the transactions (web requests, CLI commands) turn it into a conflict."""
    if isinstance(exc, (StaleDataError, IntegrityError)):
        return True
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        return (getattr(orig, "sqlstate", None) in LOST_RACE_SQLSTATES
                or getattr(orig, "sqlite_errorname", None) in ("SQLITE_BUSY", "SQLITE_LOCKED"))
    return False


# SQLSTATE classes and codes of "the server is not there": connection exceptions (08),
# shutting down or starting up (57P01-57P03), too many connections (53300).
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def is_unavailable(exc: BaseException) -> bool:
    """Whether the database cannot be reached (down, restarting, connection cut, pool
    exhausted), as opposed to a refused statement: the remedy is to wait and retry."""
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError) and not is_conflict(exc):
        sqlstate = getattr(exc.orig, "sqlstate", None)
        return sqlstate is None or sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES
    return False


def shown_url(url: str | None = None) -> str:
    """The database URL with its password masked, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(database_url(url)).render_as_string(hide_password=True)


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` (creates the schema on an empty database)."""
    _ensure_sqlite_folder(database_url(url))
    command.upgrade(alembic_config(url), revision)


def begin_for_savepoints(session: Session) -> None:
    """Make sure the session's transaction is open in the database before savepoints
    are used: SQLite's driver opens it only at the first write, and a savepoint
    released outside a transaction would commit."""
    conn = session.connection()
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN")
