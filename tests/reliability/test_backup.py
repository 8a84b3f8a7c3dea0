"""A backup restored into an empty database holds the same, verifiable history: the chain
is intact and a checkpoint signed before the backup still matches."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import make_url

from followup.cli import cli
from workflow import db as wdb
from workflow.demo import load_demo
from workflow.history import checkpoints


def _run(monkeypatch, url: str, *args) -> tuple[int, str]:
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture
def empty_target(db_url, tmp_path):
    """An empty database of the same kind as the test's database."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'followup.db'}"
        return
    name = f"fu_restore_{uuid.uuid4().hex[:8]}"
    admin_url = make_url(wdb.database_url(db_url)).set(drivername="postgresql")
    with psycopg.connect(admin_url.render_as_string(hide_password=False),
                         autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_keep_a_verifiable_history(db_url, empty_target, tmp_path,
                                                       monkeypatch):
    engine = wdb.make_engine(db_url)
    session = wdb.make_session(engine)
    load_demo(session)  # no-op when the demo is there already
    session.commit()
    session.close()
    engine.dispose()
    key = tmp_path / "checkpoint.pem"
    checkpoints.generate_key(key)
    monkeypatch.setenv(checkpoints.KEY_VARIABLE, str(key))
    kept = tmp_path / "kept.json"
    code, output = _run(monkeypatch, db_url, "checkpoint", "create", "--output", str(kept))
    assert code == 0, output

    archive = tmp_path / "followup.backup"
    code, output = _run(monkeypatch, db_url, "backup", str(archive))
    assert code == 0 and archive.stat().st_size > 0, output
    code, output = _run(monkeypatch, db_url, "backup", str(archive))
    assert code != 0 and "never overwrites" in output

    code, output = _run(monkeypatch, empty_target, "restore", str(archive))
    assert code == 0, output
    assert "history intact" in output
    code, output = _run(monkeypatch, empty_target, "verify-history", "--checkpoint", str(kept))
    assert code == 0 and "unchanged" in output, output

    code, output = _run(monkeypatch, empty_target, "restore", str(archive))
    assert code != 0 and "not empty" in output
