"""Written questions: the due date on the addressee's own calendar, the history events,
the refusals, and the migration that adds them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from workflow import errors, history
from workflow.actors import Actor
from workflow.cases import catalogue, registration
from workflow.history.models import Event
from workflow.questions import operations as q
from workflow.questions import queries
from workflow.questions.models import WrittenQuestion

# Friday 24 April 2026: the Monday after is King's Day in the Netherlands, not in Belgium.
FRIDAY = date(2026, 4, 24)
NOW = datetime(2026, 4, 24, 9, 0, tzinfo=UTC)


def ask(session, actor, **kw):
    values = {"addressee_code": "NL", "subject": "Grensarbeid", "asker": "Mevr. De Vries",
              "text": "Hoe staat het met de fiscale regeling voor telewerk?",
              "asked_on": FRIDAY, "now": NOW}
    values.update(kw)
    return q.ask_question(session, actor, **values)


def test_the_due_date_follows_the_addressees_own_calendar(session, secretariat):
    nl = ask(session, secretariat, rule="1 working day")
    be = ask(session, secretariat, addressee_code="BE-FED", rule="1 working day")
    # 17:00 Brussels (CEST) is 15:00 UTC; King's Day (27 April) is skipped for NL only
    assert nl.due_at == datetime(2026, 4, 28, 15, 0, tzinfo=UTC)
    assert be.due_at == datetime(2026, 4, 27, 15, 0, tzinfo=UTC)
    assert (nl.number, be.number) == ("Q-2026-001", "Q-2026-002")
    skipped = [s for s in q.explain_due(nl) if s.kind == "skipped"]
    assert [s.values["reason"] for s in skipped] == ["weekend", "holiday"]


def test_a_closing_day_declared_by_the_secretariat_moves_the_due_date(session, secretariat):
    catalogue.set_closing_day(session, secretariat, "BE-FED", date(2026, 4, 27),
                              note="Sluitingsdag", now=NOW)
    be = ask(session, secretariat, addressee_code="BE-FED", rule="1 working day")
    assert be.due_at == datetime(2026, 4, 28, 15, 0, tzinfo=UTC)


def test_the_default_rule_is_the_configured_policy(session, secretariat, monkeypatch):
    from workflow.deadlines import policy

    monkeypatch.setenv("FOLLOWUP_DEFAULT_DEADLINE", "20 working days")
    policy.configure()
    question = ask(session, secretariat)
    assert question.rule == "20 working days"
    assert question.next_notice_at is not None  # the first reminder is planned


def test_asking_answering_and_withdrawing_write_their_events(session, secretariat,
                                                              ministry_nl):
    rec = registration.register_recommendation(
        session, secretariat, doc_number="801/1", adopted_on=date(2026, 3, 20),
        addressees=["NL"], title_nl="Telewerk", now=NOW)
    on_case = ask(session, secretariat, recommendation=rec, number="q-2026-010")
    alone = ask(session, secretariat, addressee_code="LU")
    assert (on_case.number, alone.number) == ("Q-2026-010", "Q-2026-011")  # after the highest
    assert ask(session, secretariat).number == "Q-2026-012"
    later = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    q.answer_question(session, ministry_nl, on_case, answer_text="De regeling loopt.",
                      answered_on=date(2026, 4, 30), now=later)
    q.withdraw_question(session, secretariat, alone, reason="Vraag vervalt", now=later)
    events = session.scalars(select(Event).where(Event.entity == "question")
                             .order_by(Event.seq)).all()
    assert [e.action for e in events] == ["ask_question", "ask_question", "ask_question",
                                         "answer_question", "withdraw_question"]
    asked, answered, withdrawn = events[0], events[3], events[4]
    assert asked.recommendation_id == rec.id and asked.addressee_code == "NL"
    assert asked.data["number"] == "Q-2026-010"
    assert asked.data["due_at"] == history.format_utc(on_case.due_at)
    assert events[1].recommendation_id is None and events[1].addressee_code == "LU"
    # a ministry answers online: dated the day it answers, not a date it gives
    assert on_case.answered_on == date(2026, 5, 4) and on_case.state == "answered"
    assert answered.actor == "jan" and answered.data["online"] is True
    assert on_case.next_notice_at is None and alone.next_notice_at is None
    assert withdrawn.reason == "Vraag vervalt" and alone.state == "withdrawn"
    assert history.verify_history(session).ok
    # the case's own history is untouched by its questions
    assert history.state_as_of(session, rec.id, later).state == rec.state
    assert [x.number for x in session.scalars(queries.questions_of_case(
        ministry_nl, rec.id))] == ["Q-2026-010"]


def test_the_secretariat_records_a_paper_answer_with_the_date_received(session,
                                                                      secretariat):
    question = ask(session, secretariat)
    q.answer_question(session, secretariat, question, answer_text="Zie bijgevoegde brief.",
                      answered_on=date(2026, 4, 24),
                      now=datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    assert question.answered_on == date(2026, 4, 24) and question.answered_by == "anna"
    assert q.deadline_status(question).status == "no_deadline"


@pytest.mark.parametrize(("changes", "field", "rule"), [
    ({"text": "  "}, "text", "required"),
    ({"subject": ""}, "subject", "required"),
    ({"asker": ""}, "asker", "required"),
    ({"addressee_code": "XX"}, "addressee_code", "addressee_known"),
    ({"rule": "6 weeks"}, "rule", "deadline_rule"),
    ({"rule": "2026-04-01"}, "rule", "fixed_after_asked"),
    ({"asked_on": date(2026, 4, 25)}, "asked_on", "date_in_future"),
    ({"number": "2026/1"}, "number", "question_number_format"),
])
def test_bad_input_is_refused_with_its_field_and_rule(session, secretariat, changes, field,
                                                      rule):
    with pytest.raises(errors.ValidationError) as refused:
        ask(session, secretariat, **changes)
    assert (refused.value.field, refused.value.rule) == (field, rule)
    assert session.scalars(select(WrittenQuestion)).all() == []
    assert session.scalars(select(Event).where(Event.entity == "question")).all() == []


def test_a_number_is_not_given_twice(session, secretariat):
    ask(session, secretariat, number="Q-2026-005")
    with pytest.raises(errors.ValidationError) as refused:
        ask(session, secretariat, number="Q-2026-005")
    assert refused.value.rule == "question_number_unique"


def test_refusals_of_roles_scope_and_state(session, secretariat, ministry_nl, ministry_be,
                                           auditor):
    question = ask(session, secretariat)
    with pytest.raises(errors.PermissionDenied):
        ask(session, ministry_nl)
    with pytest.raises(errors.NotInScope):  # another government's question: not found
        q.answer_question(session, ministry_be, question, answer_text="Non.")
    with pytest.raises(errors.PermissionDenied):
        q.answer_question(session, auditor, question, answer_text="x")
    with pytest.raises(errors.PermissionDenied):
        q.withdraw_question(session, ministry_nl, question)
    with pytest.raises(errors.ValidationError) as refused:
        q.answer_question(session, ministry_nl, question, answer_text=" ")
    assert refused.value.rule == "required"
    with pytest.raises(errors.ValidationError) as refused:
        q.answer_question(session, secretariat, question, answer_text="Te vroeg",
                          answered_on=date(2026, 4, 1), now=NOW)
    assert refused.value.rule == "answered_after_asked"
    with pytest.raises(errors.ConflictError):
        q.answer_question(session, ministry_nl, question, answer_text="x",
                          expected_version=question.version + 1)
    q.withdraw_question(session, secretariat, question, now=NOW)
    with pytest.raises(errors.ValidationError) as refused:
        q.answer_question(session, ministry_nl, question, answer_text="Toch nog", now=NOW)
    assert (refused.value.field, refused.value.rule) == ("state", "question_open")


def test_each_sees_only_its_own(session, secretariat, ministry_nl, ministry_be, auditor):
    ask(session, secretariat)
    ask(session, secretariat, addressee_code="BE-FED")
    numbers = {actor.username: [x.addressee_code for x in session.scalars(
        queries.visible_questions(actor))] for actor in (secretariat, ministry_nl, ministry_be,
                                                         auditor)}
    assert numbers == {"anna": ["BE-FED", "NL"], "jan": ["NL"], "claire": ["BE-FED"],
                       "iob": ["BE-FED", "NL"]}
    assert [x.addressee_code for x in session.scalars(
        queries.visible_questions(secretariat, addressee="NL", state="asked"))] == ["NL"]
    assert session.scalars(queries.visible_questions(
        secretariat, state="answered")).all() == []
    assert session.scalars(queries.visible_questions(
        Actor("x", "public", "-"))).all() == []


def test_the_migration_goes_down_and_up_again(db_url):
    from alembic import command
    from sqlalchemy import inspect

    from workflow import db

    db.upgrade(db_url)
    command.downgrade(db.alembic_config(db_url), "0007")
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            columns = {c["name"] for c in inspect(conn).get_columns("notification")}
        assert "written_question" not in tables and "question_notice" not in tables
        assert "question_id" not in columns
    finally:
        engine.dispose()
    db.upgrade(db_url)
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert {"written_question", "question_notice"} <= set(
                inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_the_migration_goes_down_and_up_on_postgresql(pg_url):
    test_the_migration_goes_down_and_up_again(pg_url)
