"""Domain operations: each checks the rules, changes rows, writes its history
event(s) and flushes. None of them commits: the web request or CLI command
owns the transaction, so a state change and its history entry land together
or not at all.

Every operation takes ``now`` (UTC-aware); omitted, it reads :mod:`workflow.clock`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from importlib import resources

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import clock, deadlines, errors, history
from . import policy as deadline_policy
from .actors import SYSTEM_ACTOR, Actor
from .calendars import calendar_for
from .lifecycle import (
    ANSWER,
    CLOSURE_REASONS,
    MINISTRY,
    POSITIONS,
    RECOMMENDATION,
    REPLY_TRIGGERS,
    SECRETARIAT,
    Trigger,
)
from .models import (
    Addressee,
    Answer,
    Attachment,
    CaseAddressee,
    ClosingDay,
    DeadlineAdjustment,
    Event,
    ExtensionRequest,
    Recommendation,
)

DOC_NUMBER = re.compile(r"^\d{1,5}/\d{1,3}(?:[A-Za-z]{1,4})?$")
MAX_TITLE = 1000
MAX_TEXT = 100_000
MAX_REASON = 5000
ATTACHMENT_TYPES = {"application/pdf": b"%PDF-"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _now(now: datetime | None) -> datetime:
    return clock.ensure_aware(now) if now is not None else clock.utcnow()


def brussels_date(moment: datetime) -> date:
    return moment.astimezone(deadlines.BRUSSELS).date()


_DATE_NAMES = {"adopted_on": "adoption date", "transmitted_on": "transmission date",
               "received_on": "the date received", "closed_on": "closure date",
               "reopened_on": "reopening date", "effective_on": "date"}
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


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise errors.ConflictError(
            "someone else changed this case meanwhile; reload it and try again"
        ) from exc


def _check_version(rec: Recommendation, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != rec.version:
        raise errors.ConflictError(
            f"recommendation {rec.doc_number} was changed meanwhile (it is now at version "
            f"{rec.version}, you had version {expected_version}); reload it and try again",
            rule="version", params={"doc_number": rec.doc_number, "version": rec.version,
                                    "expected": expected_version},
        )


def _touch(rec: Recommendation, now: datetime) -> None:
    # Any change to a case, addressee rows included, gives the case a new version.
    rec.updated_at = now


def _text(value: str | None, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise errors.ValidationError(f"{field.replace('_', ' ')} is required", field=field,
                                     rule="required")
    if len(value) > limit:
        raise errors.ValidationError(
            f"{field.replace('_', ' ')} is too long ({len(value)} characters; at most {limit})",
            field=field, rule="too_long", params={"length": len(value), "limit": limit},
        )
    return value


def _rule(text: str, field: str = "deadline_rule") -> deadlines.DeadlineRule:
    try:
        return deadlines.DeadlineRule.parse(text)
    except deadlines.DeadlineError as exc:
        raise errors.ValidationError(str(exc), field=field, rule="deadline_rule",
                                     params={"text": text}) from exc


# ---------------------------------------------------------------------------
# Scope: who may see and touch what


def can_see(actor: Actor | None, rec: Recommendation) -> bool:
    """The scope rule (``Recommendation.visible_to``); ``actor`` None is the public."""
    return rec.visible_to(actor)


def check_visible(actor: Actor, rec: Recommendation) -> None:
    if not can_see(actor, rec):
        raise errors.NotInScope(f"no recommendation {rec.doc_number} in your scope",
                                rule="case_in_scope", params={"doc_number": rec.doc_number})


def check_entry_scope(actor: Actor, entry: CaseAddressee) -> None:
    check_visible(actor, entry.recommendation)
    if not entry.visible_to(actor):
        raise errors.NotInScope(
            f"no answer of {entry.addressee_code} on {entry.recommendation.doc_number} "
            "in your scope", rule="answer_in_scope",
            params={"addressee": entry.addressee_code,
                    "doc_number": entry.recommendation.doc_number},
        )


def check_attachment_visible(actor: Actor | None, att: Attachment) -> None:
    """The one check for every download of an attachment (web, API, exports)."""
    if not att.visible_to(actor):
        raise errors.NotInScope(f"no attachment {att.id} in your scope",
                                rule="attachment_in_scope", params={"id": att.id})


def entry_of(rec: Recommendation, code: str) -> CaseAddressee:
    entry = rec.entry(code)
    if entry is None:
        on_case = ", ".join(a.addressee_code for a in rec.addressees) or "none"
        raise errors.UnknownAddressee(
            f"{code} is not an addressee of recommendation {rec.doc_number} "
            f"(its addressees: {on_case})",
            field="addressee", rule="addressee_of_case",
            params={"addressee": code, "doc_number": rec.doc_number,
                    "addressees": [a.addressee_code for a in rec.addressees]},
        )
    return entry


def find_recommendation(session: Session, doc_number: str) -> Recommendation:
    rec = session.scalar(select(Recommendation).where(Recommendation.doc_number == doc_number))
    if rec is None:
        raise errors.NotInScope(f"no recommendation with document number {doc_number!r}",
                                rule="case_exists", params={"doc_number": doc_number})
    return rec


# ---------------------------------------------------------------------------
# What may be done now


@dataclass(frozen=True)
class Available:
    trigger: Trigger
    addressee_code: str | None = None  # set for answer triggers

    @property
    def name(self) -> str:
        return self.trigger.name


def available_triggers(rec: Recommendation, actor: Actor) -> list[Available]:
    """The actions ``actor`` may take on the case now (recommendation and answers)."""
    if not can_see(actor, rec):
        return []
    found = [Available(t) for t in RECOMMENDATION.available(rec, actor.role)]
    for entry in rec.addressees:
        if actor.role == MINISTRY and entry.addressee_code != actor.organisation:
            continue
        found.extend(Available(t, entry.addressee_code)
                     for t in ANSWER.available(entry, actor.role))
    return found


# ---------------------------------------------------------------------------
# Addressee catalogue and calendars


def load_catalogue() -> list[dict]:
    text = resources.files("workflow").joinpath("data/addressees.json").read_text("utf-8")
    return json.loads(text)["addressees"]


def sync_addressees(session: Session, catalogue: Iterable[Mapping] | None = None) -> int:
    """Insert or update the addressees from the catalogue; returns how many."""
    count = 0
    for item in catalogue if catalogue is not None else load_catalogue():
        cal = item.get("calendar") or {}
        calendar = deadlines.Calendar(item["code"], cal.get("country"), cal.get("subdivision"))
        try:
            calendar.validate()
        except deadlines.DeadlineError as exc:
            raise errors.ValidationError(f"addressee {item['code']}: {exc}",
                                         field="calendar") from exc
        row = session.get(Addressee, item["code"]) or Addressee(code=item["code"])
        row.name_nl, row.name_fr, row.name_en = (item["name"][k] for k in ("nl", "fr", "en"))
        row.is_collective = bool(item.get("collective", False))
        row.holiday_country = cal.get("country")
        row.holiday_subdivision = cal.get("subdivision")
        row.annual_closing_days = json.dumps(item.get("annual_closing_days", []))
        session.add(row)
        count += 1
    session.flush()
    return count


def get_addressee(session: Session, code: str) -> Addressee:
    row = session.get(Addressee, code)
    if row is None:
        known = ", ".join(session.scalars(select(Addressee.code).order_by(Addressee.code)))
        raise errors.UnknownAddressee(f"unknown addressee {code!r}; known: {known}",
                                      field="addressee")
    return row


def set_closing_day(session: Session, actor: Actor, code: str, day: date, *, note: str = "",
                    is_open: bool = False, remove: bool = False,
                    now: datetime | None = None) -> None:
    """Declare a closing day (or, ``is_open``, a holiday that is a working day after all),
    or ``remove`` such a declaration. Stored due dates do not move: see
    :func:`stale_due_dates` and :func:`recompute_due_date`."""
    now = _now(now)
    _require_role(actor, SECRETARIAT, "change a calendar")
    addressee = get_addressee(session, code)
    existing = next((cd for cd in addressee.closing_days if cd.day == day), None)
    if remove:
        if existing is None:
            raise errors.ValidationError(f"{day} is not a declared day of {code}", field="day")
        addressee.closing_days.remove(existing)
    elif existing is not None:
        existing.is_open, existing.note = is_open, _text(note, "note", limit=200)
    else:
        addressee.closing_days.append(ClosingDay(day=day, is_open=is_open,
                                                 note=_text(note, "note", limit=200)))
    history.record(session, actor=actor, action="remove_closing_day" if remove else
                   "set_closing_day", entity="calendar", now=now, addressee_code=code,
                   reason=note, payload={"day": day.isoformat(), "is_open": is_open})
    session.flush()


def _require_role(actor: Actor, role: str, what: str) -> None:
    if actor.role != role:
        raise errors.PermissionDenied(f"only the {role} may {what} (you are {actor.role})",
                                      rule="role")


# ---------------------------------------------------------------------------
# Registering and editing a recommendation


def validate_doc_number(doc_number: str) -> str:
    doc_number = (doc_number or "").strip()
    if not DOC_NUMBER.match(doc_number):
        raise errors.ValidationError(
            f"malformed document number {doc_number!r}: write NUMBER/PART as the Benelux "
            "Parliament does, e.g. 743/5 or 743/5Bis",
            field="doc_number", rule="doc_number_format", params={"value": doc_number},
        )
    return doc_number


def register_recommendation(
    session: Session,
    actor: Actor,
    *,
    doc_number: str,
    adopted_on: date,
    addressees: Mapping[str, bool] | Iterable[str],
    title_nl: str = "",
    title_fr: str = "",
    text_nl: str = "",
    text_fr: str = "",
    committee: str = "",
    theme: str = "",
    session_label: str = "",
    deadline_rule: str | None = None,
    now: datetime | None = None,
) -> Recommendation:
    """Register a recommendation adopted in plenary. ``addressees`` maps codes to
    whether their answer is required (a plain list means all required)."""
    now = _now(now)
    _require_role(actor, SECRETARIAT, "register a recommendation")
    doc_number = validate_doc_number(doc_number)
    if session.scalar(select(Recommendation.id).where(Recommendation.doc_number == doc_number)):
        raise errors.ValidationError(
            f"a recommendation {doc_number} is already registered; open it instead",
            field="doc_number", rule="doc_number_unique", params={"doc_number": doc_number},
        )
    if not isinstance(adopted_on, date) or isinstance(adopted_on, datetime):
        raise errors.ValidationError("adoption date must be a date (YYYY-MM-DD)",
                                     field="adopted_on")
    if adopted_on > brussels_date(now):
        raise errors.ValidationError(
            f"adoption date {adopted_on} is in the future; give the plenary date",
            field="adopted_on", rule="adopted_not_in_future", params={"date": adopted_on},
        )
    effective_at = effective_moment(adopted_on, now, field="adopted_on")
    title_nl = _text(title_nl, "title_nl", limit=MAX_TITLE)
    title_fr = _text(title_fr, "title_fr", limit=MAX_TITLE)
    if not (title_nl or title_fr):
        raise errors.ValidationError("give the title in Dutch, French or both", field="title_nl",
                                     rule="title_required")
    rule = _rule(deadline_rule or deadline_policy.current().default_rule)
    if rule.kind == "fixed_date" and rule.fixed_date <= adopted_on:
        raise errors.ValidationError(
            f"the due date {rule.fixed_date} is not after the adoption date {adopted_on}",
            field="deadline_rule", rule="fixed_after_adoption",
            params={"date": rule.fixed_date, "adopted_on": adopted_on},
        )
    if isinstance(addressees, Mapping):
        wanted = dict(addressees)
    else:
        wanted = dict.fromkeys(addressees, True)
    if not wanted:
        raise errors.ValidationError("choose at least one addressee", field="addressees",
                                     rule="some_addressee")
    rec = Recommendation(
        doc_number=doc_number,
        title_nl=title_nl,
        title_fr=title_fr,
        text_nl=_text(text_nl, "text_nl"),
        text_fr=_text(text_fr, "text_fr"),
        committee=_text(committee, "committee", limit=120),
        theme=_text(theme, "theme", limit=120),
        session_label=_text(session_label, "session_label", limit=120),
        adopted_on=adopted_on,
        deadline_rule=rule.to_text(),
        state=RECOMMENDATION.initial,
        created_at=now,
        updated_at=now,
    )
    for code, required in wanted.items():
        get_addressee(session, code)
        rec.addressees.append(CaseAddressee(addressee_code=code, is_required=bool(required),
                                            state=ANSWER.initial, deadline_rule=rec.deadline_rule))
    session.add(rec)
    _flush(session)
    history.record(
        session, actor=actor, action="register", entity="recommendation", now=now,
        effective_at=effective_at, recommendation=rec,
        to_state=rec.state,
        payload={
            "adopted_on": adopted_on.isoformat(),
            "title_nl": rec.title_nl, "title_fr": rec.title_fr,
            "committee": rec.committee, "theme": rec.theme,
            "deadline_rule": rec.deadline_rule,
            "addressees": [{"code": c, "required": bool(r)} for c, r in wanted.items()],
        },
    )
    return rec


EDITABLE = ("title_nl", "title_fr", "text_nl", "text_fr", "committee", "theme", "session_label")


def edit_recommendation(session: Session, actor: Actor, rec: Recommendation, *,
                        expected_version: int | None = None, now: datetime | None = None,
                        **changes: str) -> Recommendation:
    """Correct descriptive fields; the old and new values go into history."""
    now = _now(now)
    check_visible(actor, rec)
    _require_role(actor, SECRETARIAT, "edit a recommendation")
    _check_version(rec, expected_version)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise errors.ValidationError(f"cannot edit {', '.join(sorted(unknown))}; editable: "
                                     f"{', '.join(EDITABLE)}", field=sorted(unknown)[0])
    diff = {}
    for name, value in changes.items():
        limit = MAX_TEXT if name.startswith("text") else MAX_TITLE
        value = _text(value, name, limit=limit)
        if getattr(rec, name) != value:
            diff[name] = {"old": getattr(rec, name), "new": value}
            setattr(rec, name, value)
    if not (rec.title_nl or rec.title_fr):
        raise errors.ValidationError("give the title in Dutch, French or both", field="title_nl",
                                     rule="title_required")
    if diff:
        _touch(rec, now)
        _flush(session)
        history.record(session, actor=actor, action="edit", entity="recommendation", now=now,
                       recommendation=rec, payload={"changes": diff})
    return rec


def set_published(session: Session, actor: Actor, rec: Recommendation, published: bool, *,
                  expected_version: int | None = None, now: datetime | None = None) -> None:
    now = _now(now)
    check_visible(actor, rec)
    _require_role(actor, SECRETARIAT, "publish a recommendation")
    _check_version(rec, expected_version)
    if rec.is_published != published:
        rec.is_published = published
        _touch(rec, now)
        _flush(session)
        history.record(session, actor=actor, action="publish" if published else "unpublish",
                       entity="recommendation", now=now, recommendation=rec)


# ---------------------------------------------------------------------------
# Deadlines


def running_clock_stop(entry: CaseAddressee) -> DeadlineAdjustment | None:
    """The clock stop without an end, if any (``entry.clock_stopped_on`` is its start)."""
    return next((a for a in entry.adjustments if a.kind == "clock_stop" and a.end_on is None),
                None)


def adjustments_of(entry: CaseAddressee) -> list[deadlines.Adjustment]:
    out = []
    for adj in entry.adjustments:
        if adj.kind == "clock_stop" and adj.end_on is None:
            continue  # a running stop moves the date when the clock resumes
        out.append(deadlines.Adjustment(kind=adj.kind, new_date=adj.new_date, days=adj.days,
                                        start=adj.start_on, end=adj.end_on, reason=adj.reason))
    return out


def compute_entry_due(entry: CaseAddressee) -> deadlines.DueDate:
    try:
        return deadlines.compute_due(entry.clock_start, _rule(entry.deadline_rule),
                                     calendar_for(entry.addressee), adjustments_of(entry))
    except deadlines.DeadlineError as exc:
        raise errors.ValidationError(str(exc), field="deadline") from exc


def explain_due(entry: CaseAddressee) -> list[deadlines.Step]:
    """How the entry's due date is computed, step by step, as data (``Step.text()`` words
    a step in English; the web words it in the user's language)."""
    if entry.clock_start is None:
        return [deadlines.Step("not_transmitted",
                               {"doc_number": entry.recommendation.doc_number})]
    due = compute_entry_due(entry)
    steps = list(due.explanation)
    if entry.is_clock_stopped:
        stop = running_clock_stop(entry)
        steps.append(deadlines.Step("clock_stopped", {"start": stop.start_on,
                                                      "reason": (stop.reason or "").strip()}))
    if entry.calendar_fingerprint and due.fingerprint != entry.calendar_fingerprint:
        steps.append(deadlines.Step("calendar_changed", {}))
    return steps


def _apply_due(entry: CaseAddressee, now: datetime) -> deadlines.DueDate:
    due = compute_entry_due(entry)
    entry.due_at = due.due_at
    entry.calendar_fingerprint = due.fingerprint
    entry.due_computed_at = now
    return due


def _policy(policy: Mapping) -> dict:
    if policy:
        return dict(policy)
    configured = deadline_policy.current()
    return {"reminder_days": configured.reminder_days,
            "very_overdue_after_days": configured.very_overdue_after_days}


def status_cutoffs(now: datetime | None = None, **policy) -> deadlines.StatusCutoffs:
    """The moments that split due dates into statuses at ``now`` under the configured
    policy (or the ``reminder_days`` / ``very_overdue_after_days`` given)."""
    return deadlines.status_cutoffs(_now(now), **_policy(policy))


def due_status(due_at: datetime | None, now: datetime | None = None,
               **policy) -> deadlines.DeadlineStatus:
    """The status of a due moment that counts (e.g. the oldest overdue of a list)."""
    return deadlines.deadline_status(due_at, _now(now), **_policy(policy))


def deadline_status(entry: CaseAddressee, now: datetime | None = None,
                    **policy) -> deadlines.DeadlineStatus:
    """The entry's status with days overdue and next reminder. Overdue only while a
    required answer is awaited and its clock runs (the stored ``live_due_at``); the
    status name is ``entry.deadline_status_name``, the twin of the SQL rule
    ``CaseAddressee.deadline_in``."""
    policy = _policy(policy)
    cutoffs = deadlines.status_cutoffs(_now(now), **policy)
    name = entry.deadline_status_name(cutoffs)
    if name in ("no_deadline", "paused"):
        return deadlines.DeadlineStatus(name, 0, None)
    return deadlines.deadline_status(entry.live_due_at, cutoffs.now, **policy)


def working_days_left(entry: CaseAddressee, now: datetime | None = None) -> int | None:
    if entry.due_at is None:
        return None
    today = brussels_date(_now(now))
    return deadlines.working_days_between(today, brussels_date(entry.due_at),
                                          calendar_for(entry.addressee))


def stale_due_dates(session: Session) -> list[tuple[CaseAddressee, deadlines.DueDate]]:
    """Open entries whose stored due date was computed with a calendar that has since
    changed, with what recomputation would give."""
    out = []
    entries = session.scalars(
        select(CaseAddressee)
        .join(Recommendation)
        .where(CaseAddressee.due_at.is_not(None), CaseAddressee.is_awaited)
    )
    for entry in entries:
        fresh = compute_entry_due(entry)
        if fresh.fingerprint != entry.calendar_fingerprint:
            out.append((entry, fresh))
    return out


def recompute_due_date(session: Session, actor: Actor, entry: CaseAddressee, *, reason: str,
                       now: datetime | None = None) -> CaseAddressee:
    """Explicitly recompute a stored due date with today's calendar (logged)."""
    now = _now(now)
    check_entry_scope(actor, entry)
    _require_role(actor, SECRETARIAT, "recompute a due date")
    reason = _text(reason, "reason", required=True, limit=MAX_REASON)
    if entry.clock_start is None:
        raise errors.ValidationError("this addressee has no due date yet (not transmitted)",
                                     field="addressee", rule="has_due_date")
    _redate(session, actor, entry, now, "recompute_due", reason, {},
            with_fingerprint=True)
    return entry


def _redate(session, actor, entry, now, action, reason, payload, *,
            with_fingerprint=False) -> deadlines.DueDate:
    """Store the due date the rule now gives and log the change (old and new date)."""
    old = entry.due_at
    due = _apply_due(entry, now)
    _touch(entry.recommendation, now)
    _flush(session)
    payload = {**payload, "old_due_at": history.format_utc(old),
               "due_at": {entry.addressee_code: history.format_utc(due.due_at)}}
    if with_fingerprint:
        payload["fingerprint"] = due.fingerprint
    history.record(session, actor=actor, action=action, entity="deadline", now=now,
                   recommendation=entry.recommendation, addressee_code=entry.addressee_code,
                   reason=reason, payload=payload)
    return due


def _adjust(session, actor, entry, adj: DeadlineAdjustment, now, action, payload):
    entry.adjustments.append(adj)
    return _redate(session, actor, entry, now, action, adj.reason, payload)


def _fire_deadline_action(actor: Actor, entry: CaseAddressee, trigger: str,
                          params: Mapping | None = None) -> None:
    """Check and fire one of the answer lifecycle's deadline actions (they keep the state;
    their roles and guards are declared in workflow.lifecycle)."""
    check_entry_scope(actor, entry)
    ANSWER.fire(entry, trigger, actor.role, params or {})


def grant_extension(session: Session, actor: Actor, entry: CaseAddressee, *, reason: str = "",
                    new_date: date | None = None, days: int | None = None,
                    expected_version: int | None = None,
                    now: datetime | None = None) -> deadlines.DueDate:
    """Give an addressee more time: a new due date or extra days (secretariat only)."""
    now = _now(now)
    _fire_deadline_action(actor, entry, "grant_extension")
    _check_version(entry.recommendation, expected_version)
    reason = _text(reason, "reason", required=True, limit=MAX_REASON)
    if (new_date is None) == (days is None):
        raise errors.ValidationError("give either a new due date or a number of extra days",
                                     field="new_date", rule="date_or_days")
    if days is not None and not 1 <= int(days) <= 3650:
        raise errors.ValidationError("extra days must be between 1 and 3650", field="days",
                                     rule="days_range", params={"low": 1, "high": 3650})
    if new_date is not None and entry.due_at is not None and \
            new_date <= brussels_date(entry.due_at):
        raise errors.ValidationError(
            f"the new due date {new_date} is not later than the current one "
            f"{brussels_date(entry.due_at)}", field="new_date", rule="later_than_due",
            params={"date": new_date, "due": brussels_date(entry.due_at)})
    adj = DeadlineAdjustment(kind="extension_date" if new_date else "extension_days",
                             new_date=new_date, days=days, reason=reason,
                             created_by=actor.username, created_at=now)
    due = _adjust(session, actor, entry, adj, now, "grant_extension",
                  {"new_date": new_date.isoformat() if new_date else None, "days": days})
    for request in entry.extension_requests:
        if request.status == "open":
            request.status, request.decided_by, request.decided_at = "granted", actor.username, now
    return due


def stop_clock(session: Session, actor: Actor, entry: CaseAddressee, *,
               start: date | None = None, reason: str = "", expected_version: int | None = None,
               now: datetime | None = None) -> None:
    """Stop an addressee's answer clock from ``start`` (e.g. awaiting a Committee of
    Ministers decision); the due date moves by the stopped time when it resumes."""
    now = _now(now)
    _fire_deadline_action(actor, entry, "stop_clock")
    _check_version(entry.recommendation, expected_version)
    reason = _text(reason, "reason", required=True, limit=MAX_REASON)
    if start is None:
        raise errors.ValidationError("give the day the clock stops from", field="start")
    if start < entry.clock_start:
        raise errors.ValidationError(f"the clock cannot stop before it started "
                                     f"({entry.clock_start})", field="start",
                                     rule="stop_after_start", params={"start": entry.clock_start})
    if entry.due_at and start > brussels_date(entry.due_at):
        raise errors.ValidationError(
            f"the clock cannot stop after the due date {brussels_date(entry.due_at)}; "
            "grant an extension instead", field="start", rule="stop_before_due",
            params={"due": brussels_date(entry.due_at)})
    entry.adjustments.append(DeadlineAdjustment(kind="clock_stop", start_on=start, reason=reason,
                                                created_by=actor.username, created_at=now))
    entry.clock_stopped_on = start
    _touch(entry.recommendation, now)
    _flush(session)
    history.record(session, actor=actor, action="stop_clock", entity="deadline", now=now,
                   recommendation=entry.recommendation, addressee_code=entry.addressee_code,
                   reason=reason, payload={"start": start.isoformat()})


def resume_clock(session: Session, actor: Actor, entry: CaseAddressee, *,
                 end: date | None = None,
                 reason: str = "", expected_version: int | None = None,
                 now: datetime | None = None) -> deadlines.DueDate:
    """Resume a stopped clock; ``end`` is the last stopped day."""
    now = _now(now)
    _fire_deadline_action(actor, entry, "resume_clock")
    _check_version(entry.recommendation, expected_version)
    stop = running_clock_stop(entry)
    if end is None:
        raise errors.ValidationError("give the last stopped day", field="end")
    if end < stop.start_on:
        raise errors.ValidationError(f"the clock cannot resume before it stopped "
                                     f"({stop.start_on})", field="end",
                                     rule="resume_after_stop", params={"start": stop.start_on})
    stop.end_on = end
    entry.clock_stopped_on = None
    if reason:
        stop.reason = f"{stop.reason}; {_text(reason, 'reason', limit=MAX_REASON)}"
    return _redate(session, actor, entry, now, "resume_clock", reason,
                   {"start": stop.start_on.isoformat(), "end": end.isoformat()})


def request_extension(session: Session, actor: Actor, entry: CaseAddressee, *,
                      requested_date: date | None = None, reason: str = "",
                      expected_version: int | None = None,
                      now: datetime | None = None) -> ExtensionRequest:
    """A ministry asks for more time, with a reason; the secretariat decides."""
    now = _now(now)
    _fire_deadline_action(actor, entry, "request_extension")
    _check_version(entry.recommendation, expected_version)
    reason = _text(reason, "reason", required=True, limit=MAX_REASON)
    if requested_date is not None and entry.due_at and \
            requested_date <= brussels_date(entry.due_at):
        raise errors.ValidationError(
            f"the date asked for ({requested_date}) is not later than the current due date "
            f"{brussels_date(entry.due_at)}", field="requested_date", rule="later_than_due",
            params={"date": requested_date, "due": brussels_date(entry.due_at)})
    req = ExtensionRequest(requested_date=requested_date, reason=reason, status="open",
                           requested_by=actor.username, created_at=now)
    entry.extension_requests.append(req)
    _touch(entry.recommendation, now)
    _flush(session)
    history.record(session, actor=actor, action="request_extension", entity="deadline", now=now,
                   recommendation=entry.recommendation, addressee_code=entry.addressee_code,
                   reason=reason, payload={"requested_date": requested_date.isoformat()
                                           if requested_date else None})
    return req


def refuse_extension(session: Session, actor: Actor, request: ExtensionRequest, *,
                     reason: str = "",
                     expected_version: int | None = None, now: datetime | None = None) -> None:
    now = _now(now)
    _fire_deadline_action(actor, request.entry, "refuse_extension", {"request": request})
    _check_version(request.entry.recommendation, expected_version)
    request.status, request.decided_by, request.decided_at = "refused", actor.username, now
    entry = request.entry
    _touch(entry.recommendation, now)
    _flush(session)
    history.record(session, actor=actor, action="refuse_extension", entity="deadline", now=now,
                   recommendation=entry.recommendation, addressee_code=entry.addressee_code,
                   reason=_text(reason, "reason", required=True, limit=MAX_REASON))


# ---------------------------------------------------------------------------
# Recommendation transitions


def _fire_rec(session, actor, rec, trigger, now, *, reason="", payload=None, params=None,
              effective_at=None):
    before = RECOMMENDATION.fire(rec, trigger, actor.role, params or {})
    _touch(rec, now)
    _flush(session)
    history.record(session, actor=actor, action=trigger, entity="recommendation", now=now,
                   recommendation=rec, from_state=before, to_state=rec.state, reason=reason,
                   payload=payload, effective_at=effective_at)


def transmit(session: Session, actor: Actor, rec: Recommendation, *,
             transmitted_on: date | None = None, expected_version: int | None = None,
             now: datetime | None = None) -> Recommendation:
    """Send the recommendation to its addressees: every answer clock starts."""
    now = _now(now)
    check_visible(actor, rec)
    _check_version(rec, expected_version)
    transmitted_on = transmitted_on or brussels_date(now)
    refused = RECOMMENDATION.refusal(rec, RECOMMENDATION.trigger("transmit"), actor.role, {})
    if refused:
        raise refused
    if transmitted_on < rec.adopted_on:
        raise errors.ValidationError(
            f"transmission date {transmitted_on} is before the adoption date {rec.adopted_on}",
            field="transmitted_on", rule="transmitted_after_adoption",
            params={"date": transmitted_on, "adopted_on": rec.adopted_on})
    if transmitted_on > brussels_date(now):
        raise errors.ValidationError(f"transmission date {transmitted_on} is in the future",
                                     field="transmitted_on", rule="not_in_future",
                                     params={"date": transmitted_on})
    effective_at = effective_moment(transmitted_on, now, field="transmitted_on",
                                    after=latest_moment(session, rec))
    due_dates = {}
    for entry in rec.addressees:
        entry.clock_start = transmitted_on
        due_dates[entry.addressee_code] = history.format_utc(_apply_due(entry, now).due_at)
    rec.transmitted_at = now
    _fire_rec(session, actor, rec, "transmit", now,
              payload={"transmitted_on": transmitted_on.isoformat(), "due_at": due_dates},
              effective_at=effective_at)
    return rec


def step(session: Session, actor: Actor, rec: Recommendation, trigger: str, *,
         reason: str = "", expected_version: int | None = None,
         effective_on: date | None = None, now: datetime | None = None) -> Recommendation:
    """A recommendation trigger that needs nothing but an optional reason (start the
    assessment, monitor the implementation; the system's aggregation steps refuse).
    ``effective_on``: the day it happened, when that is not today (a historic record;
    see :func:`effective_moment`)."""
    now = _now(now)
    check_visible(actor, rec)
    _check_version(rec, expected_version)
    trig = RECOMMENDATION.trigger(trigger)
    reason = _text(reason, "reason", required=trig.needs_reason, limit=MAX_REASON)
    effective_at = effective_moment(effective_on or brussels_date(now), now,
                                    after=latest_moment(session, rec))
    _fire_rec(session, actor, rec, trigger, now, reason=reason, effective_at=effective_at)
    return rec


def close(session: Session, actor: Actor, rec: Recommendation, *, closure_reason: str = "",
          reason: str = "", expected_version: int | None = None,
          closed_on: date | None = None, now: datetime | None = None) -> Recommendation:
    """Close the case with a reason; ``closed_on`` is the day of the decision when it is
    not today (a historic record; see :func:`effective_moment`)."""
    now = _now(now)
    check_visible(actor, rec)
    _check_version(rec, expected_version)
    if closure_reason not in CLOSURE_REASONS:
        raise errors.ValidationError(
            f"unknown closure reason {closure_reason!r}; choose one of "
            f"{', '.join(CLOSURE_REASONS)}", field="closure_reason", rule="closure_reason",
            params={"value": closure_reason, "allowed": list(CLOSURE_REASONS)})
    reason = _text(reason, "reason", limit=MAX_REASON)
    params = {"closure_reason": closure_reason}
    refused = RECOMMENDATION.refusal(rec, RECOMMENDATION.trigger("close"), actor.role, params)
    if refused:
        raise refused
    effective_at = effective_moment(closed_on or brussels_date(now), now, field="closed_on",
                                    after=latest_moment(session, rec))
    rec.closure_reason = closure_reason
    rec.closed_at = now
    _fire_rec(session, actor, rec, "close", now, reason=reason, params=params,
              payload={"closure_reason": closure_reason}, effective_at=effective_at)
    return rec


def may_ask_again(entry: CaseAddressee) -> bool:
    """Whether a follow-up question can go to this addressee: it gave its final reply."""
    return entry.state in ANSWER.trigger("ask_again").sources


def request_follow_up(session: Session, actor: Actor, rec: Recommendation, *, reason: str = "",
                      addressees: Iterable[str] = (), deadline_rule: str | None = None,
                      expected_version: int | None = None,
                      now: datetime | None = None) -> Recommendation:
    """The committee finds answers unsatisfactory: it asks the chosen addressees again;
    each gets a new due date counted from today."""
    now = _now(now)
    check_visible(actor, rec)
    _check_version(rec, expected_version)
    refused = RECOMMENDATION.refusal(rec, RECOMMENDATION.trigger("request_follow_up"),
                                     actor.role, {})
    if refused:
        raise refused
    question = _text(reason, "reason", required=True, limit=MAX_REASON)
    codes = list(dict.fromkeys(addressees or ()))
    if not codes:
        raise errors.ValidationError("choose the addressees the follow-up question goes to",
                                     field="addressees", rule="some_addressee")
    rule = _rule(deadline_rule or rec.deadline_rule)
    # Check every addressee before asking anyone again.
    entries = [entry_of(rec, code) for code in codes]
    for entry in entries:
        if not may_ask_again(entry):
            raise errors.TransitionRefused(
                f"cannot ask {entry.addressee_code} again: it has not given its final reply "
                f"yet (it is {ANSWER.state(entry.state).label})", rule="final_reply_given")
    rec.closure_reason = None
    _fire_rec(session, actor, rec, "request_follow_up", now, reason=question,
              payload={"addressees": [{"code": c, "required": rec.entry(c).is_required}
                                      for c in codes]})
    today = brussels_date(now)
    for entry in entries:
        code = entry.addressee_code
        before = ANSWER.fire(entry, "ask_again", SYSTEM_ACTOR.role, {})
        entry.position = None
        entry.answered_on = None
        entry.deadline_rule = rule.to_text()
        entry.clock_start = today
        entry.adjustments.clear()
        entry.clock_stopped_on = None
        due = _apply_due(entry, now)
        _touch(rec, now)
        _flush(session)
        history.record(session, actor=actor, action="ask_again", entity="answer", now=now,
                       recommendation=rec, addressee_code=code, from_state=before,
                       to_state=entry.state, reason=question,
                       payload={"due_at": {code: history.format_utc(due.due_at)}, "position": None})
    return rec


def reopen(session: Session, actor: Actor, rec: Recommendation, *, reason: str = "",
           expected_version: int | None = None, reopened_on: date | None = None,
           now: datetime | None = None) -> Recommendation:
    now = _now(now)
    check_visible(actor, rec)
    _check_version(rec, expected_version)
    reason = _text(reason, "reason", required=True, limit=MAX_REASON)
    refused = RECOMMENDATION.refusal(rec, RECOMMENDATION.trigger("reopen"), actor.role, {})
    if refused:
        raise refused
    effective_at = effective_moment(reopened_on or brussels_date(now), now,
                                    field="reopened_on", after=latest_moment(session, rec))
    previous = rec.closure_reason
    rec.closure_reason = None
    rec.closed_at = None
    _fire_rec(session, actor, rec, "reopen", now, reason=reason, effective_at=effective_at,
              payload={"previous_closure_reason": previous})
    return rec


def _aggregate(session: Session, rec: Recommendation, now: datetime, caused_by: Actor,
               effective_at: datetime | None = None) -> None:
    """The declared aggregation rule: the case follows its addressees."""
    for trigger in ("complete_answers", "receive_reaction"):
        trig = RECOMMENDATION.trigger(trigger)
        if RECOMMENDATION.refusal(rec, trig, SYSTEM_ACTOR.role, {}) is None:
            _fire_rec(session, SYSTEM_ACTOR, rec, trigger, now,
                      payload={"caused_by": caused_by.username}, effective_at=effective_at)
            return


# ---------------------------------------------------------------------------
# Answers

KINDS = REPLY_TRIGGERS


def _answer_fields(kind, position, text_nl, text_fr, letter_date, adopted_on):
    if kind not in KINDS:
        raise errors.ValidationError(f"unknown kind of reply {kind!r}; choose interim, final "
                                     "or declined", field="kind", rule="reply_kind",
                                     params={"value": kind})
    if position is not None and position != "" and position not in POSITIONS:
        raise errors.ValidationError(f"unknown position {position!r}; choose one of "
                                     f"{', '.join(POSITIONS)}", field="position",
                                     rule="position_known", params={"value": position})
    text_nl = _text(text_nl, "text_nl")
    text_fr = _text(text_fr, "text_fr")
    if letter_date is not None and letter_date < adopted_on:
        raise errors.ValidationError(
            f"the date on the letter ({letter_date}) is before the recommendation was adopted "
            f"({adopted_on})", field="letter_date", rule="letter_after_adoption",
            params={"date": letter_date, "adopted_on": adopted_on})
    return position or None, text_nl, text_fr


def draft_of(entry: CaseAddressee, organisation: str | None = None) -> Answer | None:
    """The draft reply of ``organisation`` (default: the addressee itself). A draft
    belongs to the organisation that wrote it: the secretariat recording a paper
    reply never picks up a ministry's private draft, nor the other way round."""
    organisation = organisation or entry.addressee_code
    return next((a for a in entry.answers
                 if a.status == "draft" and a.author_org == organisation), None)


def save_draft(session: Session, actor: Actor, entry: CaseAddressee, *, kind: str = "final",
               position: str | None = None, text_nl: str = "", text_fr: str = "",
               letter_date: date | None = None, draft_version: int | None = None,
               now: datetime | None = None) -> Answer:
    """Create or update the addressee's draft reply (not visible outside its organisation)."""
    now = _now(now)
    check_entry_scope(actor, entry)
    trig = ANSWER.trigger(KINDS.get(kind, "submit_answer"))
    refused = ANSWER.refusal(entry, trig, actor.role, {})
    if refused:
        raise refused
    position, text_nl, text_fr = _answer_fields(kind, position, text_nl, text_fr, letter_date,
                                                entry.recommendation.adopted_on)
    draft = draft_of(entry, actor.organisation)
    if draft is None:
        draft = Answer(kind=kind, status="draft", author=actor.username,
                       author_org=actor.organisation, created_at=now)
        entry.answers.append(draft)
    elif draft_version is not None and int(draft_version) != draft.version:
        raise errors.ConflictError("the draft was changed meanwhile; reload it and try again")
    draft.kind, draft.position, draft.text_nl, draft.text_fr = kind, position, text_nl, text_fr
    draft.letter_date, draft.updated_at = letter_date, now
    _flush(session)
    return draft


def submit_reply(session: Session, actor: Actor, entry: CaseAddressee, *, kind: str,
                 position: str | None = None, text_nl: str = "", text_fr: str = "",
                 letter_date: date | None = None, received_on: date | None = None,
                 reason: str = "", expected_version: int | None = None,
                 now: datetime | None = None) -> Answer:
    """Submit an interim reply, a final answer (with a position) or a refusal to answer.

    A ministry submits its own (received today); the secretariat records a reply
    received on paper on the addressee's behalf, with the date it was received.
    The addressee's draft, if any, becomes the submitted version."""
    now = _now(now)
    check_entry_scope(actor, entry)
    rec = entry.recommendation
    _check_version(rec, expected_version)
    trigger = KINDS.get(kind)
    position, text_nl, text_fr = _answer_fields(kind, position, text_nl, text_fr, letter_date,
                                                rec.adopted_on)
    refused = ANSWER.refusal(entry, ANSWER.trigger(trigger), actor.role, {})
    if refused:
        raise refused
    today = brussels_date(now)
    if actor.role == MINISTRY or received_on is None:
        received_on = today
    if received_on > today:
        raise errors.ValidationError(f"the date received ({received_on}) is in the future",
                                     field="received_on", rule="not_in_future",
                                     params={"date": received_on})
    if entry.clock_start and received_on < entry.clock_start:
        raise errors.ValidationError(
            f"the date received ({received_on}) is before the recommendation was sent "
            f"({entry.clock_start})", field="received_on", rule="received_after_sending",
            params={"date": received_on, "sent_on": entry.clock_start})
    effective_at = effective_moment(received_on, now, field="received_on",
                                    after=latest_moment(session, rec, entry.addressee_code))
    if letter_date is not None and letter_date > received_on:
        raise errors.ValidationError(
            f"the date on the letter ({letter_date}) is after the date it was received "
            f"({received_on})", field="letter_date", rule="letter_before_receipt",
            params={"date": letter_date, "received_on": received_on})
    if kind == "final" and not position:
        raise errors.ValidationError("a final answer needs a position: agrees, partly agrees, "
                                     "disagrees or takes note", field="position",
                                     rule="final_has_position")
    if kind != "declined" and not (text_nl or text_fr):
        raise errors.ValidationError("give the text of the reply in Dutch, French or both",
                                     field="text_nl", rule="reply_text")
    if kind == "declined":
        reason = _text(reason or text_nl or text_fr, "reason", required=True, limit=MAX_REASON)
    answer = draft_of(entry, actor.organisation)
    if answer is None:
        answer = Answer(author=actor.username, author_org=actor.organisation, created_at=now)
        entry.answers.append(answer)
    answer.kind, answer.status, answer.position = kind, "submitted", position
    answer.text_nl, answer.text_fr, answer.letter_date = text_nl, text_fr, letter_date
    answer.received_on, answer.submitted_at, answer.updated_at = received_on, now, now
    before = ANSWER.fire(entry, trigger, actor.role, {})
    if kind == "final":
        entry.position = position
    if kind in ("final", "declined"):
        entry.answered_on = received_on
    _touch(rec, now)
    _flush(session)
    history.record(
        session, actor=actor, action=trigger, entity="answer", now=now, recommendation=rec,
        addressee_code=entry.addressee_code, from_state=before, to_state=entry.state,
        reason=reason, effective_at=effective_at,
        payload={"answer_id": answer.id, "kind": kind, "position": position,
                 "letter_date": letter_date.isoformat() if letter_date else None,
                 "received_on": received_on.isoformat(),
                 "on_behalf": actor.organisation != entry.addressee_code,
                 "text_sha256": hashlib.sha256(f"{text_nl}\n{text_fr}".encode()).hexdigest(),
                 "attachments": [a.sha256 for a in answer.attachments]},
    )
    _aggregate(session, rec, now, actor, effective_at)
    return answer


def waive(session: Session, actor: Actor, entry: CaseAddressee, *, reason: str = "",
          expected_version: int | None = None, now: datetime | None = None) -> CaseAddressee:
    """Waive an addressee's answer because a collective Committee of Ministers answer covers it."""
    now = _now(now)
    check_entry_scope(actor, entry)
    rec = entry.recommendation
    _check_version(rec, expected_version)
    reason = _text(reason, "reason", required=True, limit=MAX_REASON)
    before = ANSWER.fire(entry, "waive", actor.role, {})
    _touch(rec, now)
    _flush(session)
    history.record(session, actor=actor, action="waive", entity="answer", now=now,
                   recommendation=rec, addressee_code=entry.addressee_code, from_state=before,
                   to_state=entry.state, reason=reason)
    _aggregate(session, rec, now, actor)
    return entry


def add_attachment(session: Session, actor: Actor, answer: Answer, *, filename: str,
                   content: bytes, content_type: str | None = None,
                   now: datetime | None = None) -> Attachment:
    """Attach a PDF to a draft reply (size-limited, checked by content, not by name)."""
    now = _now(now)
    check_entry_scope(actor, answer.entry)
    if answer.status != "draft":
        raise errors.TransitionRefused("attachments are added to a draft, before it is "
                                       "submitted", rule="draft_only")
    if answer.author_org != actor.organisation:
        raise errors.NotInScope("no such draft in your scope", rule="draft_in_scope")
    filename = _text(filename, "filename", required=True, limit=255).replace("/", "_")
    # The type is decided by the content, whatever the browser claimed.
    content_type = next((t for t, magic in ATTACHMENT_TYPES.items()
                         if content.startswith(magic)), None)
    if content_type is None:
        raise errors.ValidationError(f"{filename} is not a PDF file; attach answers as PDF",
                                     field="attachment", rule="pdf_only",
                                     params={"name": filename})
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise errors.ValidationError(
            f"{filename} is {len(content) // 1024} KiB; the limit is "
            f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB", field="attachment",
            rule="attachment_size", params={"name": filename, "size": len(content),
                                            "limit": MAX_ATTACHMENT_BYTES})
    att = Attachment(filename=filename, content_type=content_type, size=len(content),
                     sha256=hashlib.sha256(content).hexdigest(), content=content,
                     uploaded_by=actor.username, created_at=now)
    answer.attachments.append(att)
    answer.updated_at = now
    _flush(session)
    return att


# ---------------------------------------------------------------------------
# The one dispatcher: any declared trigger a person fires, by name


def _reply(trigger: str):
    kind = next(k for k, t in REPLY_TRIGGERS.items() if t == trigger)

    def send(session, actor, entry, **params):
        return submit_reply(session, actor, entry, kind=kind, **params)
    return send


def _refuse(session, actor, entry, *, request=None, **params):
    return refuse_extension(session, actor, _request_of(entry, request), **params)


def _request_of(entry: CaseAddressee, request) -> ExtensionRequest:
    """The request for more time meant (an id, the request, or the open one)."""
    if isinstance(request, ExtensionRequest) and request.entry is entry:
        return request
    for candidate in entry.extension_requests:
        wanted = candidate.status == "open" if request is None else \
            str(candidate.id) == str(request)
        if wanted:
            return candidate
    raise errors.NotInScope(f"no such request for more time of {entry.addressee_code}",
                          field="request")


# The operation that carries out each trigger; system triggers are fired by these.
OPERATIONS: dict[str, Callable] = {
    "transmit": transmit, "start_assessment": step, "start_monitoring": step,
    "request_follow_up": request_follow_up, "close": close, "reopen": reopen,
    **{name: _reply(name) for name in REPLY_TRIGGERS.values()},
    "waive": waive, "grant_extension": grant_extension, "request_extension": request_extension,
    "refuse_extension": _refuse, "stop_clock": stop_clock, "resume_clock": resume_clock,
}


# Where each trigger takes the day it happened, for a historic record (``effective_on``).
HISTORIC_DAY = {"transmit": "transmitted_on", "close": "closed_on", "reopen": "reopened_on",
                "start_assessment": "effective_on", "start_monitoring": "effective_on",
                **{name: "received_on" for name in REPLY_TRIGGERS.values()}}


def fire(session: Session, actor: Actor, rec: Recommendation, trigger: str, *,
         addressee: str | None = None, expected_version: int | None = None,
         effective_on: date | None = None, now: datetime | None = None, **params):
    """Fire any trigger by name: a recommendation trigger, or with ``addressee`` an answer
    trigger of that addressee. The one entry point of the web pages, the API, the CLI and
    the importer; ``params`` are the trigger's declared parameters (``Trigger.params``);
    ``effective_on`` is the day it happened when that is not today (a historic record)."""
    lifecycle = RECOMMENDATION if addressee is None else ANSWER
    trig = lifecycle.trigger(trigger)
    operation = OPERATIONS.get(trig.name)
    if operation is None:  # a system action: the lifecycle names why a person cannot
        target = rec if addressee is None else entry_of(rec, addressee)
        check_visible(actor, rec)
        raise lifecycle.refusal(target, trig, actor.role, {}) or errors.TransitionRefused(
            f"cannot {trig.label}: the system does this", rule="role")
    unknown = sorted(set(params) - set(trig.params))
    if unknown:
        raise errors.ValidationError(
            f"{trigger} takes {', '.join(trig.params) or 'no details'}, not "
            f"{', '.join(unknown)}", field=unknown[0])
    kwargs = {"now": now, "expected_version": expected_version, **params}
    if effective_on is not None and effective_on != brussels_date(_now(now)):
        if trig.name not in HISTORIC_DAY:
            raise errors.ValidationError(
                f"{trig.label} cannot be recorded with an earlier date: it takes effect "
                "today", field="effective_on", rule="happens_today",
                params={"trigger": trig.name})
        kwargs.setdefault(HISTORIC_DAY[trig.name], effective_on)
    if operation is step:
        return step(session, actor, rec, trigger, **kwargs)
    if addressee is None:
        return operation(session, actor, rec, **kwargs)
    return operation(session, actor, entry_of(rec, addressee), **kwargs)

