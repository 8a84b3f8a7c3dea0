"""The one owner of a command's transaction: every ``followup`` command that touches
the database runs its work in ``with transaction() as session:``. The block commits
once at its end; any error rolls everything back and the command exits non-zero with
a clear message (a domain error's own words, or what the database refused)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from workflow import db, errors


@contextmanager
def transaction(url: str | None = None, *, commit: bool = True) -> Iterator[Session]:
    """A session on its own engine (both closed at the end). ``commit=False`` rolls back
    even on success (a dry run)."""
    with _owned(url) as session:
        yield session
        if commit:
            session.commit()
        else:
            session.rollback()


@contextmanager
def transactions(url: str | None = None) -> Iterator[tuple[Session, Callable[[], None]]]:
    """For a long command done as many short transactions (the sweep, the outbox): a
    session and the function that commits each step; the step in progress is rolled back
    on any error, and the end commits what is left."""
    with _owned(url) as session:
        yield session, session.commit
        session.commit()


@contextmanager
def _owned(url: str | None) -> Iterator[Session]:
    engine = db.make_engine(url)
    session = db.make_session(engine)
    try:
        yield session
    except errors.WorkflowError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from exc
    except SQLAlchemyError as exc:
        session.rollback()
        if db.is_conflict(exc):
            raise click.ClickException("someone else changed the data meanwhile; nothing was "
                                       "saved. Run the command again") from exc
        raise click.ClickException(f"database error, nothing was saved: "
                                   f"{getattr(exc, 'orig', None) or exc}") from exc
    except BaseException:  # click's own exits and aborts, and bugs (with their traceback)
        session.rollback()
        raise
    finally:
        session.close()
        engine.dispose()
