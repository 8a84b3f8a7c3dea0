"""The notice schedule agrees with the deadline statuses the pages show."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.deadlines import classify, due_notices, notice_schedule, status_cutoffs
from workflow.deadlines.notices import next_step_after

DUE = datetime(2026, 6, 30, 15, 0, tzinfo=UTC)  # 17:00 Brussels
EXPECTED = {None: "on_time", "reminder": "reminder", "overdue": "overdue",
            "very_overdue": "very_overdue"}

moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2029, 1, 1),
                       timezones=st.just(UTC))


@settings(max_examples=300, deadline=None)
@given(due=moments, now=moments, very=st.integers(1, 400),
       reminders=st.lists(st.integers(1, 200), min_size=1, max_size=4, unique=True))
def test_the_latest_step_due_is_the_status_the_pages_show(due, now, very, reminders):
    schedule = notice_schedule(due, reminder_days=reminders, very_overdue_after_days=very)
    passed = [s for s in schedule if s.at < now]
    status = classify(due, status_cutoffs(now, reminder_days=reminders,
                                          very_overdue_after_days=very))
    assert status == EXPECTED[passed[-1].kind if passed else None]


def test_only_the_latest_reminder_is_sent_and_overdue_steps_always_are():
    schedule = notice_schedule(DUE)
    assert [(s.kind, s.days) for s in schedule] == [("reminder", 30), ("reminder", 7),
                                                   ("overdue", 0), ("very_overdue", 90)]
    # a first sweep long after the due date: both reminders passed over, both facts recorded
    late = due_notices(schedule, None, DUE + timedelta(days=100))
    assert [s.kind for s in late.record] == ["overdue", "very_overdue"]
    assert late.next_at is None
    # 10 days before: the 30-day reminder (the 7-day one is not due yet)
    soon = due_notices(schedule, None, DUE - timedelta(days=10))
    assert [(s.kind, s.days) for s in soon.record] == [("reminder", 30)]
    assert soon.next_at == schedule[1].at
    # 3 days before, after the 30-day one: the 7-day one
    then = due_notices(schedule, soon.handled_until, DUE - timedelta(days=3))
    assert [(s.kind, s.days) for s in then.record] == [("reminder", 7)]
    # again at the same moment, or with the clock set back: nothing more
    assert due_notices(schedule, then.handled_until, DUE - timedelta(days=3)).record == ()
    back = due_notices(schedule, then.handled_until, DUE - timedelta(days=20))
    assert back.record == () and back.next_at == schedule[2].at
    # at exactly the due moment it is not overdue yet (as on the pages)
    assert due_notices(schedule, then.handled_until, DUE).record == ()
    assert next_step_after(schedule, then.handled_until) == DUE
