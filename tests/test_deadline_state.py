"""The stored deadline state equals what it is derived from.

After random sequences of operations (extensions, clock stops and resumes, replies,
waivers, closing, reopening, follow-up questions), every addressee entry's stored
``is_awaited``, ``clock_stopped_on``, ``due_at`` and ``live_due_at`` equal what follows
from its adjustments and states (``lifecycle.answer_awaited``,
``operations.running_clock_stop``, ``operations.compute_entry_due``), in the session and
as read back from the database; and the SQL rule ``CaseAddressee.deadline_in`` selects
exactly the entries whose Python twin ``deadline_status_name`` says so, for several
moments and policies.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from workflow import clock, deadlines, dispatch
from workflow import errors as werr
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import due_dates, registration, transitions
from workflow.lifecycle import RECOMMENDATION, answer_awaited
from workflow.models import CaseAddressee
from workflow.publishing import opendata

SEC = Actor("anna", "secretariat", "BNL-PARL")
START = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
CODES = ("NL", "BE-FED", "CM")
STATUSES = ("no_deadline", "paused", "on_time", "reminder", "overdue", "very_overdue")
POLICIES = ({}, {"reminder_days": (), "very_overdue_after_days": 30},
            {"reminder_days": (60, 14, 1), "very_overdue_after_days": 365})
_numbers = itertools.count(1)

code = st.sampled_from(CODES)
step = st.one_of(
    st.tuples(st.just("extend_days"), code, st.integers(1, 60)),
    st.tuples(st.just("extend_date"), code, st.integers(1, 90)),
    st.tuples(st.just("stop"), code, st.integers(0, 30)),
    st.tuples(st.just("resume"), code, st.integers(0, 30)),
    st.tuples(st.just("interim"), code, st.just(0)),
    st.tuples(st.just("answer"), code, st.just(0)),
    st.tuples(st.just("decline"), code, st.just(0)),
    st.tuples(st.just("waive"), code, st.just(0)),
    st.tuples(st.just("close"), st.sampled_from(("lapsed", "implemented")), st.just(0)),
    st.tuples(st.just("reopen"), st.just(""), st.just(0)),
    st.tuples(st.just("assess"), st.just(""), st.just(0)),
    st.tuples(st.just("follow_up"), st.just(""), st.integers(0, 3)),
    st.tuples(st.just("publish_answer"), code, st.just(0)),
)
plan = st.fixed_dictionaries({
    "required": st.fixed_dictionaries({c: st.booleans() for c in CODES}),
    "steps": st.lists(st.tuples(step, st.integers(0, 45)), min_size=3, max_size=16),
})


def apply(session, rec, action, arg, number, now):
    today = clock.brussels_date(now)
    entry = rec.entry(arg) if arg in CODES else None
    if action == "extend_days":
        due_dates.grant_extension(session, SEC, entry, reason="meer tijd", days=number, now=now)
    elif action == "extend_date":
        base = clock.brussels_date(entry.due_at) if entry.due_at else today
        due_dates.grant_extension(session, SEC, entry, reason="meer tijd",
                                  new_date=base + timedelta(days=number), now=now)
    elif action == "stop":
        due_dates.stop_clock(session, SEC, entry, start=today - timedelta(days=number),
                             reason="advies", now=now)
    elif action == "resume":
        stopped = [e for e in rec.addressees if e.is_clock_stopped]
        if not stopped:  # stop it first, a few days before it resumes
            apply(session, rec, "stop", entry.addressee_code, number + 5, now)
        entry = entry if entry.is_clock_stopped or not stopped else stopped[0]
        stop = due_dates.running_clock_stop(entry)
        end = max(stop.start_on, today - timedelta(days=number)) if stop else today
        due_dates.resume_clock(session, SEC, entry, end=end, now=now)
    elif action in ("interim", "answer", "decline"):
        kind = {"interim": "interim", "answer": "final", "decline": "declined"}[action]
        replies.submit_reply(session, SEC, entry, kind=kind, received_on=today,
                             position="agrees" if kind == "final" else None, text_nl="Antwoord",
                             reason="Niet bevoegd" if kind == "declined" else "", now=now)
    elif action == "waive":  # resting on the Committee of Ministers' collective answer
        cm = rec.entry("CM")
        if cm is not entry and cm.state != "answered":
            apply(session, rec, "answer", "CM", 0, now)
        replies.waive(session, SEC, entry, reason="collectief antwoord", now=now)
    elif action == "assess":
        dispatch.fire(session, SEC, rec, "start_assessment", now=now)
    elif action == "close":
        transitions.close(session, SEC, rec, closure_reason=arg, reason="afgesloten", now=now)
    elif action == "reopen":
        if rec.state != "closed":
            apply(session, rec, "close", "lapsed", 0, now)
        transitions.reopen(session, SEC, rec, reason="heropend", now=now)
    elif action == "follow_up":
        if not any(transitions.may_ask_again(e) for e in rec.addressees):
            apply(session, rec, "answer", "NL", 0, now)
        if rec.state == "answered":
            apply(session, rec, "assess", "", 0, now)
        elif rec.state not in RECOMMENDATION.trigger("request_follow_up").sources:
            apply(session, rec, "reopen", "", 0, now)
        codes = [e.addressee_code for e in rec.addressees if transitions.may_ask_again(e)]
        transitions.request_follow_up(session, SEC, rec, reason="Welke maatregelen?",
                                      addressees=codes[:number + 1], now=now)
    elif action == "publish_answer":
        submitted = [a for a in entry.answers if a.status == "submitted"]
        if submitted:
            opendata.publish_answer(session, SEC, submitted[-1], now=now)


def check_stored_state(session, rec) -> None:
    session.flush()
    for entry in rec.addressees:
        where = (rec.doc_number, entry.addressee_code, entry.state, rec.state)
        assert entry.is_awaited == answer_awaited(entry.state, rec.state), where
        stop = due_dates.running_clock_stop(entry)
        assert entry.clock_stopped_on == (stop.start_on if stop else None), where
        assert entry.is_clock_stopped == (stop is not None), where
        if entry.clock_start is not None:
            assert entry.due_at == due_dates.compute_entry_due(entry).due_at, where
        counts = entry.is_awaited and entry.is_required and stop is None
        assert entry.live_due_at == (entry.due_at if counts else None), where
    # ... and the database holds the same values.
    stored = {row.id: tuple(row[1:]) for row in session.execute(
        select(CaseAddressee.id, CaseAddressee.is_awaited, CaseAddressee.clock_stopped_on,
               CaseAddressee.due_at, CaseAddressee.live_due_at)
        .where(CaseAddressee.recommendation_id == rec.id))}
    assert stored == {e.id: (e.is_awaited, e.clock_stopped_on, e.due_at, e.live_due_at)
                      for e in rec.addressees}


def check_sql_twin(session, moments) -> None:
    entries = session.scalars(select(CaseAddressee)).all()
    for now, policy in itertools.product(moments, POLICIES):
        cutoffs = deadlines.status_cutoffs(now, **policy)
        python = {e.id: e.deadline_status_name(cutoffs) for e in entries}
        for status in STATUSES:
            sql = set(session.scalars(select(CaseAddressee.id)
                                      .where(CaseAddressee.deadline_in((status,), cutoffs))))
            assert sql == {i for i, s in python.items() if s == status}, (now, policy, status)
            assert all(e.deadline_in((status,), cutoffs) == (python[e.id] == status)
                       for e in entries)
        late = set(session.scalars(select(CaseAddressee.id)
                                   .where(CaseAddressee.deadline_in(deadlines.LATE, cutoffs))))
        assert late == {i for i, s in python.items() if s in deadlines.LATE}
        for e in entries:  # the status the pages show is the same rule
            assert due_dates.deadline_status(e, now, **policy).status == python[e.id]


@settings(max_examples=40, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(plan=plan)
def test_stored_deadline_state_equals_the_derived_one(session, plan):
    required = dict(plan["required"])
    if not any(required.values()):
        required["NL"] = True
    rec = registration.register_recommendation(session, SEC, doc_number=f"880/{next(_numbers)}",
                                               adopted_on=date(2025, 1, 2), addressees=required,
                                               title_nl="Termijnen", now=START)
    transitions.transmit(session, SEC, rec, now=START)
    check_stored_state(session, rec)
    now = START
    for (action, arg, number), advance in plan["steps"]:
        now += timedelta(days=advance)
        try:
            with session.begin_nested():
                apply(session, rec, action, arg, number, now)
        except werr.WorkflowError:
            session.expire_all()  # the refused step left nothing behind
        check_stored_state(session, rec)
    due = [e.due_at for e in rec.addressees if e.due_at]
    moments = [now, START + timedelta(days=100), *(d + timedelta(hours=1) for d in due[:2]),
               *(d - timedelta(days=3) for d in due[:1]), now + timedelta(days=400)]
    check_sql_twin(session, moments)
