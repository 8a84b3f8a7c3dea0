"""The deployment with two PostgreSQL roles: the owner migrates, the application role can
run the application but cannot rewrite, cut or switch off the history."""

from __future__ import annotations

import uuid
from datetime import date

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import make_url

from tests.conftest import IN_CI, _pg_candidate
from workflow import db as wdb
from workflow import history
from workflow.actors import Actor
from workflow.cases import catalogue, registration

REFUSED = {
    "update": "UPDATE event SET reason = 'rewritten'",
    "delete": "DELETE FROM event",
    "truncate": "TRUNCATE event",
    "disable trigger": "ALTER TABLE event DISABLE TRIGGER ALL",
    "alter": "ALTER TABLE event ADD COLUMN note text",
    "drop": "DROP TABLE event",
    "replica mode": "SET session_replication_role = replica",
    "schema change": "ALTER TABLE recommendation DROP COLUMN title_nl",
}


def _admin_url() -> str:
    url = make_url(wdb.database_url(_pg_candidate()))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def two_roles():
    suffix = uuid.uuid4().hex[:8]
    owner, app, database = f"fu_owner_{suffix}", f"fu_app_{suffix}", f"fu_roles_{suffix}"
    try:
        admin = psycopg.connect(_admin_url(), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL not reachable (CI=true: must run): {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE ROLE "{owner}" LOGIN')
        admin.execute(f'CREATE ROLE "{app}" LOGIN')
        admin.execute(f'CREATE DATABASE "{database}" OWNER "{owner}"')
        base = make_url(_admin_url())
        urls = {who: base.set(username=who, database=database, password=None)
                .render_as_string(hide_password=False) for who in (owner, app)}
        try:
            yield owner, app, urls
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{app}"')
            admin.execute(f'DROP ROLE IF EXISTS "{owner}"')


@pytest.mark.postgres
def test_the_application_role_appends_but_cannot_rewrite_history(two_roles, monkeypatch):
    owner, app, urls = two_roles
    wdb.upgrade(urls[owner])  # the owner migrates
    monkeypatch.setenv("DATABASE_URL", urls[owner])
    from followup.cli import cli

    result = CliRunner().invoke(cli, ["grant-app-role", app])
    assert result.exit_code == 0, result.output
    assert "only SELECT and INSERT" in result.output

    # the application works as its own role: catalogue, a registration, its history
    engine = wdb.make_engine(urls[app])
    session = wdb.make_session(engine)
    catalogue.sync_addressees(session)
    registration.register_recommendation(
        session, Actor("secretariaat", "secretariat", "BNL-PARL"), doc_number="770/1",
        title_nl="Titel", adopted_on=date(2026, 11, 30), addressees={"NL": True})
    session.commit()
    assert history.verify_history(session).ok
    session.close()
    engine.dispose()

    refused = {}
    with psycopg.connect(make_url(urls[app]).set(drivername="postgresql")
                         .render_as_string(hide_password=False)) as conn:
        for name, statement in REFUSED.items():
            try:
                conn.execute(statement)
                refused[name] = "ran"
            except psycopg.errors.InsufficientPrivilege:
                refused[name] = "refused"
            except psycopg.Error as exc:
                refused[name] = f"{type(exc).__name__}: {exc}"
            conn.rollback()
        count = conn.execute("SELECT count(*) FROM event").fetchone()[0]
    assert refused == dict.fromkeys(REFUSED, "refused")
    assert count >= 1


def test_grant_app_role_refuses_sqlite_and_odd_names(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    from followup.cli import cli

    result = CliRunner().invoke(cli, ["grant-app-role", "app"])
    assert result.exit_code != 0 and "only on PostgreSQL" in result.output
