"""Corrections of replies, as history: a reply recorded on paper by mistake is withdrawn
(kept, shown as withdrawn, no longer counted), and an attachment is removed from a draft.

Withdrawing is not a step of the answer lifecycle: it undoes one. The addressee's entry
goes back to the state it was in before that reply (the reply's own event says which),
the stored deadline state and scoreboard figures follow (an answer is awaited again, the
first final reply no longer counts) and, when that reply had completed the answers, the
case goes back to awaiting them. One event ``withdraw_reply`` records it all, with the
case's new state in its payload (``case_state``) for the replays of the history
(``history.replay``, ``publishing.scoreboard``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import errors, history
from workflow.actors import Actor
from workflow.answers.models import Answer, Attachment
from workflow.cases.models import CaseAddressee, Recommendation
from workflow.cases.scope import check_entry_scope
from workflow.checks import (
    MAX_REASON,
    check_version,
    clean_text,
    flush,
    require_role,
    resolve_now,
    touch,
)
from workflow.clock import brussels_date
from workflow.history.models import Event
from workflow.history.moments import effective_moment, latest_moment
from workflow.lifecycle import ACCEPTS_ANSWERS, REPLY_TRIGGERS, SECRETARIAT, aggregate
from workflow.publishing import figures

WITHDRAW = "withdraw_reply"
REMOVE_ATTACHMENT = "remove_attachment"
# The case states in which a reply can still be withdrawn: answers are awaited, or they
# are all in and the committee has not started assessing them.
WITHDRAWABLE_CASE_STATES = (*ACCEPTS_ANSWERS, "answered")
# The events that set the state a withdrawal goes back from (a case's round of answers).
_ROUND_STARTS = ("transmit", "request_follow_up")


def reply_event(session: Session, answer: Answer) -> Event | None:
    """The event that recorded ``answer`` as submitted."""
    entry = answer.entry
    for ev in session.scalars(select(Event).where(
            Event.recommendation_id == entry.recommendation_id,
            Event.addressee_code == entry.addressee_code,
            Event.action.in_(tuple(REPLY_TRIGGERS.values()))).order_by(Event.seq.desc())):
        if ev.data.get("answer_id") == answer.id:
            return ev
    return None


def withdrawal_refusal(session: Session, actor: Actor, answer: Answer,
                       event: Event | None = None) -> errors.WorkflowError | None:
    """Why ``answer`` cannot be withdrawn now (the refusal, with its rule), or None."""
    entry = answer.entry
    rec = entry.recommendation
    if actor.role != SECRETARIAT:
        return errors.PermissionDenied(
            f"only the secretariat may withdraw a reply (you are {actor.role})", rule="role",
            params={"trigger": WITHDRAW, "roles": [SECRETARIAT]})
    if answer.status != "submitted":
        return errors.TransitionRefused("a draft is not a recorded reply; only a submitted "
                                        "reply can be withdrawn", rule="withdraw_submitted_only")
    if answer.is_withdrawn:
        return errors.TransitionRefused("this reply is already withdrawn",
                                        rule="reply_already_withdrawn")
    if answer.author_org == entry.addressee_code:
        return errors.TransitionRefused(
            f"{entry.addressee_code} sent this reply itself; only a reply recorded on paper "
            "by the secretariat can be withdrawn", rule="withdraw_paper_only",
            params={"addressee": entry.addressee_code})
    if rec.state not in WITHDRAWABLE_CASE_STATES:
        return errors.TransitionRefused(
            f"recommendation {rec.doc_number} is {rec.state}: a reply can be withdrawn only "
            "until the committee starts assessing the answers", rule="withdraw_before_assessment",
            params={"doc_number": rec.doc_number, "state": rec.state})
    latest = max((a for a in entry.answers if a.status == "submitted" and not a.is_withdrawn),
                 key=lambda a: a.id)
    event = event or reply_event(session, answer)
    if latest is not answer or event is None or event.to_state != entry.state:
        return errors.TransitionRefused(
            f"a later step on the answer of {entry.addressee_code} followed this reply; only "
            "the latest reply, while it is still in force, can be withdrawn",
            rule="reply_superseded", params={"addressee": entry.addressee_code})
    return None


def may_withdraw(session: Session, actor: Actor, answer: Answer) -> bool:
    return withdrawal_refusal(session, actor, answer) is None


def withdrawable(session: Session, actor: Actor, rec: Recommendation) -> set[int]:
    """The ids of the replies of ``rec`` that ``actor`` may withdraw now, for a page: one
    query for the case's reply events, whatever the number of addressees."""
    if actor.role != SECRETARIAT or rec.state not in WITHDRAWABLE_CASE_STATES:
        return set()
    events = {ev.data.get("answer_id"): ev for ev in session.scalars(select(Event).where(
        Event.recommendation_id == rec.id,
        Event.action.in_(tuple(REPLY_TRIGGERS.values()))).order_by(Event.seq))}
    out = set()
    for entry in rec.addressees:
        sent = [a for a in entry.answers if a.status == "submitted" and not a.is_withdrawn]
        latest = max(sent, key=lambda a: a.id, default=None)
        if latest is not None and latest.id in events and withdrawal_refusal(
                session, actor, latest, events[latest.id]) is None:
            out.add(latest.id)
    return out


def _round_start(session: Session, entry: CaseAddressee) -> str:
    """The case state the current round of answers started in (transmitted, or follow-up
    requested)."""
    state = session.scalar(select(Event.to_state).where(
        Event.recommendation_id == entry.recommendation_id,
        Event.action.in_(_ROUND_STARTS)).order_by(Event.seq.desc()).limit(1))
    return state or "transmitted"


def withdraw_reply(session: Session, actor: Actor, answer: Answer, *, reason: str,
                   expected_version: int | None = None,
                   now: datetime | None = None) -> Answer:
    """Withdraw a reply the secretariat recorded on paper by mistake, with the reason."""
    now = resolve_now(now)
    entry = answer.entry
    rec = entry.recommendation
    check_entry_scope(actor, entry)
    require_role(actor, SECRETARIAT, "withdraw a reply")
    check_version(rec, expected_version)
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
    event = reply_event(session, answer)
    refused = withdrawal_refusal(session, actor, answer, event)
    if refused is not None:
        raise refused
    effective_at = effective_moment(brussels_date(now), now,
                                    after=latest_moment(session, rec, entry.addressee_code))
    before, restored = entry.state, event.from_state
    case_before = rec.state
    entry.state = restored
    if answer.kind == "final":
        entry.position = None
    if answer.kind in ("final", "declined"):
        entry.answered_on = None
    if event.action in figures.FINAL_REPLY:
        figures.note_final_withdrawn(entry, event.effective_at)
    if rec.state in ("answered", "awaiting_answers"):
        rec.state = aggregate(_round_start(session, entry),
                              [(a.state, a.is_required) for a in rec.addressees])
    answer.withdrawn_at, answer.withdrawn_by = now, actor.username
    answer.withdrawal_reason, answer.updated_at = reason, now
    touch(rec, now)
    flush(session)
    payload = {"answer_id": answer.id, "kind": answer.kind, "reply_seq": event.seq,
               "case_from": case_before, "case_state": rec.state}
    if answer.kind == "final":
        payload["position"] = None
    history.record(session, actor=actor, action=WITHDRAW, entity="answer", now=now,
                   recommendation=rec, addressee_code=entry.addressee_code, from_state=before,
                   to_state=restored, reason=reason, effective_at=effective_at,
                   payload=payload)
    return answer


def remove_attachment(session: Session, actor: Actor, attachment: Attachment, *,
                      draft_version: int | None = None,
                      now: datetime | None = None) -> Answer:
    """Remove an attachment from the actor's own draft reply, before it is submitted."""
    now = resolve_now(now)
    answer = attachment.answer
    entry = answer.entry
    check_entry_scope(actor, entry)
    if answer.author_org != actor.organisation:
        raise errors.NotInScope("no such draft in your scope", rule="draft_in_scope")
    if answer.status != "draft":
        raise errors.TransitionRefused(
            "the reply is submitted: its attachments stay as they were sent",
            rule="remove_from_draft_only")
    if draft_version is not None and int(draft_version) != answer.version:
        raise errors.ConflictError("the draft was changed meanwhile; reload it and try again",
                                   rule="draft_version")
    payload = {"answer_id": answer.id, "attachment_id": attachment.id,
               "sha256": attachment.sha256}
    answer.attachments.remove(attachment)
    answer.updated_at = now
    flush(session)
    # The draft stays private to its organisation: the event says which file (by its
    # hash), not what it was called.
    history.record(session, actor=actor, action=REMOVE_ATTACHMENT, entity="attachment",
                   now=now, recommendation=entry.recommendation,
                   addressee_code=entry.addressee_code, payload=payload)
    return answer
