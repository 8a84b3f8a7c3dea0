"""The notices a due date implies, pure: the reminders before it, "overdue" when it passes
and "very overdue" some days later. The sweep (``workflow.reminders``) records each once.

Each step becomes due at the moment the deadline status (:func:`status.classify`) enters it,
so a notice never says something the pages do not show at the same moment:

* ``reminder`` k days before: at 00:00 Brussels on the due date minus k days (the status is
  "due soon" from then on when k is the largest reminder);
* ``overdue``: at the due moment (an answer is late strictly after it);
* ``very_overdue``: N days after the due moment on the Brussels wall clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from workflow.deadlines.rules import BRUSSELS, MAX_DAYS, _check_aware, _check_count
from workflow.deadlines.status import _check_reminder_days, _wall_add

KINDS = ("reminder", "overdue", "very_overdue")


@dataclass(frozen=True)
class NoticeStep:
    kind: str  # reminder | overdue | very_overdue
    days: int  # days before (reminder) or after (very overdue) the due date; 0 for overdue
    at: datetime  # UTC; the step is due strictly after this moment


def notice_schedule(due_at: datetime, *, reminder_days: Sequence[int] = (30, 7),
                    very_overdue_after_days: int = 90) -> tuple[NoticeStep, ...]:
    """The steps for one due moment, in the order they fall due."""
    due_local = _check_aware(due_at, "due_at").astimezone(BRUSSELS)
    very = _check_count(very_overdue_after_days, "very_overdue_after_days", 1, MAX_DAYS)
    steps = [NoticeStep("reminder", k, datetime.combine(due_local.date() - timedelta(days=k),
                                                        time(0), tzinfo=BRUSSELS).astimezone(UTC))
             for k in set(_check_reminder_days(reminder_days))]
    steps.append(NoticeStep("overdue", 0, due_local.astimezone(UTC)))
    steps.append(NoticeStep("very_overdue", very, _wall_add(due_local, very)))
    return tuple(sorted(steps, key=lambda s: s.at))


@dataclass(frozen=True)
class DueNotices:
    record: tuple[NoticeStep, ...]  # what to record now, in order
    handled_until: datetime | None  # the latest step now handled (recorded or passed over)
    next_at: datetime | None  # when the next step falls due (None: no step left)


def due_notices(schedule: Sequence[NoticeStep], handled_until: datetime | None,
                now: datetime) -> DueNotices:
    """The steps due at ``now`` that were not handled yet. A reminder overtaken by a later
    step that is also due is passed over (nobody needs "due in 30 days" a week before the
    date, or after it); "overdue" and "very overdue" are always recorded, since they are
    facts the history must show."""
    now = _check_aware(now, "now").astimezone(UTC)
    pending = [s for s in schedule
               if (handled_until is None or s.at > handled_until) and s.at < now]
    record = tuple(s for i, s in enumerate(pending)
                   if s.kind != "reminder" or i == len(pending) - 1)
    until = pending[-1].at if pending else handled_until
    later = [s.at for s in schedule if s.at >= now and (until is None or s.at > until)]
    return DueNotices(record, until, min(later) if later else None)


def next_step_after(schedule: Sequence[NoticeStep], handled_until: datetime | None
                    ) -> datetime | None:
    """When the first step not handled yet falls due (None: every step is handled)."""
    later = [s.at for s in schedule if handled_until is None or s.at > handled_until]
    return min(later) if later else None
