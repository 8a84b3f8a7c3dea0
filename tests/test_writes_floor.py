"""SQLite pragmas at connect and the statement counter."""

import importlib.util
from pathlib import Path

from sqlalchemy import text

from workflow.db import count_statements, make_engine


def test_a_fresh_file_connection_uses_wal_normal_sync_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_in_memory_keeps_its_memory_journal_and_counts_statements():
    engine = make_engine("sqlite:///:memory:")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "memory"
            with count_statements(engine) as counted:
                conn.execute(text("SELECT 1"))
                conn.execute(text("SELECT 2"))
            conn.execute(text("SELECT 3"))
        assert counted.count == 2
    finally:
        engine.dispose()


def test_transmitting_writes_each_addressee_row_once(session, secretariat):
    from datetime import date

    from workflow import dispatch
    from workflow.cases import registration

    rec = registration.register_recommendation(
        session, secretariat, doc_number="775/1", adopted_on=date(2025, 1, 2),
        addressees={"NL": True, "BE-FED": True, "LU": False, "DE-NW": True, "CM": True},
        title_nl="Eén keer schrijven")
    session.commit()
    with count_statements(session.get_bind()) as counted:
        dispatch.fire(session, secretariat, rec, "transmit")
        session.flush()
    updates = [s for s in counted.updates() if "case_addressee" in s.split("SET")[0]]
    assert len(updates) == len(rec.addressees), counted.statements  # one UPDATE per row




def _bench_script() -> tuple:
    """The bench's script (bench/run.py, section (a)): one case with seven addressees, each
    step in its own transaction on a freshly loaded case, as a request does."""
    spec = importlib.util.spec_from_file_location(
        "bench_run", Path(__file__).resolve().parent.parent / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SCRIPT


# Statements per step, the case's load included. transmit: the case, its entries, its
# latest moment, the entries' adjustments, the addressees' closing days, the case's and
# the 7 entries' UPDATEs, the chain head, the people to tell, the event, the notifications
# (one INSERT on PostgreSQL, one per row on SQLite, where the ORM needs each row's id in
# order). The first close writes the 7 entries' deadline state (no longer awaited); the
# second finds them unchanged and does not load them, so it asks for the case's codes.
# PostgreSQL takes the chain's lock in the statement that reads its head.
STATEMENTS = {"transmit": 17, "close": (15, 8), "reopen": 5, "start_assessment": 5,
              "start_monitoring": 5}


def test_each_step_of_the_bench_script_runs_a_known_number_of_statements(session, secretariat):
    from datetime import date

    from workflow import dispatch
    from workflow.accounts.users import create_user
    from workflow.cases import registration
    from workflow.models import Recommendation

    codes = ("CM", "BE-FED", "BE-VLG", "BE-WAL", "BE-BRU", "BE-FWB", "BE-DG")
    create_user(session, username="fed", password="lang-genoeg-wachtwoord-1", role="ministry",
                organisation="BE-FED", email="fed@example.org")
    create_user(session, username="cm", password="lang-genoeg-wachtwoord-2", role="ministry",
                organisation="CM")
    rec = registration.register_recommendation(
        session, secretariat, doc_number="776/1", adopted_on=date(2025, 1, 2),
        addressees=dict.fromkeys(codes, True), title_nl="Tellen")
    session.commit()
    rec_id, engine = rec.id, session.get_bind()
    sqlite = engine.dialect.name == "sqlite"
    closes = iter(STATEMENTS["close"])
    for trigger, params in _bench_script():
        session.expunge_all()
        with count_statements(engine) as counted:
            dispatch.fire(session, secretariat, session.get(Recommendation, rec_id), trigger,
                          **params)
            session.commit()
        expected = next(closes) if trigger == "close" else STATEMENTS[trigger]
        notified = trigger in ("transmit", "close")
        expected += 1 if sqlite and notified else 0  # the second notification's INSERT
        assert counted.count == expected, (trigger, counted.statements)
