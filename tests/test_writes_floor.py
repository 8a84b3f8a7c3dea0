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
