"""The sweep records each notice once per entry and due moment, queues who is told, and
follows the due date wherever it moves."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from workflow import dispatch, history
from workflow.cases.due_dates import grant_extension
from workflow.history.models import Event
from workflow.notifications import outbox
from workflow.notifications.models import Notification
from workflow.reminders import sweep as sweeping
from workflow.reminders.models import DeadlineNotice, SweepRun

from .conftest import due_of


def run(session, now):
    summary = sweeping.sweep(session, now=now, commit=session.commit)
    return summary


def notices(session):
    return sorted(session.execute(select(Event.addressee_code, Event.action)
                                  .where(Event.entity == "deadline",
                                         Event.actor == "sweep")).all())


def told(session, kind):
    return sorted(session.scalars(select(Notification.user_id).join(Notification.user)
                                  .where(Notification.kind == kind)).all())


def test_reminders_overdue_and_very_overdue_once_each(session, case):
    due = due_of(case, "NL")
    assert run(session, due - timedelta(days=40)).events == 0  # nothing due yet
    first = run(session, due - timedelta(days=29))
    assert (first.examined, first.events) == (3, 3)
    assert notices(session) == [("BE-FED", "remind"), ("LU", "remind"), ("NL", "remind")]
    # a reminder tells the focal points only; marc has no address: listed, not e-mailed
    statuses = dict(session.execute(select(Notification.addressee_code, Notification.mail_status)
                                    .where(Notification.kind == "reminder")).all())
    assert statuses == {"NL": "queued", "BE-FED": "queued", "LU": "no_address"}
    again = run(session, due - timedelta(days=29))
    assert (again.examined, again.events) == (0, 0)  # nothing read, nothing twice

    late = run(session, due + timedelta(hours=1))  # the 7-day reminder was overtaken
    assert late.events == 3
    assert [a for _, a in notices(session)].count("mark_overdue") == 3
    assert [a for _, a in notices(session)].count("remind") == 3
    overdue_told = session.execute(select(func.count()).select_from(Notification)
                                   .where(Notification.kind == "overdue")).scalar()
    assert overdue_told == 3 + 3  # each focal point, and the secretariat for each
    assert run(session, due + timedelta(days=91)).events == 3
    assert run(session, due + timedelta(days=400)).examined == 0  # nothing left to do
    assert session.scalar(select(func.count()).select_from(DeadlineNotice)) == 9
    assert history.verify_history(session).ok
    # the events follow the schedule: overdue effective at the due moment itself
    ev = session.scalars(select(Event).where(Event.action == "mark_overdue")).first()
    assert ev.effective_at == due and ev.actor_role == "system"
    assert ev.data["due_at"] == history.format_utc(due)


def test_an_answer_cancels_what_is_no_longer_due_and_an_extension_gets_its_own(
        session, case, secretariat, ministry_nl):
    due = due_of(case, "NL")
    run(session, due - timedelta(days=29))  # reminders queued for everyone
    dispatch.fire(session, ministry_nl, case, "submit_answer", addressee="NL",
                  position="agrees", text_nl="Wij volgen de aanbeveling.",
                  now=due - timedelta(days=20))
    grant_extension(session, secretariat, case.entry("BE-FED"), reason="Verkiezingen",
                    days=30, now=due - timedelta(days=20))
    session.commit()
    cancelled = outbox.cancel_stale(session, due - timedelta(days=19))
    session.commit()
    assert cancelled == 2  # NL answered, BE-FED's due moment moved; jan and claire's
    assert set(session.scalars(select(Notification.mail_status)
                               .where(Notification.kind == "reminder"))) == {"cancelled",
                                                                              "no_address"}
    # the secretariat is told of the answer (anna), not the one who sent it
    assert told(session, "answer_received") == [1]
    assert len(told(session, "more_time_granted")) == 1  # claire
    new_due = due_of(case, "BE-FED")
    assert new_due > due
    summary = run(session, due + timedelta(hours=1))
    assert summary.events == 1  # only LU is late; BE-FED's first reminder is not due yet
    assert notices(session) == [("BE-FED", "remind"), ("LU", "mark_overdue"),
                                ("LU", "remind"), ("NL", "remind")]
    assert run(session, new_due - timedelta(days=29)).events == 1
    assert notices(session).count(("BE-FED", "remind")) == 2  # the new date's own reminder
    run(session, new_due + timedelta(hours=1))
    assert ("BE-FED", "mark_overdue") in notices(session)
    assert ("NL", "mark_overdue") not in notices(session)  # answered in time


def test_a_stopped_clock_and_a_closed_case_are_not_chased(session, case, secretariat):
    due = due_of(case, "NL")
    dispatch.fire(session, secretariat, case, "stop_clock", addressee="LU",
                  reason="Wacht op advies", start=(due - timedelta(days=50)).date(),
                  now=due - timedelta(days=50))
    dispatch.fire(session, secretariat, case, "close", closure_reason="lapsed",
                  reason="Vervallen", now=due - timedelta(days=45))
    session.commit()
    assert run(session, due + timedelta(days=200)).events == 0
    assert notices(session) == []
    assert told(session, "case_closed")  # the focal points hear it was closed


def test_the_run_is_noted_and_a_clock_set_back_is_reported(session, case):
    due = due_of(case, "NL")
    run(session, due)
    back = run(session, due - timedelta(days=10))
    assert any(w.startswith("clock_behind") for w in back.warnings)
    assert back.events == 0
    runs = session.scalars(select(SweepRun).order_by(SweepRun.id)).all()
    assert len(runs) == 2 and runs[1].warnings.startswith("clock_behind")
    assert runs[0].finished_at is not None and runs[0].events == 3


def test_a_policy_change_replans_the_next_notice(session, case, monkeypatch):
    from workflow.deadlines import policy

    due = due_of(case, "NL")
    run(session, due - timedelta(days=29))
    monkeypatch.setenv("FOLLOWUP_REMINDER_DAYS", "30,14,7")
    policy.configure()
    changed = run(session, due - timedelta(days=13))
    assert any(w.startswith("replanned") for w in changed.warnings)
    assert changed.events == 3  # the new 14-day reminder
    rows = session.execute(select(Event.payload).where(Event.action == "remind")).all()
    assert sum('"days":14' in r.payload for r in rows) == 3


def test_an_import_of_historic_cases_tells_nobody(session, people):
    from pathlib import Path

    from workflow.importing import importer

    sample = Path(__file__).resolve().parents[2] / "samples" / "import-sample.csv"
    report = importer.import_file(session, sample.name, sample.read_bytes())
    assert report.ok and report.created
    assert session.scalar(select(func.count()).select_from(Notification)) == 0
