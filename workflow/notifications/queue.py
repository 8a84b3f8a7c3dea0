"""Queueing notifications in the transaction of the event that implies them.

A ``before_flush`` listener looks at the events being added and adds one
:class:`Notification` per person to tell (see :mod:`rules`), so that no operation can
record an event and forget its notifications, and a rolled-back event leaves none."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.util import identity_key

from workflow.accounts.models import User
from workflow.cases.models import CaseAddressee, Recommendation
from workflow.history.models import Event
from workflow.lifecycle import MINISTRY
from workflow.lifecycle import SECRETARIAT as SECRETARIAT_ROLE
from workflow.notifications.models import Notification
from workflow.notifications.rules import (
    DEADLINE_KINDS,
    FOCAL_POINTS,
    QUESTION_DEADLINE_KINDS,
    RULES,
    SECRETARIAT,
)

_OFF = "notifications_off"
QUEUED = "notifications_queued"  # session.info counter: notifications added


@contextlib.contextmanager
def suppressed(session: Session) -> Iterator[None]:
    """No notifications for the events recorded inside (an import of historic cases)."""
    previous = session.info.get(_OFF, False)
    session.info[_OFF] = True
    try:
        yield
    finally:
        session.info[_OFF] = previous


def _codes(session: Session, ev: Event) -> list[str]:
    if ev.addressee_code:
        return [ev.addressee_code]
    if ev.recommendation_id is None:
        return []
    # The case's entries, when this session holds them already, rather than a query.
    rec = session.identity_map.get(identity_key(Recommendation, ev.recommendation_id))
    if rec is not None and "addressees" not in inspect(rec).unloaded:
        return [entry.addressee_code for entry in rec.addressees]
    return list(session.scalars(select(CaseAddressee.addressee_code)
                                .where(CaseAddressee.recommendation_id == ev.recommendation_id)))


_PEOPLE = "notification_people"


def _people(session: Session) -> dict[str, list[User]]:
    """Active users by organisation (ministries) and the secretariat, read once per
    transaction (a sweep records thousands of events in one): forgotten at its end."""
    cached = session.info.get(_PEOPLE)
    transaction = session.get_transaction()
    changed = any(isinstance(obj, User) for obj in (*session.new, *session.dirty))
    if cached is not None and cached[0] is transaction and not changed:
        return cached[1]
    people: dict[str, list[User]] = {}
    # Inside a flush the query does not see users not flushed yet: those are added too.
    stored = session.scalars(select(User).where(
        User.is_active.is_(True),
        or_(User.role == MINISTRY, User.role == SECRETARIAT_ROLE)).order_by(User.id)).all()
    pending = [obj for obj in session.new if isinstance(obj, User) and obj.is_active is not False
               and obj.role in (MINISTRY, SECRETARIAT_ROLE)]
    for user in dict.fromkeys([*stored, *pending]):
        key = SECRETARIAT if user.role == SECRETARIAT_ROLE else user.organisation
        people.setdefault(key, []).append(user)
    session.info[_PEOPLE] = (transaction, people)
    return people


def _recipients(session: Session, ev: Event, audiences: tuple[str, ...]) -> list[User]:
    people = _people(session)
    found: dict[int, User] = {}  # by object: a pending user has no id yet
    groups = []
    if FOCAL_POINTS in audiences:
        groups += [people.get(code, []) for code in _codes(session, ev)]
    if SECRETARIAT in audiences:
        groups.append(people.get(SECRETARIAT, []))
    for group in groups:
        for user in group:
            if user.username != ev.actor:
                found[id(user)] = user
    return list(found.values())


def _params(ev: Event) -> dict:
    data = ev.data
    params = {"doc_number": ev.doc_number, "addressee": ev.addressee_code,
              "reason": ev.reason or ""}
    for key in ("due_at", "days", "requested_date", "new_due_at", "number", "judgement"):
        if key in data and not isinstance(data[key], dict):
            params[key] = data[key]
    if isinstance(data.get("due_at"), dict):  # {addressee code: due moment}
        if ev.addressee_code in data["due_at"]:
            params["due_at"] = data["due_at"][ev.addressee_code]
        else:
            params["due_at_by"] = data["due_at"]
    return params


def _planned(session: Session, ev: Event) -> list[tuple[User, dict]]:
    """Who is told of ``ev``, each with the column values of their notification."""
    rule = RULES.get(ev.action)
    if rule is None or session.info.get(_OFF):
        return []
    params = json.dumps(_params(ev), sort_keys=True, default=str)
    deadline = rule.kind in DEADLINE_KINDS or rule.kind in QUESTION_DEADLINE_KINDS
    due = ev.data.get("due_at") if deadline else None
    due_at = datetime.fromisoformat(due.replace("Z", "+00:00")) if isinstance(due, str) else None
    question_id = ev.data.get("question_id") if ev.entity == "question" else None
    return [(user, {
        "event_seq": ev.seq, "kind": rule.kind, "recommendation_id": ev.recommendation_id,
        "question_id": question_id,
        "addressee_code": ev.addressee_code or (user.organisation if user.role == MINISTRY
                                                else None),
        "due_at": due_at, "params": params, "created_at": ev.recorded_at,
        "mail_status": "queued" if user.email else "no_address",
        "mail_digest": bool(user.mail_digest), "mail_attempts": 0,
        "mail_next_at": ev.recorded_at if user.email else None, "mail_error": "",
        "read_at": None, "mailed_at": None})
        for user in _recipients(session, ev, rule.audiences)]


def notifications_for(session: Session, ev: Event) -> list[Notification]:
    return [Notification(user=user, **values) for user, values in _planned(session, ev)]


def _queue(session: Session, _context, _instances) -> None:
    new_events = [obj for obj in session.new if isinstance(obj, Event)]
    for ev in sorted(new_events, key=lambda e: e.seq):
        added = notifications_for(session, ev)
        session.add_all(added)
        session.info[QUEUED] = session.info.get(QUEUED, 0) + len(added)


def queue_written(session: Session, events: list) -> int:
    """Queue the notifications of events written without the session's unit of work
    (``history.record_many``), all in one ``executemany``; returns how many."""
    if isinstance(session, scoped_session):  # the web's: the per-transaction caches need
        session = session.registry()          # the session itself
    rows = [{"user_id": user.id, **values}
            for ev in events for user, values in _planned(session, ev)]
    if rows:
        session.execute(Notification.__table__.insert(), rows)  # Core executemany
    session.info[QUEUED] = session.info.get(QUEUED, 0) + len(rows)
    return len(rows)


def install() -> None:
    if not event.contains(Session, "before_flush", _queue):
        event.listen(Session, "before_flush", _queue)


install()
