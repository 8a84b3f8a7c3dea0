"""Shared fixtures: a fresh, migrated database for every test.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL names
one (``.ci/run`` does both). Tests that need PostgreSQL whatever the main
database use ``pg_url``; without a server they are skipped, except under
CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from workflow import clock, db
from workflow.actors import Actor
from workflow.cases import catalogue
from workflow.deadlines import policy

pytest_plugins = ["tests.steps.given", "tests.steps.when", "tests.steps.then"]

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _main_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres", "postgresql")) else None


def _pg_candidate() -> str:
    return _main_url() or os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG)


class _Databases:
    """Makes a fresh migrated database per test: SQLite by copying a migrated
    template file, PostgreSQL by migrating once and truncating per test."""

    def __init__(self, tmp_factory):
        self.tmp_factory = tmp_factory
        self.sqlite_template = None
        self.pg_ready: dict[str, bool] = {}
        self.pg_snapshots: dict[tuple[str, str], tuple[dict[str, bytes], dict[str, int]]] = {}

    def sqlite(self, tmp_path) -> str:
        if self.sqlite_template is None:
            path = self.tmp_factory.mktemp("template") / "template.db"
            db.upgrade(f"sqlite:///{path}")
            self.sqlite_template = path
        target = tmp_path / "test.db"
        shutil.copy(self.sqlite_template, target)
        return f"sqlite:///{target}"

    def postgres(self, url: str) -> str:
        full = db.database_url(url)
        if full not in self.pg_ready:
            self.pg_ready[full] = _pg_reachable(full)
            if self.pg_ready[full]:
                engine = create_engine(full)
                with engine.begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE"))
                    conn.execute(text("CREATE SCHEMA public"))
                engine.dispose()
                db.upgrade(full)
        if not self.pg_ready[full]:
            message = f"PostgreSQL not reachable at {url}"
            if IN_CI:
                pytest.fail(f"{message} (CI=true: PostgreSQL tests must run)")
            pytest.skip(message)
        _truncate(full)
        return full

    def postgres_with(self, url: str, name: str, load: Callable[[str], object]) -> str:
        """An emptied PostgreSQL database holding what ``load(url)`` writes: loaded once
        per run, then copied back after each emptying (as the SQLite tests copy a file),
        so that a test does not pay for loading the demo (hundreds of operations and the
        password hashes) again."""
        full = self.postgres(url)
        if (full, name) in self.pg_snapshots:
            _restore(full, self.pg_snapshots[(full, name)])
        else:
            load(full)
            self.pg_snapshots[(full, name)] = _snapshot(full)
        return full


def _tables(conn) -> list[str]:
    """The tables of the migrated schema (not Alembic's own)."""
    return conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        " AND tablename <> 'alembic_version'")).scalars().all()


def _snapshot(url: str) -> tuple[dict[str, bytes], dict[str, int]]:
    """Every table's rows (binary COPY) and every sequence's position."""
    engine = create_engine(url)
    rows = {}
    with engine.connect() as conn:
        tables = _tables(conn)
        cursor = conn.connection.dbapi_connection.cursor()
        for name in tables:
            with cursor.copy(f'COPY "{name}" TO STDOUT (FORMAT BINARY)') as copy:
                data = b"".join(bytes(block) for block in copy)
            if len(data) > 21:  # more than the format's header and trailer: has rows
                rows[name] = data
        sequences = dict(conn.execute(text(
            "SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences"
            " WHERE schemaname = 'public' AND last_value IS NOT NULL")).all())
    engine.dispose()
    return rows, sequences


def _restore(url: str, snapshot: tuple[dict[str, bytes], dict[str, int]]) -> None:
    rows, sequences = snapshot
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # as _truncate
        cursor = conn.connection.dbapi_connection.cursor()
        for name, data in rows.items():
            with cursor.copy(f'COPY "{name}" FROM STDIN (FORMAT BINARY)') as copy:
                copy.write(data)
        for sequence, value in sequences.items():
            conn.execute(text("SELECT setval(CAST(:s AS regclass), :v, true)"),
                         {"s": sequence, "v": value})
    engine.dispose()


def _pg_reachable(url: str) -> bool:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


_emptied = 0


def _truncate(url: str) -> None:
    """Empties every table of the migrated schema and restarts its sequences.

    DELETE, not TRUNCATE: the tables of a test hold a few rows, and TRUNCATE
    makes new files for all of them and their indexes (about ten times slower,
    half a second per test). Every 100th time VACUUM clears the dead rows, as
    autovacuum would (servers for tests often run without it).
    """
    global _emptied
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = _tables(conn)
        # replica mode skips the triggers: the event table's append-only guard and
        # the foreign keys' checks (every table is emptied, so none is left dangling)
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.exec_driver_sql("; ".join(f'DELETE FROM "{name}"' for name in tables))
        conn.execute(
            text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass,"
                " start_value, false) FROM pg_sequences WHERE schemaname = 'public'"
            )
        )
    _emptied += 1
    if _emptied % 100 == 0:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM"))
    engine.dispose()


@pytest.fixture(autouse=True)
def fresh_policy():
    """Each test starts with the policy unconfigured, as a process does."""
    policy.reset()
    yield
    policy.reset()


@pytest.fixture(scope="session")
def databases(tmp_path_factory) -> _Databases:
    return _Databases(tmp_path_factory)


@pytest.fixture
def db_url(databases, tmp_path) -> str:
    """A fresh, migrated, empty database on the suite's main backend."""
    main = _main_url()
    return databases.postgres(main) if main else databases.sqlite(tmp_path)


@pytest.fixture
def pg_url(databases) -> str:
    """A fresh, migrated, empty PostgreSQL database (whatever the main backend)."""
    return databases.postgres(_pg_candidate())


@pytest.fixture
def engine(db_url):
    eng = db.make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine):
    """A session on a database with the addressee catalogue loaded and committed."""
    s = db.make_session(engine)
    catalogue.sync_addressees(s)
    s.commit()
    yield s
    s.rollback()
    s.close()


NOW = datetime(2024, 5, 2, 10, 0, tzinfo=UTC)  # a Thursday


@pytest.fixture
def frozen_now():
    with clock.frozen(NOW) as now:
        yield now


@pytest.fixture
def secretariat() -> Actor:
    return Actor("anna", "secretariat", "BNL-PARL")


@pytest.fixture
def ministry_nl() -> Actor:
    return Actor("jan", "ministry", "NL")


@pytest.fixture
def ministry_be() -> Actor:
    return Actor("claire", "ministry", "BE-FED")


@pytest.fixture
def auditor() -> Actor:
    return Actor("iob", "auditor", "NL-IOB")
