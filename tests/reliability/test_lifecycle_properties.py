"""Random trigger sequences fired by random roles (hypothesis), through the one dispatcher:
whatever is accepted was allowed by the declaration (role and source state), no case or
answer ever reaches a state the declaration does not have, a refusal changes nothing, and
the history always replays to the current state."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow import clock, dispatch, history
from workflow import errors as werr
from workflow.actors import Actor
from workflow.cases import due_dates, registration
from workflow.lifecycle import ANSWER, RECOMMENDATION, SYSTEM

START = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
CODES = ("NL", "BE-FED", "CM")
ACTORS = (Actor("anna", "secretariat", "BNL-PARL"), Actor("jan", "ministry", "NL"),
          Actor("luc", "ministry", "BE-FED"), Actor("cm", "ministry", "CM"),
          Actor("lea", "ministry", "LU"), Actor("iob", "auditor", "NL-IOB"))
PEOPLE = [(lc, t) for lc in (RECOMMENDATION, ANSWER) for t in lc.triggers
          if t.roles != {SYSTEM}]
_numbers = itertools.count(1)

steps = st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(PEOPLE),
                           st.sampled_from(CODES), st.integers(0, 40)),
                 min_size=5, max_size=25)


def _params(rec, trig, code, today) -> dict:
    entry = rec.entry(code)
    stop = entry and due_dates.running_clock_stop(entry)
    values = {"reason": "Besluit", "closure_reason": "lapsed", "text_nl": "Antwoord",
              "position": "agrees", "days": 10, "addressees": list(CODES),
              "start": today, "end": stop.start_on if stop else today,
              "received_on": today, "requested_date": today + timedelta(days=40)}
    return {name: values[name] for name in trig.params if name in values}


def _states(rec) -> tuple:
    return rec.state, tuple(sorted((e.addressee_code, e.state) for e in rec.addressees))


@settings(max_examples=40, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=steps)
def test_random_triggers_by_random_roles_stay_within_the_declaration(session, plan):
    sec = ACTORS[0]
    rec = registration.register_recommendation(
        session, sec, doc_number=f"890/{next(_numbers)}", adopted_on=date(2025, 1, 2),
        addressees=dict.fromkeys(CODES, True), title_nl="Eigenschappen", now=START)
    now = START
    for actor, (lifecycle, trig), code, advance in plan:
        now += timedelta(days=advance)
        before = _states(rec)
        entry = rec.entry(code) if lifecycle is ANSWER else None
        source = entry.state if entry is not None else rec.state
        try:
            with session.begin_nested():
                dispatch.fire(session, actor, rec, trig.name,
                              addressee=code if lifecycle is ANSWER else None, now=now,
                              **_params(rec, trig, code, clock.brussels_date(now)))
        except werr.WorkflowError:
            session.expire_all()
            assert _states(rec) == before, (actor, trig.name)  # a refusal changes nothing
            continue
        # accepted: the declaration allowed it
        assert actor.role in trig.roles, (actor, trig.name)
        assert source in trig.sources, (trig.name, source)
        assert rec.state in RECOMMENDATION.state_names
        assert all(e.state in ANSWER.state_names for e in rec.addressees)
        if trig.dest is None:  # an internal action keeps the states
            assert _states(rec) == before, trig.name
    session.flush()
    replayed = history.state_as_of(session, rec.id, now + timedelta(days=1))
    assert replayed.state == rec.state
    assert {c: a["state"] for c, a in replayed.addressees.items()} == {
        e.addressee_code: e.state for e in rec.addressees}
    assert history.verify_history(session).ok
