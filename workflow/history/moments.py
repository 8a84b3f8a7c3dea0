"""When an event takes effect: the day something happened (a letter received, a transmission, a
closure) as a moment, never before the case's latest event, so that live and historic
(imported) events are dated alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from workflow import deadlines, errors
from workflow.actors import SYSTEM_ACTOR
from workflow.cases.models import Recommendation
from workflow.clock import brussels_date
from workflow.history.models import Event

_DATE_NAMES = {"adopted_on": "adoption date", "transmitted_on": "transmission date",
               "received_on": "the date received", "closed_on": "closure date",
               "reopened_on": "reopening date", "waived_on": "waiver date",
               "effective_on": "date"}


_DATE_HINTS = {"adopted_on": "; give the plenary date"}


def effective_moment(day: date, now: datetime, *, after: datetime | None = None,
                     field: str = "effective_on") -> datetime:
    """When something that happened on ``day`` (a letter received, a transmission, a
    closure) took effect: noon in Brussels that day, or ``now`` when ``day`` is today.

    ``after`` is the moment of the case's latest event that this one follows: a day
    before it is refused, and on its day the moment is never earlier than it, so events
    of one day keep the order they were recorded in. A day in the future is refused.
    The operations and the importer date historic events only through this."""
    today = brussels_date(now)
    what = _DATE_NAMES.get(field, field.replace("_", " "))
    if day > today:
        raise errors.ValidationError(
            f"{what} {day} is in the future{_DATE_HINTS.get(field, '')}", field=field,
            rule="date_in_future", params={"date": day.isoformat(), "today": today.isoformat()})
    if after is not None and day < brussels_date(after):
        raise errors.ValidationError(
            f"{what} {day} is before the latest event of the case "
            f"({brussels_date(after)})", field=field, rule="date_before_latest_event",
            params={"date": day.isoformat(), "latest": brussels_date(after).isoformat()})
    if day == today:
        moment = now
    else:
        moment = datetime.combine(day, time(12), tzinfo=deadlines.BRUSSELS).astimezone(UTC)
    return max(moment, after) if after is not None else moment


def latest_moment(session: Session, rec: Recommendation,
                  addressee_code: str | None = None) -> datetime | None:
    """The effective moment of the latest state change a new event of ``rec`` follows:
    any change of the case and of its answers, or (``addressee_code`` given) of the
    case and of that addressee's answer. The aggregation rule's own events do not
    count (the history's replay applies that rule again)."""
    if rec.id is None:
        return None
    query = select(func.max(Event.effective_at)).where(
        Event.recommendation_id == rec.id, Event.to_state.is_not(None),
        Event.actor_role != SYSTEM_ACTOR.role)
    if addressee_code is not None:
        query = query.where(or_(Event.entity == "recommendation",
                                Event.addressee_code == addressee_code))
    return session.scalar(query)
