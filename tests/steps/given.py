"""Given steps of the specs (pytest-bdd), and what all steps share.

Shared here (when.py and then.py import it): the scenario ``context`` fixture,
the parameter types of the step texts, the actors named in the specs, and the
rule that every When step is one request: committed when it succeeds, rolled
back (and remembered for the Then steps) when the workflow refuses it.

Times: a step "on 2024-05-02" acts at 10:00 Europe/Brussels that day, the
ordinary office hour at the secretariat.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import parse
import pytest
from pytest_bdd import given, parsers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workflow import deadlines, dispatch, errors, history
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import due_dates, registration, scope, transitions
from workflow.lifecycle import ANSWER, RECOMMENDATION
from workflow.models import (
    Addressee,
    Answer,
    CaseAddressee,
    ClosingDay,
    DeadlineAdjustment,
    Event,
    ExtensionRequest,
    Recommendation,
)

# ---------------------------------------------------------------------------
# Scenarios tagged @bug show a workflow bug: the expectation is right, the
# library is wrong. They run, and must fail on an assertion until it is fixed.


def pytest_bdd_apply_tag(tag, function):
    if tag == "bug":
        mark = pytest.mark.xfail(
            strict=True, raises=AssertionError,
            reason="workflow bug: the scenario states the right behaviour; see the report",
        )
        mark(function)
        return True
    return None


# ---------------------------------------------------------------------------
# Parameter types of the step texts


@parse.with_pattern(r"\d{4}-\d{2}-\d{2}")
def _date(text: str) -> date:
    return date.fromisoformat(text)


@parse.with_pattern(r"\d{2}:\d{2}")
def _time(text: str) -> time:
    return time.fromisoformat(text)


@parse.with_pattern(r"[A-Z][A-Z-]*")
def _code(text: str) -> str:
    return text


@parse.with_pattern(r"[A-Z][A-Z-]*(?:(?:, | and )[A-Z][A-Z-]*)*")
def _codes(text: str) -> list[str]:
    return re.split(r", | and ", text)


@parse.with_pattern(r"\d+/\d+\w*")
def _doc(text: str) -> str:
    return text


@parse.with_pattern(
    r"the secretariat|another staff member|the auditor|the Committee of Ministers"
    r"|the ministry of [A-Z][A-Z-]*"
)
def _who(text: str) -> str:
    return text


@parse.with_pattern(r"[a-z_]+")
def _action(text: str) -> str:
    return text


TYPES = {"Date": _date, "Time": _time, "Code": _code, "Codes": _codes, "Doc": _doc,
         "Who": _who, "Action": _action}


def step(text: str):
    """A step text with {name:Date}, {name:Time}, {name:Code}, {name:Codes}, {name:Who}."""
    return parsers.parse(text, extra_types=TYPES, case_sensitive=True)


def at(day: date, clock: time = time(10, 0)) -> datetime:
    """A moment on the Brussels wall clock, as the UTC-aware datetime the workflow wants."""
    return datetime.combine(day, clock, tzinfo=deadlines.BRUSSELS).astimezone(UTC)


# ---------------------------------------------------------------------------
# Plain words of the specs -> workflow values


def recommendation_state(label: str) -> str:
    for state in RECOMMENDATION.states:
        if label in (state.label, state.name):
            return state.name
    known = ", ".join(s.label for s in RECOMMENDATION.states)
    raise AssertionError(f"no recommendation state {label!r} (known: {known})")


def answer_state(label: str) -> str:
    for state in ANSWER.states:
        if label in (state.label, state.name):
            return state.name
    known = ", ".join(s.label for s in ANSWER.states)
    raise AssertionError(f"no answer state {label!r} (known: {known})")


def key(words: str) -> str:
    """'partly agrees' -> 'partly_agrees', 'no reply possible' -> 'no_reply_possible'."""
    return words.strip().replace(" ", "_")


def yes(text: str) -> bool:
    if text.strip().lower() in ("yes", "no"):
        return text.strip().lower() == "yes"
    raise AssertionError(f"write yes or no, not {text!r}")


def table(datatable: list[list[str]]) -> list[dict[str, str]]:
    header, *rows = datatable
    return [dict(zip(header, (cell.strip() for cell in row), strict=True)) for row in rows]


# ---------------------------------------------------------------------------
# What the database holds, to show that a refused request wrote nothing


def count_events(session: Session) -> int:
    return session.scalar(select(func.count(Event.id)))


def database_contents(session: Session) -> dict[str, Any]:
    fresh = {"populate_existing": True}

    def rows(model, *columns):
        stmt = select(*[getattr(model, c) for c in columns]).execution_options(**fresh)
        return sorted(tuple(r) for r in session.execute(stmt))

    return {
        "events": count_events(session),
        "recommendations": rows(Recommendation, "doc_number", "state", "closure_reason",
                                "closed_at", "transmitted_at", "version"),
        "addressees on cases": rows(CaseAddressee, "recommendation_id", "addressee_code",
                                    "state", "position", "clock_start", "due_at",
                                    "answered_on", "version"),
        "answers": rows(Answer, "id", "kind", "status", "position", "received_on"),
        "deadline adjustments": rows(DeadlineAdjustment, "id", "kind", "new_date", "days",
                                     "start_on", "end_on"),
        "requests for more time": rows(ExtensionRequest, "id", "status"),
        "calendars": rows(Addressee, "code", "holiday_country", "holiday_subdivision",
                          "annual_closing_days"),
        "closing days": rows(ClosingDay, "addressee_code", "day", "is_open"),
    }


# ---------------------------------------------------------------------------
# The scenario context


@dataclass
class Context:
    session: Session
    actors: dict[str, Actor]
    recs: dict[str, Recommendation] = field(default_factory=dict)
    current: str | None = None
    # the last refused request
    error: errors.WorkflowError | None = None
    error_seen: bool = True
    before: dict[str, Any] | None = None
    events_in_refused_request: int | None = None
    # results the Then steps look at
    result: Any = None
    verification: history.Verification | None = None
    snapshot: history.Snapshot | None = None
    database_error: str | None = None
    noted_head: str | None = None
    noted_version: int | None = None

    # -- who -----------------------------------------------------------------
    def actor(self, who: str) -> Actor:
        if who not in self.actors:
            code = who.removeprefix("the ministry of ")
            assert code != who, f"unknown actor {who!r}"
            self.actors[who] = Actor(f"{code.lower()}-ministry", "ministry", code)
        return self.actors[who]

    # -- the case --------------------------------------------------------------
    @property
    def rec(self) -> Recommendation:
        assert self.current is not None, "no recommendation in this scenario yet"
        return self.recs[self.current]

    def entry(self, code: str) -> CaseAddressee:
        return scope.entry_of(self.rec, code)

    def settled(self) -> None:
        """Fail clearly when a request that should have worked was refused."""
        if self.error is not None and not self.error_seen:
            self.error_seen = True
            raise AssertionError(
                f"the request was refused ({self.error.code}, rule {self.error.rule}, "
                f"field {self.error.field}): {self.error.message}"
            )

    def refusal(self) -> errors.WorkflowError:
        assert self.error is not None, "the request was not refused"
        self.error_seen = True
        return self.error

    # -- one request, one transaction -------------------------------------------
    def attempt(self, action: Callable[[], Any]) -> Any:
        self.settled()
        self.before = database_contents(self.session)
        self.error, self.error_seen, self.events_in_refused_request = None, True, None
        try:
            self.result = action()
        except errors.WorkflowError as exc:
            self.error, self.error_seen = exc, False
            try:  # what the refused request had flushed to the database before the refusal
                with self.session.no_autoflush:
                    self.events_in_refused_request = count_events(self.session)
            finally:
                self.session.rollback()
            return None
        self.session.commit()
        return self.result

    def setup(self, action: Callable[[], Any]) -> Any:
        """A Given step: it must work."""
        result = action()
        self.session.commit()
        return result


@pytest.fixture
def context(session, secretariat, ministry_nl, ministry_be, auditor):
    ctx = Context(
        session=session,
        actors={
            "the secretariat": secretariat,
            "another staff member": Actor("piet", "secretariat", "BNL-PARL"),
            "the auditor": auditor,
            "the ministry of NL": ministry_nl,
            "the ministry of BE-FED": ministry_be,
            "the Committee of Ministers": Actor("cm-secretary", "ministry", "CM"),
        },
    )
    yield ctx
    if ctx.error is not None and not ctx.error_seen:
        pytest.fail(f"a request was refused and no step checked it: {ctx.error.message}")


# ---------------------------------------------------------------------------
# The operations in the words of the specs (used by Given and When steps)

TITLES = {
    "743/5Bis": "Grensoverschrijdend telewerk van grensarbeiders",
    "744/2": "Erkenning van diploma's in het hoger onderwijs",
    "748/3": "Grensoverschrijdende ambulancezorg",
    "752/1": "Gezamenlijke aanpak van sociale fraude",
}


def register(ctx: Context, doc: str, adopted: date, addressees: dict[str, bool], *,
             rule: str = "6 months", day: date | None = None) -> Recommendation:
    rec = registration.register_recommendation(
        ctx.session, ctx.actor("the secretariat"), doc_number=doc, adopted_on=adopted,
        addressees=addressees, title_nl=TITLES.get(doc, "Aanbeveling van het Beneluxparlement"),
        deadline_rule=rule, now=at(day or adopted),
    )
    ctx.recs[rec.doc_number] = rec
    ctx.current = rec.doc_number
    return rec


def transmit(ctx: Context, who: str, day: date, sent: date | None = None):
    return transitions.transmit(ctx.session, ctx.actor(who), ctx.rec, transmitted_on=sent,
                                now=at(day))


def reply(ctx: Context, who: str, code: str, kind: str, day: date, *, position: str | None = None,
          reason: str = "", received: date | None = None, letter: date | None = None):
    text = {"interim": "De regering komt binnenkort met een volledig antwoord.",
            "final": "De regering deelt het standpunt van het Beneluxparlement.",
            "declined": ""}[kind]
    return replies.submit_reply(
        ctx.session, ctx.actor(who), ctx.entry(code), kind=kind,
        position=key(position) if position else None, text_nl=text, reason=reason,
        received_on=received, letter_date=letter, now=at(day),
    )


def waive(ctx: Context, who: str, code: str, day: date, reason: str):
    return replies.waive(ctx.session, ctx.actor(who), ctx.entry(code), reason=reason,
                         now=at(day))


def fire(ctx: Context, who: str, trigger: str, day: date, **params):
    return dispatch.fire(ctx.session, ctx.actor(who), ctx.rec, trigger, now=at(day), **params)


def close(ctx: Context, who: str, reason: str, day: date, why: str = ""):
    return transitions.close(ctx.session, ctx.actor(who), ctx.rec, closure_reason=key(reason),
                             reason=why, now=at(day))


def follow_up(ctx: Context, who: str, codes: list[str], day: date, question: str):
    return transitions.request_follow_up(ctx.session, ctx.actor(who), ctx.rec, reason=question,
                                         addressees=codes, now=at(day))


# The usual way a case goes (the Background of a feature names the addressees):
# transmitted on 2 May 2024, the first required addressee answers on 10 May, the
# others on 21 May, the committee assesses from 12 June and, satisfied, monitors
# the implementation from 26 June (or asks the last of them again that day); the
# case is closed as implemented on 11 December 2024 and reopened on 5 February 2025.
USUAL_WAY = ("adopted", "transmitted", "awaiting_answers", "answered", "under_assessment",
             "monitoring", "closed", "reopened")


def bring_to(ctx: Context, target: str) -> None:
    s, sec = ctx.session, "the secretariat"
    required = [e.addressee_code for e in ctx.rec.addressees if e.is_required]
    if target == "follow_up_requested":
        bring_to(ctx, "under_assessment")
        ctx.setup(lambda: follow_up(ctx, sec, required[-1:], date(2024, 6, 26),
                                    "Welke termijn voorziet de regering voor de uitvoering?"))
        return
    assert target in USUAL_WAY, f"the usual way does not pass {target!r}"
    while USUAL_WAY.index(ctx.rec.state) < USUAL_WAY.index(target):
        state = ctx.rec.state
        if state == "adopted":
            ctx.setup(lambda: transmit(ctx, sec, date(2024, 5, 2)))
        elif state == "transmitted":
            ctx.setup(lambda: reply(ctx, sec, required[0], "final", date(2024, 5, 10),
                                    position="agrees"))
        elif state == "awaiting_answers":
            for code in required:
                if ctx.entry(code).state in ("pending", "interim_reply"):
                    ctx.setup(lambda c=code: reply(ctx, sec, c, "final", date(2024, 5, 21),
                                                   position="partly agrees"))
        elif state == "answered":
            ctx.setup(lambda: fire(ctx, sec, "start_assessment", date(2024, 6, 12)))
        elif state == "under_assessment":
            ctx.setup(lambda: fire(ctx, sec, "start_monitoring", date(2024, 6, 26)))
        elif state == "monitoring":
            ctx.setup(lambda: close(ctx, sec, "implemented", date(2024, 12, 11),
                                    "De aanbeveling is volledig uitgevoerd."))
        elif state == "closed":
            ctx.setup(lambda: transitions.reopen(s, ctx.actor(sec), ctx.rec,
                                                 reason="Nieuwe feiten in de gewesten",
                                                 now=at(date(2025, 2, 5))))
        assert ctx.rec.state != state, f"the usual way is stuck at {state}"


# ---------------------------------------------------------------------------
# Given steps


@given(step("recommendation {doc:Doc} was adopted on {adopted:Date} for these addressees:"))
def given_recommendation_table(context, doc, adopted, datatable):
    wanted = {row["addressee"]: yes(row["answer required"]) for row in table(datatable)}
    context.setup(lambda: register(context, doc, adopted, wanted))


@given(step("recommendation {doc:Doc} was adopted on {adopted:Date} for {codes:Codes}"))
def given_recommendation(context, doc, adopted, codes):
    context.setup(lambda: register(context, doc, adopted, dict.fromkeys(codes, True)))


@given(step('recommendation {doc:Doc} was adopted on {adopted:Date} for {codes:Codes} '
            'with the deadline rule "{rule}"'))
def given_recommendation_rule(context, doc, adopted, codes, rule):
    context.setup(lambda: register(context, doc, adopted, dict.fromkeys(codes, True),
                                   rule=rule))


@given(step("recommendation {doc:Doc} was adopted on {adopted:Date} for {codes:Codes} "
            "and registered on {day:Date}"))
def given_recommendation_late(context, doc, adopted, codes, day):
    context.setup(lambda: register(context, doc, adopted, dict.fromkeys(codes, True), day=day))


@given(step("the secretariat transmitted it on {day:Date}"))
def given_transmitted(context, day):
    context.setup(lambda: transmit(context, "the secretariat", day))


@given(step('the recommendation has come as far as "{label}"'))
def given_state(context, label):
    bring_to(context, recommendation_state(label))
    assert context.rec.state == recommendation_state(label)


@given(step("{who:Who} sent an interim reply for {code:Code} on {day:Date}"))
def given_interim(context, who, code, day):
    context.setup(lambda: reply(context, who, code, "interim", day))


@given(step('{who:Who} sent the final answer for {code:Code} on {day:Date} '
            'with the position "{position}"'))
def given_final(context, who, code, day, position):
    context.setup(lambda: reply(context, who, code, "final", day, position=position))


@given(step('{who:Who} declined to answer for {code:Code} on {day:Date} because "{reason}"'))
def given_declined(context, who, code, day, reason):
    context.setup(lambda: reply(context, who, code, "declined", day, reason=reason))


@given(step('the secretariat waived the answer of {code:Code} on {day:Date} because "{reason}"'))
def given_waived(context, code, day, reason):
    context.setup(lambda: waive(context, "the secretariat", code, day, reason))


@given(step("the secretariat started the assessment on {day:Date}"))
def given_assessment(context, day):
    context.setup(lambda: fire(context, "the secretariat", "start_assessment", day))


@given(step('the secretariat closed the recommendation as "{reason}" on {day:Date}'))
def given_closed(context, reason, day):
    context.setup(lambda: close(context, "the secretariat", reason, day))


@given(step('the secretariat reopened the recommendation on {day:Date} because "{reason}"'))
def given_reopened(context, day, reason):
    context.setup(lambda: transitions.reopen(context.session, context.actor("the secretariat"),
                                             context.rec, reason=reason, now=at(day)))


@given(step('the secretariat stopped the clock of {code:Code} on {day:Date} because "{reason}"'))
def given_clock_stopped(context, code, day, reason):
    context.setup(lambda: due_dates.stop_clock(
        context.session, context.actor("the secretariat"), context.entry(code), start=day,
        reason=reason, now=at(day)))


@given(step("the auditor noted the head of the history"))
def given_noted_head(context):
    context.noted_head = history.verify_history(context.session).head


@given(step("the secretariat has the recommendation open on screen"))
def given_open_on_screen(context):
    context.noted_version = context.rec.version
