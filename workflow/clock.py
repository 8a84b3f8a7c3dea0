""""Now" is injectable: every operation takes ``now``; when omitted it asks this clock.

Tests and demo data freeze it with :func:`frozen`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime

from workflow.deadlines.rules import BRUSSELS

_frozen: datetime | None = None


def utcnow() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


def ensure_aware(value: datetime, name: str = "now") -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (got {value.isoformat()})")
    return value.astimezone(UTC)


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[datetime]:
    """Freeze :func:`utcnow` at ``at`` inside the block."""
    global _frozen
    previous, _frozen = _frozen, ensure_aware(at)
    try:
        yield _frozen
    finally:
        _frozen = previous


def brussels_date(moment: datetime) -> date:
    return moment.astimezone(BRUSSELS).date()
