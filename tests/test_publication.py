"""Publishing answers in the workflow: who may, what may be published, the history
events (with the reason of a withdrawal), the batch of events of a bulk publication."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workflow import errors, history
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import registration, transitions
from workflow.history.models import Event
from workflow.publishing import publication

SEC = Actor("secretariaat", "secretariat", "BNL-PARL")
NL = Actor("minbuza", "ministry", "NL")
AUDITOR = Actor("auditor", "auditor", "NL-IOB")


@pytest.fixture
def case(session):
    from datetime import date

    rec = registration.register_recommendation(
        session, SEC, doc_number="970/1", adopted_on=date(2026, 6, 1),
        addressees={"NL": True, "LU": True}, title_nl="Publicatie",
        session_label="Plenaire zitting juni 2026", deadline_rule="3 months")
    registration.set_published(session, SEC, rec, True)
    transitions.transmit(session, SEC, rec)
    answer = replies.submit_reply(session, NL, rec.entry("NL"), kind="final",
                                  position="agrees", text_nl="Akkoord")
    return rec, answer


def test_only_the_secretariat_publishes_and_only_submitted_answers(session, case):
    rec, answer = case
    for actor in (NL, AUDITOR):
        with pytest.raises(errors.PermissionDenied):
            publication.publish_answer(session, actor, answer)
        with pytest.raises(errors.PermissionDenied):
            publication.plan_case(session, actor, rec)
    draft = replies.save_draft(session, SEC, rec.entry("LU"), text_nl="Concept")
    with pytest.raises(errors.TransitionRefused) as refused:
        publication.publish_answer(session, SEC, draft)
    assert refused.value.rule == "submitted_only"
    assert not answer.is_published


def test_a_withdrawal_needs_a_reason_kept_in_its_event(session, case):
    _rec, answer = case
    publication.publish_answer(session, SEC, answer)
    assert answer.is_public
    for reason in ("", "   "):
        with pytest.raises(errors.ValidationError) as refused:
            publication.unpublish_answer(session, SEC, answer, reason)
        assert (refused.value.field, refused.value.rule) == ("reason", "required")
    assert answer.is_published
    publication.unpublish_answer(session, SEC, answer, "Bevat persoonsgegevens")
    assert not answer.is_public
    events = session.scalars(select(Event).where(Event.entity == "answer",
                                                 Event.action.like("%publish_answer"))
                             .order_by(Event.seq)).all()
    assert [(ev.action, ev.reason, ev.data) for ev in events] == [
        ("publish_answer", "", {"answer_id": answer.id}),
        ("unpublish_answer", "Bevat persoonsgegevens", {"answer_id": answer.id})]
    assert history.verify_history(session).ok


def test_a_stale_case_version_publishes_nothing(session, case):
    rec, answer = case
    with pytest.raises(errors.ConflictError):
        publication.publish_answer(session, SEC, answer, expected_version=rec.version - 1)
    assert not answer.is_published


def test_a_plan_publishes_only_what_it_previewed(session, case):
    _rec, answer = case
    plan = publication.plan_session(session, SEC, "Plenaire zitting juni 2026")
    assert plan.to_publish == [answer] and [e.addressee_code for e in plan.without_answer] \
        == ["LU"]
    digest = plan.digest
    publication.publish_answer(session, SEC, answer)  # someone else, meanwhile
    again = publication.plan_session(session, SEC, "Plenaire zitting juni 2026")
    assert again.digest != digest and again.to_publish == []
    with pytest.raises(errors.ConflictError):
        publication.publish_planned(session, SEC, again, expected_digest=digest)
    with pytest.raises(errors.ValidationError) as empty:
        publication.publish_planned(session, SEC, again, expected_digest=again.digest)
    assert empty.value.rule == "publication_empty"
    with pytest.raises(errors.ValidationError) as unknown:
        publication.plan_session(session, SEC, "Geen zitting")
    assert (unknown.value.field, unknown.value.rule) == ("session_label",
                                                         "publication_session_known")
    assert publication.session_labels(session) == ["Plenaire zitting juni 2026"]


def test_events_written_in_one_batch_continue_the_chain(session, case):
    rec, _answer = case
    history.record(session, actor=SEC, action="edit", entity="recommendation",
                   now=rec.updated_at, recommendation=rec)
    written = history.record_many(session, actor=SEC, now=rec.updated_at, events=[
        {"action": "publish_answer", "entity": "answer", "recommendation": rec,
         "addressee_code": code, "payload": {"n": n}} for n, code in enumerate(["NL", "LU"])])
    after = history.record(session, actor=SEC, action="edit", entity="recommendation",
                           now=rec.updated_at, recommendation=rec)
    assert [ev.seq for ev in written] == [after.seq - 2, after.seq - 1]
    assert after.prev_hash == written[-1].hash
    assert history.record_many(session, actor=SEC, now=rec.updated_at, events=[]) == []
    assert history.verify_history(session).ok


def test_a_withdrawn_reply_is_left_out_and_not_published(session, case):
    from workflow.answers import corrections

    rec, _answer = case
    paper = replies.submit_reply(session, SEC, rec.entry("LU"), kind="final",
                                 position="agrees", text_fr="D'accord (sur papier)")
    corrections.withdraw_reply(session, SEC, paper, reason="Verkeerde regering")
    plan = publication.plan_case(session, SEC, rec)
    assert {p.answer.id: p.skip for p in plan.items}[paper.id] == publication.SKIP_WITHDRAWN
    assert paper.id not in {a.id for a in plan.to_publish}
    with pytest.raises(errors.TransitionRefused) as refused:
        publication.publish_answer(session, SEC, paper)
    assert refused.value.rule == "reply_already_withdrawn" and not paper.is_published
    # the SQL side of the rule agrees
    from workflow.models import Answer, CaseAddressee, Recommendation
    ids = set(session.scalars(select(Answer.id).join(CaseAddressee).join(Recommendation)
                              .where(publication.publishable())))
    assert paper.id not in ids
