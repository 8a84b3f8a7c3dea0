"""Properties of the deadline arithmetic for any start, rule and calendar (hypothesis):
never before the start, monotonic in N, never on a non-working day, 17:00 Brussels, and
an explanation consistent with the date it gives."""

from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.deadlines import BRUSSELS, Calendar, DeadlineRule, compute_due

CALENDARS = [Calendar("BE", "BE"), Calendar("NL", "NL"), Calendar("LU", "LU"),
             Calendar("NRW", "DE", "NW"), Calendar("CM", None)]
KINDS = {"months": 24, "calendar_days": 400, "working_days": 150}

starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@st.composite
def calendars(draw) -> Calendar:
    base = draw(st.sampled_from(CALENDARS))
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2041, 12, 31)))
    closed = draw(st.frozensets(st.integers(0, 800).map(lambda n: start + timedelta(days=n)),
                                max_size=12))
    return Calendar(base.code, base.country, base.subdivision, closed_days=closed)


@st.composite
def rules(draw) -> tuple[str, int]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    return kind, draw(st.integers(1, KINDS[kind]))


SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)


@SETTINGS
@given(start=starts, rule=rules(), calendar=calendars())
def test_due_is_after_the_start_on_a_working_day_at_five(start, rule, calendar):
    kind, amount = rule
    due = compute_due(start, DeadlineRule(kind, amount), calendar)
    assert due.due_date > start
    assert calendar.is_working_day(due.due_date)
    local = due.due_at.astimezone(BRUSSELS)
    assert local.date() == due.due_date and local.time() == time(17, 0)


@SETTINGS
@given(start=starts, rule=rules(), more=st.integers(1, 30), calendar=calendars())
def test_more_time_never_gives_an_earlier_date(start, rule, more, calendar):
    kind, amount = rule
    fewer = compute_due(start, DeadlineRule(kind, amount), calendar).due_date
    bigger = min(amount + more, KINDS[kind])
    assert compute_due(start, DeadlineRule(kind, bigger), calendar).due_date >= fewer


@SETTINGS
@given(start=starts, rule=rules(), calendar=calendars())
def test_the_explanation_tells_the_same_date(start, rule, calendar):
    kind, amount = rule
    due = compute_due(start, DeadlineRule(kind, amount), calendar)
    steps = due.explanation
    assert steps[0].kind == "start" and steps[0].values["date"] == start
    assert steps[-1].kind == "due" and steps[-1].values["date"] == due.due_date
    for step in steps:
        if step.kind == "skipped":
            # every day the explanation says was skipped is indeed not a working day
            assert not calendar.is_working_day(step.values["date"])
        if step.kind == "moved":
            assert calendar.is_working_day(step.values["date"])
    if kind == "working_days":
        counted = sum(1 for n in range(1, (due.due_date - start).days + 1)
                      if calendar.is_working_day(start + timedelta(days=n)))
        assert counted == amount  # exactly N working days after day zero
