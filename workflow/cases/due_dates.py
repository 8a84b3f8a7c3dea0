"""Due dates of addressee entries: computing and explaining them, their status at a moment, and
the deadline actions (extensions, requests for more time, clock stops) declared in the
answer lifecycle."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from workflow import deadlines, errors, history
from workflow.actors import Actor
from workflow.cases import catalogue
from workflow.cases.calendars import annual_dates, calendar_for, declarations_of
from workflow.cases.models import (
    Addressee,
    CaseAddressee,
    ClosingDay,
    DeadlineAdjustment,
    ExtensionRequest,
    Recommendation,
)
from workflow.cases.scope import check_entry_scope
from workflow.checks import (
    MAX_REASON,
    check_version,
    clean_text,
    flush,
    parse_rule,
    require_role,
    resolve_now,
    touch,
)
from workflow.clock import brussels_date
from workflow.deadlines import policy as deadline_policy
from workflow.lifecycle import (
    ANSWER,
    SECRETARIAT,
)
from workflow.publishing import figures


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


def load_due_inputs(session: Session, entries: Iterable[CaseAddressee]) -> None:
    """Load what the due dates of ``entries`` depend on and is not loaded yet (each
    entry's adjustments, each addressee's declared closing days) in one statement each,
    rather than two lazy loads per entry."""
    entries = [e for e in entries if e.id is not None]
    bare = [e for e in entries if "adjustments" in inspect(e).unloaded]
    if bare:
        found: dict[int, list[DeadlineAdjustment]] = {e.id: [] for e in bare}
        for adj in session.scalars(select(DeadlineAdjustment).where(
                DeadlineAdjustment.case_addressee_id.in_(found))
                .order_by(DeadlineAdjustment.id)):
            found[adj.case_addressee_id].append(adj)
        for e in bare:
            set_committed_value(e, "adjustments", found[e.id])
    bodies = {e.addressee.code: e.addressee for e in entries
              if "closing_days" in inspect(e.addressee).unloaded}
    if bodies:
        days: dict[str, list[ClosingDay]] = {code: [] for code in bodies}
        for day in session.scalars(select(ClosingDay).where(
                ClosingDay.addressee_code.in_(days)).order_by(ClosingDay.day)):
            days[day.addressee_code].append(day)
        for code, body in bodies.items():
            set_committed_value(body, "closing_days", days[code])


def compute_entry_due(entry: CaseAddressee) -> deadlines.DueDate:
    try:
        return deadlines.compute_due(entry.clock_start, parse_rule(entry.deadline_rule),
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


def apply_due(entry: CaseAddressee, now: datetime) -> deadlines.DueDate:
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
    return deadlines.status_cutoffs(resolve_now(now), **_policy(policy))


def due_status(due_at: datetime | None, now: datetime | None = None,
               **policy) -> deadlines.DeadlineStatus:
    """The status of a due moment that counts (e.g. the oldest overdue of a list)."""
    return deadlines.deadline_status(due_at, resolve_now(now), **_policy(policy))


def deadline_status(entry: CaseAddressee, now: datetime | None = None,
                    **policy) -> deadlines.DeadlineStatus:
    """The entry's status with days overdue and next reminder. Overdue only while a
    required answer is awaited and its clock runs (the stored ``live_due_at``); the
    status name is ``entry.deadline_status_name``, the twin of the SQL rule
    ``CaseAddressee.deadline_in``."""
    policy = _policy(policy)
    cutoffs = deadlines.status_cutoffs(resolve_now(now), **policy)
    name = entry.deadline_status_name(cutoffs)
    if name in ("no_deadline", "paused"):
        return deadlines.DeadlineStatus(name, 0, None)
    return deadlines.deadline_status(entry.live_due_at, cutoffs.now, **policy)


def working_days_left(entry: CaseAddressee, now: datetime | None = None) -> int | None:
    if entry.due_at is None:
        return None
    today = brussels_date(resolve_now(now))
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
    now = resolve_now(now)
    check_entry_scope(actor, entry)
    require_role(actor, SECRETARIAT, "recompute a due date")
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
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
    due = apply_due(entry, now)
    figures.note_due_set(entry, now)
    touch(entry.recommendation, now)
    flush(session)
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
    now = resolve_now(now)
    _fire_deadline_action(actor, entry, "grant_extension")
    check_version(entry.recommendation, expected_version)
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
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
    now = resolve_now(now)
    _fire_deadline_action(actor, entry, "stop_clock")
    check_version(entry.recommendation, expected_version)
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
    if start is None:
        raise errors.ValidationError("give the day the clock stops from", field="start",
                                     rule="required")
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
    touch(entry.recommendation, now)
    flush(session)
    history.record(session, actor=actor, action="stop_clock", entity="deadline", now=now,
                   recommendation=entry.recommendation, addressee_code=entry.addressee_code,
                   reason=reason, payload={"start": start.isoformat()})


def resume_clock(session: Session, actor: Actor, entry: CaseAddressee, *,
                 end: date | None = None,
                 reason: str = "", expected_version: int | None = None,
                 now: datetime | None = None) -> deadlines.DueDate:
    """Resume a stopped clock; ``end`` is the last stopped day."""
    now = resolve_now(now)
    _fire_deadline_action(actor, entry, "resume_clock")
    check_version(entry.recommendation, expected_version)
    stop = running_clock_stop(entry)
    if end is None:
        raise errors.ValidationError("give the last stopped day", field="end", rule="required")
    if end < stop.start_on:
        raise errors.ValidationError(f"the clock cannot resume before it stopped "
                                     f"({stop.start_on})", field="end",
                                     rule="resume_after_stop", params={"start": stop.start_on})
    stop.end_on = end
    entry.clock_stopped_on = None
    if reason:
        stop.reason = f"{stop.reason}; {clean_text(reason, 'reason', limit=MAX_REASON)}"
    return _redate(session, actor, entry, now, "resume_clock", reason,
                   {"start": stop.start_on.isoformat(), "end": end.isoformat()})


def request_extension(session: Session, actor: Actor, entry: CaseAddressee, *,
                      requested_date: date | None = None, reason: str = "",
                      expected_version: int | None = None,
                      now: datetime | None = None) -> ExtensionRequest:
    """A ministry asks for more time, with a reason; the secretariat decides."""
    now = resolve_now(now)
    _fire_deadline_action(actor, entry, "request_extension")
    check_version(entry.recommendation, expected_version)
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
    if requested_date is not None and entry.due_at and \
            requested_date <= brussels_date(entry.due_at):
        raise errors.ValidationError(
            f"the date asked for ({requested_date}) is not later than the current due date "
            f"{brussels_date(entry.due_at)}", field="requested_date", rule="later_than_due",
            params={"date": requested_date, "due": brussels_date(entry.due_at)})
    req = ExtensionRequest(requested_date=requested_date, reason=reason, status="open",
                           requested_by=actor.username, created_at=now)
    entry.extension_requests.append(req)
    touch(entry.recommendation, now)
    flush(session)
    history.record(session, actor=actor, action="request_extension", entity="deadline", now=now,
                   recommendation=entry.recommendation, addressee_code=entry.addressee_code,
                   reason=reason, payload={"requested_date": requested_date.isoformat()
                                           if requested_date else None})
    return req


def refuse_extension(session: Session, actor: Actor, request: ExtensionRequest, *,
                     reason: str = "",
                     expected_version: int | None = None, now: datetime | None = None) -> None:
    now = resolve_now(now)
    _fire_deadline_action(actor, request.entry, "refuse_extension", {"request": request})
    check_version(request.entry.recommendation, expected_version)
    request.status, request.decided_by, request.decided_at = "refused", actor.username, now
    entry = request.entry
    touch(entry.recommendation, now)
    flush(session)
    history.record(session, actor=actor, action="refuse_extension", entity="deadline", now=now,
                   recommendation=entry.recommendation, addressee_code=entry.addressee_code,
                   reason=clean_text(reason, "reason", required=True, limit=MAX_REASON))


# --------------------------------------------------------------------------- calendar changes

# How far from today a closing day may be changed: from the start of last year (a day
# closed at short notice is declared afterwards) to ten years ahead.
CHANGE_YEARS_BACK, CHANGE_YEARS_AHEAD = 1, 10


@dataclass(frozen=True)
class MovedDueDate:
    """An open due date that a calendar change moves: the entry, its stored due moment and
    the due date the changed calendar gives (with its explanation)."""

    entry: CaseAddressee
    old_due_at: datetime
    new: deadlines.DueDate


@dataclass(frozen=True)
class CalendarChangePreview:
    """What a calendar change would do, computed without writing anything."""

    addressee: Addressee
    day: date
    remove: bool
    is_open: bool
    moved: tuple[MovedDueDate, ...]

    @property
    def digest(self) -> str:
        """A fingerprint of the moves shown, to check at "apply" that they still hold."""
        text = "|".join(f"{m.entry.id}:{history.format_utc(m.old_due_at)}:"
                        f"{history.format_utc(m.new.due_at)}" for m in self.moved)
        return hashlib.sha256(f"{self.addressee.code}|{self.day}|{self.remove}|"
                              f"{self.is_open}|{text}".encode()).hexdigest()


def _calendar_refusal(rule: str, message: str, **params) -> errors.ValidationError:
    return errors.ValidationError(message, field="day", rule=rule, params=params)


def _changed_declarations(addressee: Addressee, day: date, remove: bool, is_open: bool,
                          now: datetime) -> dict[date, bool]:
    """The declared days after the change, or a refusal saying why the change makes no
    sense (already so, a weekend, out of range, nothing to remove)."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise _calendar_refusal("calendar_day", f"the day must be a date, not {day!r}")
    today = brussels_date(now)
    low = date(today.year - CHANGE_YEARS_BACK, 1, 1)
    high = date(today.year + CHANGE_YEARS_AHEAD, 12, 31)
    if not low <= day <= high:
        raise _calendar_refusal("calendar_day_range",
                                f"{day} is too far from today; change days from {low} "
                                f"to {high}", day=day, low=low, high=high)
    code = addressee.code
    declared = declarations_of(addressee)
    if remove:
        if day not in declared:
            if day in annual_dates(addressee, day.year):
                raise _calendar_refusal(
                    "annual_closing_day", f"{day} is an annual closing day of {code} (from "
                    "the catalogue); it cannot be removed, but it can be declared a working "
                    "day", day=day, addressee=code)
            raise _calendar_refusal("not_declared", f"{day} is not a declared day of {code}",
                                    day=day, addressee=code)
        changed = dict(declared)
        del changed[day]
        return changed
    if day in declared:
        rule = "already_declared_open" if declared[day] else "already_closing_day"
        raise _calendar_refusal(rule, f"{day} is already declared for {code} "
                                f"({'a working day' if declared[day] else 'a closing day'}); "
                                "remove that declaration first", day=day, addressee=code)
    if day.weekday() >= 5:
        raise _calendar_refusal("weekend_day", f"{day} is a weekend day, never a working day",
                                day=day)
    calendar = calendar_for(addressee, declared)
    is_holiday = bool(calendar.holidays_in(day.year).get(day))
    is_annual = day in annual_dates(addressee, day.year)
    if not is_open and (is_holiday or is_annual):
        rule = "already_holiday" if is_holiday else "already_closing_day"
        raise _calendar_refusal(rule, f"{day} is already a non-working day of {code} "
                                f"({'a public holiday' if is_holiday else 'a closing day'})",
                                day=day, addressee=code)
    if is_open and not (is_holiday or is_annual):
        raise _calendar_refusal("already_working_day", f"{day} is already a working day of "
                                f"{code}; only a holiday or closing day can be declared a "
                                "working day", day=day, addressee=code)
    return {**declared, day: is_open}


def open_entries_of(session: Session, code: str) -> list[CaseAddressee]:
    """The addressee's entries with a stored due date whose answer is still awaited."""
    return list(session.scalars(
        select(CaseAddressee)
        .where(CaseAddressee.addressee_code == code, CaseAddressee.is_awaited,
               CaseAddressee.due_at.is_not(None))
        .options(joinedload(CaseAddressee.recommendation),
                 selectinload(CaseAddressee.adjustments))
        .order_by(CaseAddressee.due_at, CaseAddressee.id)))


def preview_calendar_change(session: Session, code: str, day: date, *, remove: bool = False,
                            is_open: bool = False,
                            now: datetime | None = None) -> CalendarChangePreview:
    """Which open due dates of addressee ``code`` declaring ``day`` a closing day
    (``is_open``: a working day; ``remove``: removing its declaration) would move, old
    date and new. Pure: builds the calendar as it would be and recomputes the entries in
    memory; nothing is written or flushed."""
    now = resolve_now(now)
    with session.no_autoflush:
        addressee = catalogue.get_addressee(session, code)
        changed = _changed_declarations(addressee, day, remove, is_open, now)
        calendar = calendar_for(addressee, changed)
        moved = []
        for entry in open_entries_of(session, code):
            try:
                fresh = deadlines.compute_due(entry.clock_start,
                                              parse_rule(entry.deadline_rule), calendar,
                                              adjustments_of(entry))
            except deadlines.DeadlineError as exc:
                raise errors.ValidationError(str(exc), field="deadline") from exc
            if fresh.due_at != entry.due_at:
                moved.append(MovedDueDate(entry=entry, old_due_at=entry.due_at, new=fresh))
    return CalendarChangePreview(addressee=addressee, day=day, remove=remove,
                                 is_open=is_open, moved=tuple(moved))


def apply_calendar_change(session: Session, actor: Actor, code: str, day: date, *,
                          reason: str, remove: bool = False, is_open: bool = False,
                          expected_digest: str | None = None,
                          now: datetime | None = None) -> CalendarChangePreview:
    """Change the calendar (:func:`catalogue.set_closing_day`) and recompute every open due
    date it moves (:func:`recompute_due_date`), each in the history. ``expected_digest``
    (of the preview the user confirmed) refuses the change when the moves differ now."""
    now = resolve_now(now)
    require_role(actor, SECRETARIAT, "change a calendar")
    reason = clean_text(reason, "reason", required=True, limit=200)
    preview = preview_calendar_change(session, code, day, remove=remove, is_open=is_open,
                                      now=now)
    if expected_digest is not None and expected_digest != preview.digest:
        raise errors.ConflictError(
            f"the due dates this change of {code}'s calendar moves changed since the preview; "
            "look at the new preview and confirm again", rule="calendar_preview_changed",
            params={"addressee": code})
    catalogue.set_closing_day(session, actor, code, day, note=reason, is_open=is_open,
                              remove=remove, now=now)
    for moved in preview.moved:
        recompute_due_date(session, actor, moved.entry, reason=reason, now=now)
        if moved.entry.due_at != moved.new.due_at:  # pragma: no cover - one calendar rule
            raise errors.ConflictError(f"the recomputed due date of {code} on "
                                       f"{moved.entry.recommendation.doc_number} differs from "
                                       "the preview; nothing was saved")
    return preview
