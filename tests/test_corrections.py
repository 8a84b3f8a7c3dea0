"""Corrections as history, never as edits: a recommendation's texts corrected with a
reason (the old version kept), a reply recorded on paper by mistake withdrawn (it no
longer counts), an attachment removed from a draft."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.pdfs import pdf
from workflow import dispatch, errors, history
from workflow.actors import Actor
from workflow.answers import correspondence, replies
from workflow.answers.corrections import (
    may_withdraw,
    remove_attachment,
    withdraw_reply,
    withdrawal_refusal,
)
from workflow.cases import registration
from workflow.cases.corrections import correct_texts, corrections, versions
from workflow.cases.transitions import transmit
from workflow.models import Answer, Attachment, Event
from workflow.publishing import figures, scoreboard

SENT = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
LATER = SENT + timedelta(days=10)


def _case(session, actor, addressees=("NL",), doc="770/1"):
    rec = registration.register_recommendation(
        session, actor, doc_number=doc, adopted_on=date(2024, 2, 26), addressees=list(addressees),
        title_nl="Grensarbeid", title_fr="Travail frontalier", text_nl="De tekst",
        text_fr="Le texte", deadline_rule="30 calendar days", now=SENT - timedelta(days=1))
    transmit(session, actor, rec, now=SENT)
    return rec


def _paper(session, actor, rec, code="NL", trigger="submit_answer", now=LATER, **params):
    if trigger == "submit_answer":
        params.setdefault("position", "agrees")
    params.setdefault("text_nl", "Antwoord op papier")
    dispatch.fire(session, actor, rec, trigger, addressee=code, now=now,
                  received_on=(now - timedelta(days=2)).date(), **params)
    return max((a for a in rec.entry(code).answers if a.status == "submitted"),
               key=lambda a: a.id)


# --------------------------------------------------------------------------- texts


def test_a_correction_keeps_the_old_version_in_the_history(session, secretariat):
    rec = _case(session, secretariat)
    version = rec.version
    ev = correct_texts(session, secretariat, rec, reason="Tikfout in de titel",
                       title_nl="Grensarbeiders", text_fr="Le texte corrigé",
                       expected_version=version, now=LATER)
    assert (rec.title_nl, rec.text_fr, rec.title_fr) == ("Grensarbeiders", "Le texte corrigé",
                                                         "Travail frontalier")
    assert rec.version > version
    assert (ev.action, ev.entity, ev.reason) == ("correct_texts", "recommendation",
                                                 "Tikfout in de titel")
    assert ev.data["changes"] == {"title_nl": {"old": "Grensarbeid", "new": "Grensarbeiders"},
                                  "text_fr": {"old": "Le texte", "new": "Le texte corrigé"}}
    correct_texts(session, secretariat, rec, reason="Nog een", text_nl="De nieuwe tekst",
                  now=LATER + timedelta(days=1))
    found = corrections(session, rec)
    assert [c.reason for c in found] == ["Tikfout in de titel", "Nog een"]
    assert found[0].actor == "anna" and found[0].before("title_nl") == "Grensarbeid"
    first, middle, last = versions(rec, found)
    assert first == {"title_nl": "Grensarbeid", "title_fr": "Travail frontalier", "title_en": "",
                     "text_nl": "De tekst", "text_fr": "Le texte"}
    assert middle["title_nl"] == "Grensarbeiders" and middle["text_nl"] == "De tekst"
    assert last["text_nl"] == "De nieuwe tekst"
    assert history.verify_history(session).ok


@pytest.mark.parametrize(("texts", "rule"), [
    ({"title_nl": "Grensarbeid"}, "correction_changes_nothing"),
    ({"title_nl": "", "title_fr": ""}, "title_required"),
    ({"committee": "Economie"}, "correctable_field"),
])
def test_a_correction_that_says_nothing_new_is_refused(session, secretariat, texts, rule):
    rec = _case(session, secretariat)
    with pytest.raises(errors.ValidationError) as refused:
        correct_texts(session, secretariat, rec, reason="waarom", now=LATER, **texts)
    assert refused.value.rule == rule
    assert corrections(session, rec) == []


def test_a_correction_needs_a_reason_the_secretariat_and_the_current_version(
        session, secretariat, ministry_nl, auditor):
    rec = _case(session, secretariat)
    with pytest.raises(errors.ValidationError) as refused:
        correct_texts(session, secretariat, rec, reason="  ", title_nl="X", now=LATER)
    assert (refused.value.rule, refused.value.field) == ("required", "reason")
    for actor in (ministry_nl, auditor):
        with pytest.raises(errors.PermissionDenied):
            correct_texts(session, actor, rec, reason="r", title_nl="X", now=LATER)
    with pytest.raises(errors.ConflictError):
        correct_texts(session, secretariat, rec, reason="r", title_nl="X",
                      expected_version=rec.version - 1, now=LATER)
    assert rec.title_nl == "Grensarbeid"


# --------------------------------------------------------------------------- withdrawn replies


def test_a_withdrawn_final_answer_no_longer_counts(session, secretariat):
    rec = _case(session, secretariat)
    answer = _paper(session, secretariat, rec)
    entry = rec.entry("NL")
    assert (rec.state, entry.state, entry.is_awaited) == ("answered", "answered", False)
    assert entry.first_final_at is not None and entry.days_to_answer == 8
    withdraw_reply(session, secretariat, answer, reason="Hoort bij 771/1",
                   expected_version=rec.version, now=LATER + timedelta(days=1))
    assert (rec.state, entry.state, entry.position, entry.answered_on) == (
        "transmitted", "pending", None, None)
    assert entry.is_awaited and entry.live_due_at == entry.due_at
    assert (entry.first_final_at, entry.days_to_answer, entry.is_on_time) == (None, None, False)
    assert answer.withdrawn_by == "anna" and answer.withdrawal_reason == "Hoort bij 771/1"
    ev = session.scalars(select(Event).order_by(Event.seq.desc())).first()
    assert (ev.action, ev.from_state, ev.to_state) == ("withdraw_reply", "answered", "pending")
    assert ev.data["case_state"] == "transmitted"
    # the replay of the history says the same as the rows
    snap = history.state_as_of(session, rec.id, LATER + timedelta(days=2))
    assert snap.state == "transmitted" and snap.addressees["NL"]["state"] == "pending"
    assert snap.addressees["NL"]["position"] is None
    [score] = scoreboard.compute(session.scalars(select(Event)), LATER + timedelta(days=2))
    assert (score.answered, score.pending_now) == (0, 1)
    # the thread keeps the reply, marked withdrawn, and the withdrawal with its reason
    letters = correspondence.thread(session, entry)
    assert [x.kind for x in letters] == ["transmitted", "final_answer", "reply_withdrawn"]
    assert letters[1].answer is answer and letters[2].text == "Hoort bij 771/1"
    # the next reply counts
    _paper(session, secretariat, rec, now=LATER + timedelta(days=5), position="disagrees")
    assert rec.state == "answered" and entry.first_final_at is not None
    assert entry.days_to_answer == 13
    before = [(e.first_final_at, e.days_to_answer) for e in rec.addressees]
    assert figures.rebuild(session) == 1
    session.expire_all()
    assert [(e.first_final_at, e.days_to_answer) for e in rec.addressees] == before


def test_an_interim_reply_withdrawn_leaves_the_others_counted(session, secretariat):
    rec = _case(session, secretariat, addressees=("NL", "LU"))
    _paper(session, secretariat, rec, "LU", "submit_interim")
    answer = _paper(session, secretariat, rec, "NL", "submit_answer",
                    now=LATER + timedelta(hours=1))
    assert rec.state == "awaiting_answers"
    withdraw_reply(session, secretariat, answer, reason="verkeerd", now=LATER + timedelta(days=1))
    assert rec.state == "awaiting_answers" and rec.entry("LU").state == "interim_reply"
    assert rec.entry("NL").state == "pending"
    lu = max(rec.entry("LU").answers, key=lambda a: a.id)
    withdraw_reply(session, secretariat, lu, reason="ook verkeerd",
                   now=LATER + timedelta(days=2))
    assert rec.state == "transmitted"
    snap = history.state_as_of(session, rec.id, LATER + timedelta(days=3))
    assert snap.state == "transmitted"


def test_only_the_latest_paper_reply_still_in_force_can_be_withdrawn(
        session, secretariat, ministry_nl):
    rec = _case(session, secretariat, addressees=("NL", "LU"))
    interim = _paper(session, secretariat, rec, "NL", "submit_interim")
    final = _paper(session, secretariat, rec, "NL", now=LATER + timedelta(hours=1))
    assert withdrawal_refusal(session, secretariat, interim).rule == "reply_superseded"
    assert may_withdraw(session, secretariat, final)
    assert withdrawal_refusal(session, ministry_nl, final).rule == "role"
    withdraw_reply(session, secretariat, final, reason="r", now=LATER + timedelta(days=1))
    assert withdrawal_refusal(session, secretariat, final).rule == "reply_already_withdrawn"
    assert rec.entry("NL").state == "interim_reply"
    assert may_withdraw(session, secretariat, interim)  # now the latest in force
    # a reply the ministry sent itself is not the secretariat's to withdraw
    dispatch.fire(session, Actor("l", "ministry", "LU"), rec, "submit_answer", addressee="LU",
                  position="agrees", text_nl="ja", now=LATER + timedelta(days=2))
    own = next(a for a in rec.entry("LU").answers if a.status == "submitted")
    assert withdrawal_refusal(session, secretariat, own).rule == "withdraw_paper_only"
    with pytest.raises(errors.TransitionRefused) as refused:
        withdraw_reply(session, secretariat, own, reason="r", now=LATER + timedelta(days=3))
    assert refused.value.rule == "withdraw_paper_only"


def test_no_withdrawal_once_the_assessment_started_nor_without_a_reason(session, secretariat):
    rec = _case(session, secretariat)
    answer = _paper(session, secretariat, rec)
    with pytest.raises(errors.ValidationError) as refused:
        withdraw_reply(session, secretariat, answer, reason="", now=LATER + timedelta(days=1))
    assert refused.value.field == "reason"
    dispatch.fire(session, secretariat, rec, "start_assessment", now=LATER + timedelta(days=1))
    with pytest.raises(errors.TransitionRefused) as refused:
        withdraw_reply(session, secretariat, answer, reason="r", now=LATER + timedelta(days=2))
    assert refused.value.rule == "withdraw_before_assessment"
    assert answer.withdrawn_at is None and rec.entry("NL").state == "answered"


# --------------------------------------------------------------------------- attachments


def test_a_ministry_removes_an_attachment_from_its_own_draft(session, secretariat, ministry_nl,
                                                             ministry_be):
    rec = _case(session, secretariat, addressees=("NL", "BE-FED"))
    draft = replies.save_draft(session, ministry_nl, rec.entry("NL"), text_nl="Concept",
                               now=LATER)
    att = replies.add_attachment(session, ministry_nl, draft, filename="brief.pdf",
                                 content=pdf("x"), now=LATER)
    with pytest.raises(errors.NotInScope):
        remove_attachment(session, ministry_be, att, now=LATER)
    with pytest.raises(errors.ConflictError):
        remove_attachment(session, ministry_nl, att, draft_version=draft.version + 1, now=LATER)
    remove_attachment(session, ministry_nl, att, draft_version=draft.version,
                      now=LATER + timedelta(hours=1))
    assert draft.attachments == [] and session.get(Attachment, att.id) is None
    ev = session.scalars(select(Event).order_by(Event.seq.desc())).first()
    assert (ev.action, ev.entity, ev.actor, ev.addressee_code) == (
        "remove_attachment", "attachment", "jan", "NL")
    assert ev.data["answer_id"] == draft.id and "brief.pdf" not in ev.payload
    # once submitted, the attachments stay
    att2 = replies.add_attachment(session, ministry_nl, draft, filename="b.pdf",
                                  content=pdf("y"), now=LATER + timedelta(hours=2))
    dispatch.fire(session, ministry_nl, rec, "submit_interim", addressee="NL",
                  text_nl="Concept", now=LATER + timedelta(hours=3))
    with pytest.raises(errors.TransitionRefused) as refused:
        remove_attachment(session, ministry_nl, att2, now=LATER + timedelta(hours=4))
    assert refused.value.rule == "remove_from_draft_only"
    assert session.get(Answer, draft.id).attachments == [att2]


# --------------------------------------------------------------------------- migration


def test_the_migration_goes_down_and_up_again(db_url):
    from alembic import command
    from sqlalchemy import inspect

    from workflow import db

    db.upgrade(db_url)
    command.downgrade(db.alembic_config(db_url), "0011")
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("answer")}
        assert not columns & {"withdrawn_at", "withdrawn_by", "withdrawal_reason"}
    finally:
        engine.dispose()
    db.upgrade(db_url)
    engine = db.make_engine(db_url)
    try:
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("answer")}
        assert {"withdrawn_at", "withdrawn_by", "withdrawal_reason"} <= columns
    finally:
        engine.dispose()


def test_the_migration_goes_down_and_up_on_postgresql(pg_url):
    test_the_migration_goes_down_and_up_again(pg_url)


def test_the_yearly_review_leaves_a_withdrawn_reply_out(session, secretariat):
    from workflow.reports import pending

    rec = _case(session, secretariat, addressees=("NL", "LU"))
    interim = _paper(session, secretariat, rec, "LU", "submit_interim")
    final = _paper(session, secretariat, rec, "NL", now=LATER + timedelta(hours=1))
    review = pending.build(session, 2024, now=LATER + timedelta(days=1)).figures()
    assert [r[0] for r in review["addressees"]["NL"]["received"]] == ["770/1"]
    assert review["addressees"]["LU"]["pending"][0][3] == 1  # one interim reply
    withdraw_reply(session, secretariat, final, reason="r", now=LATER + timedelta(days=2))
    withdraw_reply(session, secretariat, interim, reason="r", now=LATER + timedelta(days=2))
    review = pending.build(session, 2024, now=LATER + timedelta(days=3)).figures()
    assert review["addressees"]["NL"]["received"] == []
    assert [p[0] for p in review["addressees"]["NL"]["pending"]] == ["770/1"]
    assert review["addressees"]["LU"]["pending"][0][3] == 0


def test_the_focal_points_are_told_their_reply_was_withdrawn(session, secretariat):
    from workflow import accounts
    from workflow.models import Notification

    accounts.create_user(session, username="jan", password="a-long-password-1",
                         role="ministry", organisation="NL", email="jan@example.org")
    rec = _case(session, secretariat)
    answer = _paper(session, secretariat, rec)
    withdraw_reply(session, secretariat, answer, reason="Verkeerde zaak",
                   now=LATER + timedelta(days=1))
    session.flush()
    told = session.scalars(select(Notification).where(
        Notification.kind == "reply_withdrawn")).all()
    assert [n.user.username for n in told] == ["jan"]
    assert "Verkeerde zaak" in told[0].params
