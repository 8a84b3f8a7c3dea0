"""Replies of the addressees: drafts, submitted answers (interim, final, declined), waivers and
attachments."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy.orm import Session

from workflow import errors, history
from workflow.actors import Actor
from workflow.answers.models import Answer, Attachment
from workflow.answers.pdf_files import check_pdf
from workflow.cases.models import CaseAddressee
from workflow.cases.scope import check_entry_scope
from workflow.cases.transitions import follow_addressees
from workflow.checks import MAX_REASON, check_version, clean_text, flush, resolve_now, touch
from workflow.clock import brussels_date
from workflow.history.moments import effective_moment, latest_moment
from workflow.lifecycle import (
    ANSWER,
    MINISTRY,
    POSITIONS,
    REPLY_TRIGGERS,
)
from workflow.publishing import figures

KINDS = REPLY_TRIGGERS


def _answer_fields(kind, position, text_nl, text_fr, letter_date, adopted_on):
    if kind not in KINDS:
        raise errors.ValidationError(f"unknown kind of reply {kind!r}; choose interim, final "
                                     "or declined", field="kind", rule="reply_kind",
                                     params={"value": kind})
    if position is not None and position != "" and position not in POSITIONS:
        raise errors.ValidationError(f"unknown position {position!r}; choose one of "
                                     f"{', '.join(POSITIONS)}", field="position",
                                     rule="position_known", params={"value": position})
    text_nl = clean_text(text_nl, "text_nl")
    text_fr = clean_text(text_fr, "text_fr")
    if letter_date is not None and letter_date < adopted_on:
        raise errors.ValidationError(
            f"the date on the letter ({letter_date}) is before the recommendation was adopted "
            f"({adopted_on})", field="letter_date", rule="letter_after_adoption",
            params={"date": letter_date, "adopted_on": adopted_on})
    return position or None, text_nl, text_fr


def draft_of(entry: CaseAddressee, organisation: str | None = None) -> Answer | None:
    """The draft reply of ``organisation`` (default: the addressee itself). A draft
    belongs to the organisation that wrote it: the secretariat recording a paper
    reply never picks up a ministry's private draft, nor the other way round."""
    organisation = organisation or entry.addressee_code
    return next((a for a in entry.answers
                 if a.status == "draft" and a.author_org == organisation), None)


def save_draft(session: Session, actor: Actor, entry: CaseAddressee, *, kind: str = "final",
               position: str | None = None, text_nl: str = "", text_fr: str = "",
               letter_date: date | None = None, draft_version: int | None = None,
               now: datetime | None = None) -> Answer:
    """Create or update the addressee's draft reply (not visible outside its organisation)."""
    now = resolve_now(now)
    check_entry_scope(actor, entry)
    trig = ANSWER.trigger(KINDS.get(kind, "submit_answer"))
    refused = ANSWER.refusal(entry, trig, actor.role, {})
    if refused:
        raise refused
    position, text_nl, text_fr = _answer_fields(kind, position, text_nl, text_fr, letter_date,
                                                entry.recommendation.adopted_on)
    draft = draft_of(entry, actor.organisation)
    if draft is None:
        draft = Answer(kind=kind, status="draft", author=actor.username,
                       author_org=actor.organisation, created_at=now)
        entry.answers.append(draft)
    elif draft_version is not None and int(draft_version) != draft.version:
        raise errors.ConflictError("the draft was changed meanwhile; reload it and try again")
    draft.kind, draft.position, draft.text_nl, draft.text_fr = kind, position, text_nl, text_fr
    draft.letter_date, draft.updated_at = letter_date, now
    flush(session)
    return draft


def submit_reply(session: Session, actor: Actor, entry: CaseAddressee, *, kind: str,
                 position: str | None = None, text_nl: str = "", text_fr: str = "",
                 letter_date: date | None = None, received_on: date | None = None,
                 reason: str = "", expected_version: int | None = None,
                 text_on_record: bool = True, now: datetime | None = None) -> Answer:
    """Submit an interim reply, a final answer (with a position) or a refusal to answer.

    A ministry submits its own (received today); the secretariat records a reply
    received on paper on the addressee's behalf, with the date it was received.
    The addressee's draft, if any, becomes the submitted version.

    ``text_on_record=False`` records a historic reply known only by the date it was
    received: it has no text (nor, for a final answer, necessarily a position) and
    counts as received that day like any other."""
    now = resolve_now(now)
    check_entry_scope(actor, entry)
    rec = entry.recommendation
    check_version(rec, expected_version)
    trigger = KINDS.get(kind)
    position, text_nl, text_fr = _answer_fields(kind, position, text_nl, text_fr, letter_date,
                                                rec.adopted_on)
    refused = ANSWER.refusal(entry, ANSWER.trigger(trigger), actor.role, {})
    if refused:
        raise refused
    today = brussels_date(now)
    if actor.role == MINISTRY or received_on is None:
        received_on = today
    if received_on > today:
        raise errors.ValidationError(f"the date received ({received_on}) is in the future",
                                     field="received_on", rule="not_in_future",
                                     params={"date": received_on})
    if entry.clock_start and received_on < entry.clock_start:
        raise errors.ValidationError(
            f"the date received ({received_on}) is before the recommendation was sent "
            f"({entry.clock_start})", field="received_on", rule="received_after_sending",
            params={"date": received_on, "sent_on": entry.clock_start})
    effective_at = effective_moment(received_on, now, field="received_on",
                                    after=latest_moment(session, rec, entry.addressee_code))
    if letter_date is not None and letter_date > received_on:
        raise errors.ValidationError(
            f"the date on the letter ({letter_date}) is after the date it was received "
            f"({received_on})", field="letter_date", rule="letter_before_receipt",
            params={"date": letter_date, "received_on": received_on})
    if not text_on_record:
        if actor.role == MINISTRY:
            raise errors.PermissionDenied("only the secretariat records a reply whose text "
                                          "is not on record", rule="role")
        if text_nl or text_fr or reason:
            raise errors.ValidationError(
                "a reply whose text is not on record has no text; leave the text empty or "
                "give the text and mark it as on record", field="text_nl" if text_nl or not
                text_fr else "text_fr", rule="text_not_on_record")
    elif kind == "final" and not position:
        raise errors.ValidationError("a final answer needs a position: agrees, partly agrees, "
                                     "disagrees or takes note", field="position",
                                     rule="final_has_position")
    if text_on_record and kind != "declined" and not (text_nl or text_fr):
        raise errors.ValidationError("give the text of the reply in Dutch, French or both",
                                     field="text_nl", rule="reply_text")
    if kind == "declined" and text_on_record:
        reason = clean_text(reason or text_nl or text_fr, "reason", required=True, limit=MAX_REASON)
    answer = draft_of(entry, actor.organisation)
    if answer is None:
        answer = Answer(author=actor.username, author_org=actor.organisation, created_at=now)
        entry.answers.append(answer)
    answer.kind, answer.status, answer.position = kind, "submitted", position
    answer.text_nl, answer.text_fr, answer.letter_date = text_nl, text_fr, letter_date
    answer.received_on, answer.submitted_at, answer.updated_at = received_on, now, now
    answer.is_text_on_record = text_on_record
    before = ANSWER.fire(entry, trigger, actor.role, {})
    if kind == "final":
        entry.position = position
    if kind in ("final", "declined"):
        entry.answered_on = received_on
    if trigger in figures.FINAL_REPLY:
        figures.note_final_reply(session, entry, effective_at)
    touch(rec, now)
    flush(session)
    history.record(
        session, actor=actor, action=trigger, entity="answer", now=now, recommendation=rec,
        addressee_code=entry.addressee_code, from_state=before, to_state=entry.state,
        reason=reason, effective_at=effective_at,
        payload={"answer_id": answer.id, "kind": kind, "position": position,
                 "letter_date": letter_date.isoformat() if letter_date else None,
                 "received_on": received_on.isoformat(),
                 "on_behalf": actor.organisation != entry.addressee_code,
                 "text_sha256": hashlib.sha256(f"{text_nl}\n{text_fr}".encode()).hexdigest(),
                 "attachments": [a.sha256 for a in answer.attachments],
                 **({} if text_on_record else {"text_on_record": False})},
    )
    follow_addressees(session, rec, now, actor, effective_at)
    return answer


def waive(session: Session, actor: Actor, entry: CaseAddressee, *, reason: str = "",
          expected_version: int | None = None, waived_on: date | None = None,
          now: datetime | None = None) -> CaseAddressee:
    """Waive an addressee's answer because a collective Committee of Ministers answer covers it.
    ``waived_on``: the day of the waiver when it is not today (a historic record)."""
    now = resolve_now(now)
    check_entry_scope(actor, entry)
    rec = entry.recommendation
    check_version(rec, expected_version)
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
    refused = ANSWER.refusal(entry, ANSWER.trigger("waive"), actor.role, {})
    if refused:
        raise refused
    effective_at = None if waived_on is None else effective_moment(
        waived_on, now, field="waived_on", after=latest_moment(session, rec, entry.addressee_code))
    before = ANSWER.fire(entry, "waive", actor.role, {})
    figures.note_waived(entry)
    touch(rec, now)
    flush(session)
    history.record(session, actor=actor, action="waive", entity="answer", now=now,
                   recommendation=rec, addressee_code=entry.addressee_code, from_state=before,
                   to_state=entry.state, reason=reason, effective_at=effective_at)
    follow_addressees(session, rec, now, actor, effective_at)
    return entry


def add_attachment(session: Session, actor: Actor, answer: Answer, *, filename: str,
                   content: bytes, content_type: str | None = None,
                   now: datetime | None = None) -> Attachment:
    """Attach a PDF to a draft reply (``pdf_files.check_pdf``: by content, not by name)."""
    now = resolve_now(now)
    check_entry_scope(actor, answer.entry)
    if answer.status != "draft":
        raise errors.TransitionRefused("attachments are added to a draft, before it is "
                                       "submitted", rule="draft_only")
    if answer.author_org != actor.organisation:
        raise errors.NotInScope("no such draft in your scope", rule="draft_in_scope")
    filename, content_type = check_pdf(filename, content)
    att = Attachment(filename=filename, content_type=content_type, size=len(content),
                     sha256=hashlib.sha256(content).hexdigest(), content=content,
                     uploaded_by=actor.username, created_at=now)
    answer.attachments.append(att)
    answer.updated_at = now
    flush(session)
    return att
