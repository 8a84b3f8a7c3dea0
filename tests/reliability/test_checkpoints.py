"""Signed checkpoints make truncation and a consistently re-chained history detectable,
which the hash chain alone cannot show."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from followup.cli import cli
from tests.web.conftest import close_app, make_app
from workflow import db as wdb
from workflow import history
from workflow.history import checkpoints
from workflow.history.log import canonical, chain_hash
from workflow.models import Event


@pytest.fixture
def env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    key = tmp_path / "keys" / "checkpoint.pem"
    key.parent.mkdir()
    result = CliRunner().invoke(cli, ["checkpoint", "keygen", str(key)])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv(checkpoints.KEY_VARIABLE, str(key))
    return db_url, key, tmp_path


def _run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def _tamper(url: str, *statements: str) -> None:
    """Someone with full database access, the append-only triggers switched off."""
    engine = wdb.make_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS event_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS event_no_delete"))
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def _rechain(url: str, from_seq: int, reason: str) -> None:
    """Rewrite an event and recompute every hash after it: the chain verifies again."""
    engine = wdb.make_engine(url)
    session = wdb.make_session(engine)
    events = list(session.scalars(select(Event).order_by(Event.seq)))
    updates, prev = [], None
    for ev in events:
        if ev.seq == from_seq:
            ev.reason = reason
        if prev is not None:
            ev.prev_hash = prev
        ev.hash = chain_hash(ev.prev_hash, canonical(ev))
        updates.append((ev.seq, ev.reason, ev.prev_hash, ev.hash))
        prev = ev.hash
    session.rollback()
    session.close()
    engine.dispose()
    _tamper(url, *(f"UPDATE event SET reason = '{r}', prev_hash = '{p}', hash = '{h}' "
                   f"WHERE seq = {s}" for s, r, p, h in updates))


def test_the_key_is_private_and_never_overwritten(env):
    _url, key, _tmp = env
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    code, output = _run("checkpoint", "keygen", str(key))
    assert code != 0 and "never overwritten" in output


def test_a_checkpoint_detects_truncation_and_rechaining(env, tmp_path, monkeypatch):
    url, _key, _tmp = env
    app = make_app(url, tmp_path, monkeypatch)  # the demo's history (loaded if missing)
    kept = tmp_path / "kept.json"
    code, output = _run("checkpoint", "create", "--output", str(kept))
    assert code == 0, output
    signed = json.loads(kept.read_text())
    assert signed["seq"] > 10 and signed["algorithm"] == "Ed25519"

    code, output = _run("verify-history", "--checkpoint", str(kept))
    assert code == 0 and "unchanged" in output

    # published: the download and the feed carry the same signed head
    try:
        client = app.test_client()
        assert json.loads(client.get("/public/checkpoints/latest.json").data) == signed
        assert signed["signature"] in client.get("/public/checkpoints.atom").get_data(
            as_text=True)
        listed = json.loads(client.get("/public/checkpoints.json").data)["checkpoints"]
        assert listed[0] == signed
    finally:
        close_app(app)

    # a forged file: another head under the old signature, or another key
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**signed, "seq": signed["seq"] - 1}))
    code, output = _run("verify-history", "--checkpoint", str(forged))
    assert code == 1 and "signature does not match" in output
    code, output = _run("verify-history", "--checkpoint", str(kept), "--public-key",
                        "A" * 43 + "=")
    assert code == 1 and "not with the trusted key" in output

    # re-chained consistently from event 3: the plain chain check passes, the checkpoint not
    _rechain(url, 3, "rewritten afterwards")
    engine = wdb.make_engine(url)
    session = wdb.make_session(engine)
    assert history.verify_history(session).ok
    session.close()
    engine.dispose()
    code, output = _run("verify-history", "--checkpoint", str(kept))
    assert code == 1 and "rewritten" in output

    # cut back below the checkpoint's head
    _tamper(url, f"DELETE FROM event WHERE seq >= {signed['seq'] - 2}")
    code, output = _run("verify-history", "--checkpoint", str(kept))
    assert code == 1 and "cut back" in output


def test_creating_a_checkpoint_needs_the_key(env, monkeypatch):
    monkeypatch.delenv(checkpoints.KEY_VARIABLE)
    code, output = _run("checkpoint", "create")
    assert code != 0 and checkpoints.KEY_VARIABLE in output and "keygen" in output
