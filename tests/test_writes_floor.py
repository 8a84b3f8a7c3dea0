"""SQLite pragmas at connect and the statement counter."""

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
