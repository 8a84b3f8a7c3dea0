"""The sweep reminds about written questions as about answers: once per question, due
moment and step, with the same locking, and not any more once the answer is in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from workflow import history
from workflow.history.models import Event
from workflow.notifications import outbox
from workflow.notifications.models import Notification
from workflow.questions import operations as q
from workflow.questions.models import WrittenQuestion
from workflow.reminders import sweep as sweeping
from workflow.reminders.models import QuestionNotice

ASKED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def run(session, now):
    return sweeping.sweep(session, now=now, commit=session.commit)


def notices(session):
    return sorted(session.execute(select(Event.addressee_code, Event.action)
                                  .where(Event.entity == "question",
                                         Event.actor == "sweep")).all())


def ask(session, actor, code="NL"):
    question = q.ask_question(session, actor, addressee_code=code, subject="Telewerk",
                              asker="Dhr. Peeters", text="Wanneer komt de regeling?",
                              asked_on=date(2026, 1, 5), rule="60 calendar days", now=ASKED)
    session.commit()
    return question


def test_reminders_overdue_and_very_overdue_once_each(session, secretariat, people):
    question = ask(session, secretariat)
    due = question.due_at
    assert run(session, due - timedelta(days=40)).events == 0
    first = run(session, due - timedelta(days=29))
    assert (first.examined, first.events) == (1, 1)
    assert notices(session) == [("NL", "remind_question")]
    reminder = session.scalars(select(Notification)
                               .where(Notification.kind == "question_reminder")).one()
    assert (reminder.user.username, reminder.question_id, reminder.due_at) == \
        ("jan", question.id, due)
    assert (run(session, due - timedelta(days=29)).examined, notices(session)) == \
        (0, [("NL", "remind_question")])  # nothing read, nothing twice
    assert run(session, due + timedelta(hours=1)).events == 1  # the 7-day one overtaken
    told = sorted(session.scalars(select(Notification.user_id)
                                  .where(Notification.kind == "question_overdue")))
    assert len(told) == 2  # jan and the secretariat (anna)
    assert run(session, due + timedelta(days=91)).events == 1
    assert run(session, due + timedelta(days=400)).examined == 0
    assert session.scalar(select(func.count()).select_from(QuestionNotice)) == 3
    assert [a for _, a in notices(session)] == ["mark_question_overdue",
                                                "mark_question_very_overdue",
                                                "remind_question"]
    ev = session.scalars(select(Event).where(Event.action == "mark_question_overdue")).one()
    assert ev.effective_at == due and ev.data["number"] == question.number
    assert history.verify_history(session).ok


def test_the_answer_stops_the_reminders_and_cancels_what_was_queued(session, secretariat,
                                                                     ministry_nl, people):
    question = ask(session, secretariat)
    other = ask(session, secretariat, code="BE-FED")
    due = question.due_at
    run(session, due - timedelta(days=29))
    q.answer_question(session, ministry_nl, question, answer_text="De regeling komt in maart.",
                      now=due - timedelta(days=20))
    session.commit()
    assert outbox.cancel_stale(session, due - timedelta(days=19)) == 1  # jan's reminder
    session.commit()
    statuses = dict(session.execute(select(Notification.addressee_code,
                                           Notification.mail_status)
                                    .where(Notification.kind == "question_reminder")).all())
    assert statuses == {"NL": "cancelled", "BE-FED": "queued"}
    assert run(session, due + timedelta(days=200)).events == 2  # BE-FED's overdue, very
    assert ("NL", "mark_question_overdue") not in notices(session)
    # the secretariat was told of the answer given online
    assert session.scalars(select(Notification.kind)
                           .where(Notification.kind == "question_answered")).all() == [
        "question_answered"]
    assert other.state == "asked"


def test_a_withdrawn_question_is_not_chased(session, secretariat, people):
    question = ask(session, secretariat)
    q.withdraw_question(session, secretariat, question, reason="Ingetrokken",
                        now=ASKED + timedelta(days=1))
    session.commit()
    assert run(session, question.due_at + timedelta(days=200)).events == 0
    assert notices(session) == []


def test_a_policy_change_replans_the_questions_too(session, secretariat, people, monkeypatch):
    from workflow.deadlines import policy

    question = ask(session, secretariat)
    due = question.due_at
    run(session, due - timedelta(days=29))
    monkeypatch.setenv("FOLLOWUP_REMINDER_DAYS", "30,14,7")
    policy.configure()
    changed = run(session, due - timedelta(days=13))
    assert any(w.startswith("replanned") for w in changed.warnings)
    assert changed.events == 1
    assert [e.data["days"] for e in session.scalars(
        select(Event).where(Event.action == "remind_question").order_by(Event.seq))] == [30, 14]


def test_two_sweeps_on_postgresql_record_each_notice_once(pg_url, secretariat):
    """Two sessions sweep the same due questions at once: SKIP LOCKED and the unique
    constraint leave one notice and one event each."""
    import threading

    from workflow import db
    from workflow.cases import catalogue

    engine = db.make_engine(pg_url)
    try:
        setup = db.make_session(engine)
        catalogue.sync_addressees(setup)
        for code in ("NL", "BE-FED", "LU", "DE-NW"):
            ask(setup, secretariat, code)
        due = setup.scalar(select(func.max(WrittenQuestion.due_at)))
        setup.close()
        barrier = threading.Barrier(2)
        results = []

        def sweep_once():
            s = db.make_session(engine)
            try:
                barrier.wait()
                results.append(sweeping.sweep(s, now=due + timedelta(days=1), batch=1,
                                              commit=s.commit))
            finally:
                s.close()

        threads = [threading.Thread(target=sweep_once) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check = db.make_session(engine)
        assert check.scalar(select(func.count()).select_from(QuestionNotice)) == 4
        assert check.scalar(select(func.count()).select_from(Event)
                            .where(Event.action == "mark_question_overdue")) == 4
        assert sum(r.events for r in results) == 4
        assert history.verify_history(check).ok
        check.close()
    finally:
        engine.dispose()


def test_an_addressee_with_a_question_and_nobody_to_remind_is_listed(session, secretariat,
                                                                     people):
    assert sweeping.without_focal_point(session) == []
    question = ask(session, secretariat, code="LU")  # marc, LU's only user, has no address
    ask(session, secretariat, code="NL")  # jan has one
    assert sweeping.without_focal_point(session) == ["LU"]
    q.withdraw_question(session, secretariat, question, now=ASKED + timedelta(days=1))
    assert sweeping.without_focal_point(session) == []
