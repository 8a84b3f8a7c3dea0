"""The recommendation's transitions: transmit, assess, follow up, close, reopen, and the
aggregation rule by which the case follows its addressees."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.orm import Session

from workflow import errors, history
from workflow.actors import SYSTEM_ACTOR, Actor
from workflow.cases.due_dates import apply_due, load_due_inputs
from workflow.cases.models import CaseAddressee, Recommendation
from workflow.cases.scope import check_visible, entry_of
from workflow.checks import (
    MAX_REASON,
    check_version,
    clean_text,
    flush,
    parse_rule,
    resolve_now,
    touch,
)
from workflow.clock import brussels_date
from workflow.history.moments import effective_moment, latest_moment
from workflow.lifecycle import (
    ANSWER,
    CLOSURE_REASONS,
    RECOMMENDATION,
)
from workflow.publishing import figures


def _fire_rec(session, actor, rec, trigger, now, *, reason="", payload=None, params=None,
              effective_at=None):
    before = RECOMMENDATION.fire(rec, trigger, actor.role, params or {})
    touch(rec, now)
    flush(session)
    history.record(session, actor=actor, action=trigger, entity="recommendation", now=now,
                   recommendation=rec, from_state=before, to_state=rec.state, reason=reason,
                   payload=payload, effective_at=effective_at)


def transmit(session: Session, actor: Actor, rec: Recommendation, *,
             transmitted_on: date | None = None, expected_version: int | None = None,
             now: datetime | None = None) -> Recommendation:
    """Send the recommendation to its addressees: every answer clock starts."""
    now = resolve_now(now)
    check_visible(actor, rec)
    check_version(rec, expected_version)
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
    # Each entry is written once, at the end: without this, the calendar and adjustment
    # lookups of the next entry would flush the previous one half-done, then again.
    with session.no_autoflush:
        load_due_inputs(session, rec.addressees)
        for entry in rec.addressees:
            entry.clock_start = transmitted_on
            figures.note_transmitted(entry, transmitted_on, effective_at)
            due_dates[entry.addressee_code] = history.format_utc(apply_due(entry, now).due_at)
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
    now = resolve_now(now)
    check_visible(actor, rec)
    check_version(rec, expected_version)
    trig = RECOMMENDATION.trigger(trigger)
    reason = clean_text(reason, "reason", required=trig.needs_reason, limit=MAX_REASON)
    effective_at = effective_moment(effective_on or brussels_date(now), now,
                                    after=latest_moment(session, rec))
    _fire_rec(session, actor, rec, trigger, now, reason=reason, effective_at=effective_at)
    return rec


def close(session: Session, actor: Actor, rec: Recommendation, *, closure_reason: str = "",
          reason: str = "", expected_version: int | None = None,
          closed_on: date | None = None, without_assessment: bool = False,
          now: datetime | None = None) -> Recommendation:
    """Close the case with a reason; ``closed_on`` is the day of the decision when it is
    not today (a historic record; see :func:`effective_moment`). ``without_assessment``
    records a historic closure whose assessment is not on record: any reason fits, and
    the history says the case was closed without one."""
    now = resolve_now(now)
    check_visible(actor, rec)
    check_version(rec, expected_version)
    if closure_reason not in CLOSURE_REASONS:
        raise errors.ValidationError(
            f"unknown closure reason {closure_reason!r}; choose one of "
            f"{', '.join(CLOSURE_REASONS)}", field="closure_reason", rule="closure_reason",
            params={"value": closure_reason, "allowed": list(CLOSURE_REASONS)})
    reason = clean_text(reason, "reason", limit=MAX_REASON)
    params = {"closure_reason": closure_reason}
    payload = {"closure_reason": closure_reason}
    if without_assessment:
        params["without_assessment"] = payload["without_assessment"] = True
    refused = RECOMMENDATION.refusal(rec, RECOMMENDATION.trigger("close"), actor.role, params)
    if refused:
        raise refused
    effective_at = effective_moment(closed_on or brussels_date(now), now, field="closed_on",
                                    after=latest_moment(session, rec))
    rec.closure_reason = closure_reason
    rec.closed_at = now
    _fire_rec(session, actor, rec, "close", now, reason=reason, params=params,
              payload=payload, effective_at=effective_at)
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
    now = resolve_now(now)
    check_visible(actor, rec)
    check_version(rec, expected_version)
    refused = RECOMMENDATION.refusal(rec, RECOMMENDATION.trigger("request_follow_up"),
                                     actor.role, {})
    if refused:
        raise refused
    question = clean_text(reason, "reason", required=True, limit=MAX_REASON)
    codes = list(dict.fromkeys(addressees or ()))
    if not codes:
        raise errors.ValidationError("choose the addressees the follow-up question goes to",
                                     field="addressees", rule="some_addressee")
    rule = parse_rule(deadline_rule or rec.deadline_rule)
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
        due = apply_due(entry, now)
        figures.note_due_set(entry, now)
        touch(rec, now)
        flush(session)
        history.record(session, actor=actor, action="ask_again", entity="answer", now=now,
                       recommendation=rec, addressee_code=code, from_state=before,
                       to_state=entry.state, reason=question,
                       payload={"due_at": {code: history.format_utc(due.due_at)}, "position": None})
    return rec


def reopen(session: Session, actor: Actor, rec: Recommendation, *, reason: str = "",
           expected_version: int | None = None, reopened_on: date | None = None,
           now: datetime | None = None) -> Recommendation:
    now = resolve_now(now)
    check_visible(actor, rec)
    check_version(rec, expected_version)
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
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


def follow_addressees(session: Session, rec: Recommendation, now: datetime, caused_by: Actor,
                      effective_at: datetime | None = None) -> None:
    """The declared aggregation rule: the case follows its addressees."""
    for trigger in ("complete_answers", "receive_reaction"):
        trig = RECOMMENDATION.trigger(trigger)
        if RECOMMENDATION.refusal(rec, trig, SYSTEM_ACTOR.role, {}) is None:
            _fire_rec(session, SYSTEM_ACTOR, rec, trigger, now,
                      payload={"caused_by": caused_by.username}, effective_at=effective_at)
            return
