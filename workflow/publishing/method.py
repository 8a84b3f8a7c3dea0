"""The scoreboard's method as data, for the page that explains it: what counts as on
time, which dates, which calendar. Everything comes from the configured deadline policy
(``deadlines.policy``), the deadline rules (``deadlines.rules``: the due time, the move
to a working day) and each addressee's calendar in the catalogue; nothing is restated
here, so the page says what the code does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflow import deadlines
from workflow.cases.calendars import calendar_for
from workflow.cases.models import Addressee
from workflow.clock import brussels_date
from workflow.deadlines import policy as deadline_policy


@dataclass(frozen=True)
class CalendarOf:
    """One addressee's working-day calendar, summarised, with the due date the default
    rule gives on it for a recommendation transmitted on the example day."""

    addressee: Addressee
    country: str | None
    subdivision: str | None
    annual_closing_days: int
    declared_closing_days: int
    declared_working_days: int
    example_due: date


@dataclass(frozen=True)
class Method:
    default_rule: deadlines.DeadlineRule
    due_time: time
    time_zone: str
    reminder_days: tuple[int, ...]
    very_overdue_after_days: int
    example_start: date
    calendars: tuple[CalendarOf, ...]


def method(session: Session, now: datetime, policy: deadline_policy.Policy | None = None
           ) -> Method:
    """The method in force: the policy's default rule and notices, the due time and time
    zone of the rules, and every addressee's calendar (two statements)."""
    policy = policy or deadline_policy.current()
    rule = deadlines.DeadlineRule.parse(policy.default_rule)
    start = brussels_date(now)
    calendars = []
    for addressee in session.scalars(select(Addressee).order_by(Addressee.code)
                                     .options(selectinload(Addressee.closing_days))):
        declared = addressee.closing_days
        calendars.append(CalendarOf(
            addressee=addressee, country=addressee.holiday_country,
            subdivision=addressee.holiday_subdivision,
            annual_closing_days=len(addressee.annual_days),
            declared_closing_days=sum(1 for d in declared if not d.is_open),
            declared_working_days=sum(1 for d in declared if d.is_open),
            example_due=deadlines.compute_due(start, rule, calendar_for(addressee)).due_date))
    return Method(default_rule=rule, due_time=deadlines.DUE_TIME,
                  time_zone=deadlines.BRUSSELS.key, reminder_days=policy.reminder_days,
                  very_overdue_after_days=policy.very_overdue_after_days,
                  example_start=start, calendars=tuple(calendars))
