"""Asking a written question, recording its answer (the secretariat, from a letter; the
addressee's ministry, online) and withdrawing it. Each flushes and writes its history
event; the caller commits.

The due date follows the question's rule (default: the configured policy's) from the day
it was asked, on the addressee's own working-day calendar, and is stored with the
calendar's fingerprint, as an answer's due date is."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import deadlines, errors, history
from workflow.actors import Actor
from workflow.cases.calendars import calendar_for
from workflow.cases.models import Addressee, Recommendation, first_notice_at
from workflow.cases.scope import check_visible
from workflow.checks import MAX_TEXT, MAX_TITLE, clean_text, flush, parse_rule, resolve_now
from workflow.clock import brussels_date
from workflow.deadlines import policy as deadline_policy
from workflow.history.moments import effective_moment
from workflow.lifecycle import MINISTRY, SECRETARIAT
from workflow.questions.models import ANSWERED, ASKED, WITHDRAWN, WrittenQuestion

NUMBER = re.compile(r"^Q-(\d{4})-(\d{3,5})$")
ENTITY = "question"


def check_question_visible(actor: Actor, question: WrittenQuestion) -> None:
    """A question outside the actor's scope is "not found" (never "forbidden")."""
    if not question.visible_to(actor):
        raise errors.NotInScope(f"no written question {question.number} in your scope",
                                rule="question_in_scope", params={"number": question.number})


def find_question(session: Session, number: str) -> WrittenQuestion:
    question = session.scalar(select(WrittenQuestion).where(WrittenQuestion.number == number))
    if question is None:
        raise errors.NotInScope(f"no written question {number!r}", rule="question_exists",
                                params={"number": number})
    return question


def next_number(session: Session, year: int) -> str:
    """The next free number of the year: Q-2027-001, Q-2027-002, ..."""
    prefix = f"Q-{year:04d}-"
    taken = session.scalars(select(WrittenQuestion.number)
                            .where(WrittenQuestion.number.like(f"{prefix}%")))
    last = max((int(m.group(2)) for n in taken if (m := NUMBER.match(n))), default=0)
    return f"{prefix}{last + 1:03d}"


def _number(session: Session, number: str | None, asked_on: date) -> str:
    number = (number or "").strip().upper()
    if not number:
        return next_number(session, asked_on.year)
    if not NUMBER.match(number):
        raise errors.ValidationError(
            f"malformed question number {number!r}: write Q-YEAR-NUMBER, e.g. Q-2027-001, "
            "or leave it empty to get the next one", field="number",
            rule="question_number_format", params={"value": number})
    if session.scalar(select(WrittenQuestion.id).where(WrittenQuestion.number == number)):
        raise errors.ValidationError(f"a written question {number} is already recorded",
                                     field="number", rule="question_number_unique",
                                     params={"number": number})
    return number


def _addressee(session: Session, code: str | None) -> Addressee:
    row = session.get(Addressee, code) if code else None
    if row is None:
        known = list(session.scalars(select(Addressee.code).order_by(Addressee.code)))
        raise errors.UnknownAddressee(
            f"unknown addressee {code!r}; choose one of {', '.join(known)}",
            field="addressee_code", rule="addressee_known",
            params={"addressee": code or "", "known": known})
    return row


def _date(value, field: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise errors.ValidationError(f"{field.replace('_', ' ')} must be a date (YYYY-MM-DD)",
                                     field=field, rule="date_format")
    return value


def _due(asked_on: date, rule_text: str, addressee: Addressee) -> tuple[str, deadlines.DueDate]:
    rule = parse_rule(rule_text, field="rule")
    if rule.kind == "fixed_date" and rule.fixed_date <= asked_on:
        raise errors.ValidationError(
            f"the due date {rule.fixed_date} is not after the day the question was asked "
            f"({asked_on})", field="rule", rule="fixed_after_asked",
            params={"date": rule.fixed_date, "asked_on": asked_on})
    try:
        return rule.to_text(), deadlines.compute_due(asked_on, rule, calendar_for(addressee))
    except deadlines.DeadlineError as exc:
        raise errors.ValidationError(str(exc), field="rule", rule="due_date",
                                     params={"text": rule_text}) from exc


def ask_question(session: Session, actor: Actor, *, addressee_code: str, subject: str,
                 text: str, asked_on: date, asker: str, recommendation: Recommendation | None
                 = None, number: str | None = None, rule: str | None = None,
                 now: datetime | None = None) -> WrittenQuestion:
    """Record a written question put by a member (the secretariat records it). ``number``
    empty: the next of the year it was asked; ``rule`` empty: the configured default."""
    now = resolve_now(now)
    if actor.role != SECRETARIAT:
        raise errors.PermissionDenied(
            f"only the secretariat records written questions (you are {actor.role})",
            rule="role", params={"roles": [SECRETARIAT]})
    addressee = _addressee(session, addressee_code)
    asked_on = _date(asked_on, "asked_on")
    effective_at = effective_moment(asked_on, now, field="asked_on")
    if recommendation is not None:
        check_visible(actor, recommendation)
        if asked_on < recommendation.adopted_on:
            raise errors.ValidationError(
                f"the question is dated {asked_on}, before recommendation "
                f"{recommendation.doc_number} was adopted ({recommendation.adopted_on})",
                field="asked_on", rule="asked_after_adoption",
                params={"date": asked_on, "adopted_on": recommendation.adopted_on,
                        "doc_number": recommendation.doc_number})
    asker = clean_text(asker, "asker", required=True, limit=200)
    subject = clean_text(subject, "subject", required=True, limit=MAX_TITLE)
    text = clean_text(text, "text", required=True, limit=MAX_TEXT)
    rule_text, due = _due(asked_on, rule or deadline_policy.current().default_rule, addressee)
    question = WrittenQuestion(
        number=_number(session, number, asked_on), recommendation=recommendation,
        addressee_code=addressee.code, asker=asker, subject=subject, text=text,
        asked_on=asked_on, rule=rule_text, due_at=due.due_at,
        calendar_fingerprint=due.fingerprint, state=ASKED, answer_text="",
        created_at=now, updated_at=now,
        next_notice_at=first_notice_at(due.due_at, deadline_policy.current()))
    session.add(question)
    flush(session)
    history.record(
        session, actor=actor, action="ask_question", entity=ENTITY, now=now,
        effective_at=effective_at, recommendation=recommendation,
        addressee_code=addressee.code,
        payload={"question_id": question.id, "number": question.number,
                 "subject": subject, "asker": asker, "asked_on": asked_on.isoformat(),
                 "rule": rule_text, "due_at": history.format_utc(due.due_at),
                 "state": ASKED})
    return question


def _check_version(question: WrittenQuestion, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != question.version:
        raise errors.ConflictError(
            f"written question {question.number} was changed meanwhile (it is now at version "
            f"{question.version}, you had version {expected_version}); reload it and try again",
            rule="question_version", params={"number": question.number,
                                             "version": question.version,
                                             "expected": expected_version})


def _check_open(question: WrittenQuestion) -> None:
    if question.state != ASKED:
        raise errors.ValidationError(
            f"written question {question.number} is {question.state}; only a question still "
            "awaiting its answer can be answered or withdrawn", field="state",
            rule="question_open", params={"number": question.number, "state": question.state})


def _close(question: WrittenQuestion, state: str, now: datetime) -> None:
    question.state = state
    question.next_notice_at = None  # no more reminders
    question.updated_at = now


def answer_question(session: Session, actor: Actor, question: WrittenQuestion, *,
                    answer_text: str, answered_on: date | None = None,
                    expected_version: int | None = None,
                    now: datetime | None = None) -> WrittenQuestion:
    """Record the answer: the secretariat from the letter (``answered_on``: the day it
    was received, default today), or the addressee's ministry online (today)."""
    now = resolve_now(now)
    if actor.role not in (SECRETARIAT, MINISTRY):
        raise errors.PermissionDenied(
            f"only the secretariat or the addressee's ministry records the answer to a "
            f"written question (you are {actor.role})", rule="role",
            params={"roles": [SECRETARIAT, MINISTRY]})
    check_question_visible(actor, question)
    _check_version(question, expected_version)
    _check_open(question)
    today = brussels_date(now)
    if actor.role == MINISTRY or answered_on is None:
        answered_on = today
    answered_on = _date(answered_on, "answered_on")
    if answered_on < question.asked_on:
        raise errors.ValidationError(
            f"the answer is dated {answered_on}, before the question was asked "
            f"({question.asked_on})", field="answered_on", rule="answered_after_asked",
            params={"date": answered_on, "asked_on": question.asked_on})
    effective_at = effective_moment(answered_on, now, field="answered_on")
    answer_text = clean_text(answer_text, "answer_text", required=True, limit=MAX_TEXT)
    question.answered_on, question.answer_text = answered_on, answer_text
    question.answered_by = actor.username
    _close(question, ANSWERED, now)
    flush(session)
    history.record(
        session, actor=actor, action="answer_question", entity=ENTITY, now=now,
        effective_at=effective_at, recommendation=question.recommendation,
        addressee_code=question.addressee_code,
        payload={"question_id": question.id, "number": question.number,
                 "answered_on": answered_on.isoformat(),
                 "due_at": history.format_utc(question.due_at),
                 "on_time": effective_at <= question.due_at,
                 "online": actor.role == MINISTRY, "state": ANSWERED})
    return question


def withdraw_question(session: Session, actor: Actor, question: WrittenQuestion, *,
                      reason: str = "", expected_version: int | None = None,
                      now: datetime | None = None) -> WrittenQuestion:
    """The Parliament withdraws a question still awaiting its answer (the secretariat)."""
    now = resolve_now(now)
    if actor.role != SECRETARIAT:
        raise errors.PermissionDenied(
            f"only the secretariat withdraws a written question (you are {actor.role})",
            rule="role", params={"roles": [SECRETARIAT]})
    check_question_visible(actor, question)
    _check_version(question, expected_version)
    _check_open(question)
    reason = clean_text(reason, "reason", limit=5000)
    _close(question, WITHDRAWN, now)
    flush(session)
    history.record(
        session, actor=actor, action="withdraw_question", entity=ENTITY, now=now,
        recommendation=question.recommendation, addressee_code=question.addressee_code,
        reason=reason,
        payload={"question_id": question.id, "number": question.number,
                 "due_at": history.format_utc(question.due_at), "state": WITHDRAWN})
    return question


def deadline_status(question: WrittenQuestion, now: datetime | None = None
                    ) -> deadlines.DeadlineStatus:
    """The question's deadline status at ``now`` under the configured policy: as an
    answer's, while it awaits its answer; "no deadline" once answered or withdrawn."""
    from workflow.cases.due_dates import due_status

    return due_status(question.live_due_at, now)


def working_days_left(question: WrittenQuestion, now: datetime | None = None) -> int | None:
    """Working days to the due date on the addressee's calendar (0 once it is past)."""
    now = resolve_now(now)
    if question.live_due_at is None:
        return None
    if question.due_at < now:
        return 0
    return deadlines.working_days_between(brussels_date(now), brussels_date(question.due_at),
                                          calendar_for(question.addressee))


def explain_due(question: WrittenQuestion) -> list[deadlines.Step]:
    """How the due date was computed, step by step, as data (the web words it)."""
    _text, due = _due(question.asked_on, question.rule, question.addressee)
    steps = list(due.explanation)
    if due.fingerprint != question.calendar_fingerprint:
        steps.append(deadlines.Step("calendar_changed", {}))
    return steps
