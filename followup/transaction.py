"""The one owner of a command's transaction: every ``followup`` command that touches
the database runs its work in ``with transaction() as session:``. The block commits
once at its end; any error rolls everything back and the command exits non-zero with
a clear message (a domain error's own words, or what the database refused)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from workflow import db, errors


@contextmanager
def transaction(url: str | None = None, *, commit: bool = True) -> Iterator[Session]:
    """A session on its own engine (both closed at the end). ``commit=False`` rolls back
    even on success (a dry run)."""
    engine = db.make_engine(url)
    session = db.make_session(engine)
    try:
        yield session
        if commit:
            session.commit()
        else:
            session.rollback()
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
