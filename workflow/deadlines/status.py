"""Deadline statuses at a moment: on time, due soon (reminder), overdue, very overdue,
paused. ``StatusCutoffs`` are the moments that split due dates into statuses, so the same
rule runs in Python (``classify``) and as a SQL filter next to the models."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from workflow.deadlines.rules import (
    BRUSSELS,
    MAX_DAYS,
    DeadlineError,
    _check_aware,
    _check_count,
)


@dataclass(frozen=True)
class DeadlineStatus:
    status: str  # no_deadline | on_time | reminder | overdue | very_overdue | paused
    days_overdue: int
    next_reminder: date | None


def _check_reminder_days(reminder_days: Sequence[int]) -> tuple[int, ...]:
    if isinstance(reminder_days, (str, bytes)) or not isinstance(reminder_days, Iterable):
        raise DeadlineError("reminder_days must be a list of day counts such as (30, 7)")
    return tuple(
        _check_count(k, "each reminder (days before the due date)", 1, MAX_DAYS)
        for k in reminder_days
    )


def reminder_dates(due_at: datetime, reminder_days: Sequence[int] = (30, 7)) -> list[date]:
    """Brussels dates on which reminders are due, earliest first (no duplicates)."""
    due_date = _check_aware(due_at, "due_at").astimezone(BRUSSELS).date()
    days = _check_reminder_days(reminder_days)
    return sorted({due_date - timedelta(days=k) for k in days})


@dataclass(frozen=True)
class StatusCutoffs:
    """The moments that split due dates into statuses at ``now``: the one place where
    "overdue", "very overdue" and "due soon" are decided. A query compares a stored due
    moment with these (indexed WHERE clauses, see ``CaseAddressee.deadline_in``) and
    :func:`classify` compares a due moment in Python, so both always agree.

    * overdue: due before ``now`` (at exactly the due moment an answer is not yet late);
    * very overdue: due before ``very_overdue_before``, i.e. more than N days (on the
      Brussels wall clock, so 17:00 stays 17:00 across daylight-saving changes) ago;
    * due soon ("reminder"): not yet due, and the Brussels due date is at most the first
      reminder's number of days away (default 30), i.e. due before ``due_soon_before``.
    """

    now: datetime
    very_overdue_before: datetime
    due_soon_before: datetime | None


def status_cutoffs(
    now: datetime, *, reminder_days: Sequence[int] = (30, 7), very_overdue_after_days: int = 90
) -> StatusCutoffs:
    _check_aware(now, "now")
    days = _check_reminder_days(reminder_days)
    _check_count(very_overdue_after_days, "very_overdue_after_days", 1, MAX_DAYS)
    return _cutoffs(now, days, very_overdue_after_days)


# A list page classifies each of its rows at the same "now" under the same policy: the
# cutoffs are computed once per distinct (now, policy), not once per row.
@lru_cache(maxsize=64)
def _cutoffs(now: datetime, days: tuple[int, ...], very_overdue_after_days: int) -> StatusCutoffs:
    now_local = now.astimezone(BRUSSELS)
    very = _wall_add(now_local, -very_overdue_after_days)
    soon = None
    if days:
        last_day = now_local.date() + timedelta(days=max(days) + 1)
        soon = datetime.combine(last_day, time(0), tzinfo=BRUSSELS).astimezone(UTC)
    return StatusCutoffs(now_local.astimezone(UTC), very, soon)


def classify(due_at: datetime | None, cutoffs: StatusCutoffs, *, paused: bool = False) -> str:
    """The status of a due moment: no_deadline, paused, on_time, reminder (due soon),
    overdue or very_overdue. The SQL twin is ``CaseAddressee.deadline_in``."""
    if due_at is None:
        return "no_deadline"
    if paused:
        return "paused"
    due_utc = _check_aware(due_at, "due_at").astimezone(UTC)
    if due_utc < cutoffs.very_overdue_before:
        return "very_overdue"
    if due_utc < cutoffs.now:
        return "overdue"
    if cutoffs.due_soon_before is not None and due_utc < cutoffs.due_soon_before:
        return "reminder"
    return "on_time"


LATE = ("overdue", "very_overdue")
# Every status ``classify`` gives, in the order a list of them is shown.
STATUSES = ("very_overdue", "overdue", "reminder", "on_time", "paused", "no_deadline")


def deadline_status(
    due_at: datetime | None,
    now: datetime,
    *,
    paused: bool = False,
    reminder_days: Sequence[int] = (30, 7),
    very_overdue_after_days: int = 90,
) -> DeadlineStatus:
    """Where an answer stands relative to its deadline at ``now`` (see
    :class:`StatusCutoffs`), with the days overdue and the next reminder date.
    A paused deadline reports no overdue days and no reminder (the due date will move).
    """
    cutoffs = status_cutoffs(now, reminder_days=reminder_days,
                             very_overdue_after_days=very_overdue_after_days)
    status = classify(due_at, cutoffs, paused=paused)
    if status in ("no_deadline", "paused"):
        return DeadlineStatus(status, 0, None)
    now_local = cutoffs.now.astimezone(BRUSSELS)
    due_local = due_at.astimezone(BRUSSELS)
    if status in LATE:
        elapsed = (now_local.date() - due_local.date()).days
        if _wall_add(due_local, elapsed) > cutoffs.now:
            elapsed -= 1
        return DeadlineStatus(status, max(elapsed, 0), None)
    today = now_local.date()
    upcoming = [d for d in reminder_dates(due_at, reminder_days) if d >= today]
    return DeadlineStatus(status, 0, upcoming[0] if upcoming else None)


def _wall_add(local: datetime, days: int) -> datetime:
    """``days`` later on the Brussels wall clock (same local time of day), in UTC."""
    naive = local.replace(tzinfo=None) + timedelta(days=days)
    return naive.replace(tzinfo=BRUSSELS).astimezone(UTC)


__all__ = ["LATE", "DeadlineStatus", "StatusCutoffs", "classify", "deadline_status",
           "reminder_dates", "status_cutoffs"]
