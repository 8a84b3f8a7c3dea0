"""Migration 0009: the indexes of the public side's filters and lists come and go."""

from __future__ import annotations

from sqlalchemy import inspect

from workflow import db

INDEXES = {("recommendation", "ix_recommendation_published_state"),
           ("answer", "ix_answer_published_received")}


def _indexes(url: str) -> set[tuple[str, str]]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            return {(table, ix["name"]) for table in ("recommendation", "answer")
                    for ix in found.get_indexes(table)}
    finally:
        engine.dispose()


def _down_and_up(url: str) -> None:
    from alembic import command

    db.upgrade(url)
    assert _indexes(url) >= INDEXES
    command.downgrade(db.alembic_config(url), "0008")
    assert not INDEXES & _indexes(url)
    db.upgrade(url)
    assert _indexes(url) >= INDEXES


def test_the_migration_goes_down_and_up_again(db_url):
    _down_and_up(db_url)


def test_the_migration_goes_down_and_up_on_postgresql(pg_url):
    _down_and_up(pg_url)
