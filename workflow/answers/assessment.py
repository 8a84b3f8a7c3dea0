"""The committee's judgement of each submitted answer (recorded by the secretariat):
satisfactory, partly satisfactory or unsatisfactory, with a note.

Each judgement is an ``assess_answer`` event (entity ``assessment``); judging the same
answer again is a new event that replaces the judgement: the latest counts, on the
answer row, in the scoreboard's counts (``figures.note_judgement``) and in the replay
of the history (``scoreboard.replay_cases``). An unsatisfactory answer is what a
follow-up question to that addressee is for (``may_follow_up``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from workflow import errors, history
from workflow.actors import Actor
from workflow.answers.models import ASSESSABLE_KINDS, JUDGEMENTS, UNSATISFACTORY, Answer
from workflow.cases.scope import check_entry_scope
from workflow.cases.transitions import may_ask_again
from workflow.checks import MAX_REASON, clean_text, flush, resolve_now
from workflow.lifecycle import RECOMMENDATION, SECRETARIAT
from workflow.publishing import figures
from workflow.publishing.scoreboard import ASSESS

ENTITY = "assessment"


def _check_answer_version(answer: Answer, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != answer.version:
        raise errors.ConflictError(
            f"the answer of {answer.entry.addressee_code} was changed meanwhile (it is now at "
            f"version {answer.version}, you had version {expected_version}); reload it and try "
            "again", rule="answer_version",
            params={"addressee": answer.entry.addressee_code,
                    "doc_number": answer.entry.recommendation.doc_number})


def assess_answer(session: Session, actor: Actor, answer: Answer, *, judgement: str,
                  note: str = "", expected_version: int | None = None,
                  now: datetime | None = None) -> Answer:
    """Record the committee's judgement of a submitted final reply (replacing an earlier
    one); the secretariat records it."""
    now = resolve_now(now)
    if actor.role != SECRETARIAT:
        raise errors.PermissionDenied(
            f"only the secretariat records the committee's assessment (you are {actor.role})",
            rule="role", params={"roles": [SECRETARIAT]})
    entry = answer.entry
    check_entry_scope(actor, entry)
    _check_answer_version(answer, expected_version)
    if answer.withdrawn_at is not None:
        raise errors.TransitionRefused("this reply was withdrawn: it is no longer assessed",
                                       rule="reply_already_withdrawn")
    if not answer.is_assessable:
        raise errors.TransitionRefused(
            f"only a submitted final reply ({', '.join(ASSESSABLE_KINDS)}) is assessed, not "
            f"a {answer.status} {answer.kind} reply", rule="assessable_answer",
            params={"kind": answer.kind, "status": answer.status})
    if judgement not in JUDGEMENTS:
        raise errors.ValidationError(
            f"unknown judgement {judgement!r}; choose one of {', '.join(JUDGEMENTS)}",
            field="judgement", rule="judgement_known", params={"value": judgement or ""})
    note = clean_text(note, "note", limit=MAX_REASON)
    previous = answer.judgement
    answer.judgement, answer.judgement_note = judgement, note
    answer.judged_at, answer.judged_by = now, actor.username
    figures.note_judgement(entry, previous, judgement)
    flush(session)
    history.record(
        session, actor=actor, action=ASSESS, entity=ENTITY, now=now,
        recommendation=entry.recommendation, addressee_code=entry.addressee_code,
        reason=note,
        payload={"answer_id": answer.id, "kind": answer.kind, "judgement": judgement,
                 "replaces": previous})
    return answer


def latest_final_reply(answer: Answer) -> bool:
    """Whether ``answer`` is its addressee's latest submitted final reply on the case."""
    finals = [a for a in answer.entry.answers if a.is_assessable]
    return bool(finals) and finals[-1] is answer


def follow_up_offered(answer: Answer) -> bool:
    """An unsatisfactory judgement offers a follow-up question to the addressee: the
    latest judgement of its latest final reply is unsatisfactory and the addressee may be
    asked again (it has not been asked again since)."""
    return (answer.judgement == UNSATISFACTORY and latest_final_reply(answer)
            and may_ask_again(answer.entry))


def follow_up_refusal(answer: Answer, role: str):
    """Why the follow-up question cannot be put now (the lifecycle's rule), or None."""
    rec = answer.entry.recommendation
    return RECOMMENDATION.refusal(rec, RECOMMENDATION.trigger("request_follow_up"), role, {})
