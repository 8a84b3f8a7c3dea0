"""SQLite pragmas at connect, the statement counter, and the streamed verification's
canonical text."""

from datetime import UTC, datetime

from sqlalchemy import text

from workflow.db import count_statements, make_engine
from workflow.history.log import HASHED_FIELDS, Event, canonical, canonical_row


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


def test_canonical_row_gives_the_same_bytes_as_canonical():
    cases = [
        dict(seq=1, recorded_at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
             effective_at=datetime(2025, 12, 31, 23, 0, tzinfo=UTC), recommendation_id=7,
             doc_number="REC 2026/1", addressee_code="NL", actor="ana", actor_role="ministry",
             actor_org="NL", action="reply", entity="answer", from_state="pending",
             to_state="answered", reason="Réponse — «ok» 日本", payload='{"b":[1,2],"a":"é"}'),
        dict(seq=2, recorded_at=datetime(2026, 6, 1, tzinfo=UTC),
             effective_at=datetime(2026, 6, 1, tzinfo=UTC), recommendation_id=None,
             doc_number=None, addressee_code=None, actor="system", actor_role="system",
             actor_org="", action="sweep", entity="recommendation", from_state=None,
             to_state=None, reason="", payload='{"z": null, "a": {"y": 1.5, "x": "\\u00e9"}}'),
    ]
    for fields in cases:
        ev = Event(**fields)
        assert canonical_row(tuple(fields[n] for n in HASHED_FIELDS)) == canonical(ev)
