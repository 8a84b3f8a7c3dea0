"""Publishing answers: one at a time, all of a case, or all of a plenary session.

Who may: the secretariat only. What may be published: a submitted answer (never a
draft); it shows on the public side once its recommendation is published too
(:attr:`Answer.is_public`). Withdrawing a published answer needs a reason, kept in
the history event. Each publication or withdrawal is one ``publish_answer`` /
``unpublish_answer`` event of the answer.

A bulk publication (a case, a session) is first planned: :func:`plan_case` and
:func:`plan_session` list what will be published and what is left out and why, with a
fingerprint (``digest``) of what will be published. :func:`publish_planned` publishes
only when the plan is still the one previewed (the same fingerprint), else nothing
is written and a :class:`~workflow.errors.ConflictError` says so. It reads the plan in
one statement and writes with one UPDATE per table and one batch of events, whatever
the number of answers; the session is named by its label, never by a list of ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, select, update
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from workflow import errors, history
from workflow.actors import Actor
from workflow.answers.models import Answer
from workflow.cases import scope
from workflow.cases.models import CaseAddressee, Recommendation
from workflow.cases.queries import distinct_values
from workflow.checks import (
    MAX_REASON,
    check_version,
    clean_text,
    flush,
    require_role,
    resolve_now,
    touch,
)
from workflow.lifecycle import SECRETARIAT

PUBLISH_ANSWER = "publish_answer"
UNPUBLISH_ANSWER = "unpublish_answer"
SUBMITTED = "submitted"

# Why an answer is left out of a bulk publication.
SKIP_DRAFT = "draft"                      # not submitted: drafts are never published
SKIP_WITHDRAWN = "withdrawn"              # recorded by mistake and withdrawn: it no longer counts
SKIP_ALREADY_PUBLISHED = "already_published"
SKIP_CASE_NOT_PUBLISHED = "case_not_published"  # it would not show: publish the case first
SKIP_REASONS = (SKIP_DRAFT, SKIP_WITHDRAWN, SKIP_ALREADY_PUBLISHED, SKIP_CASE_NOT_PUBLISHED)

CASE, SESSION = "case", "session"


# ---------------------------------------------------------------------------
# The rule, in Python and in SQL (tested to agree)


def skip_reason(answer: Answer) -> str | None:
    """Why a bulk publication leaves ``answer`` out; None: it is published."""
    if answer.status != SUBMITTED:
        return SKIP_DRAFT
    if answer.withdrawn_at is not None:
        return SKIP_WITHDRAWN
    if answer.is_published:
        return SKIP_ALREADY_PUBLISHED
    if not answer.entry.recommendation.is_published:
        return SKIP_CASE_NOT_PUBLISHED
    return None


def publishable() -> ColumnElement[bool]:
    """:func:`skip_reason` is None, as SQL (with ``Recommendation`` joined)."""
    return and_(Answer.status == SUBMITTED, Answer.withdrawn_at.is_(None),
                Answer.is_published.is_(False), Recommendation.is_published.is_(True))


def may_publish(actor: Actor, answer: Answer, published: bool = True) -> None:
    """Refuses (raises) when ``actor`` may not publish (or withdraw) ``answer``."""
    require_role(actor, SECRETARIAT, "publish an answer")
    scope.check_entry_scope(actor, answer.entry)
    if not answer.visible_to(actor):
        raise errors.NotInScope(f"no answer {answer.id} in your scope", rule="answer_in_scope",
                                params={"addressee": answer.entry.addressee_code,
                                        "doc_number": answer.entry.recommendation.doc_number})
    if published and answer.status != SUBMITTED:
        raise errors.TransitionRefused("a draft cannot be published; only submitted answers",
                                       rule="submitted_only")
    if published and answer.withdrawn_at is not None:
        raise errors.TransitionRefused("this reply was withdrawn (recorded by mistake): it is "
                                       "not published", rule="reply_already_withdrawn")


# ---------------------------------------------------------------------------
# One answer


def publish_answer(session: Session, actor: Actor, answer: Answer, published: bool = True, *,
                   reason: str = "", expected_version: int | None = None,
                   now: datetime | None = None) -> Answer:
    """Publish a submitted answer, or withdraw it (``published=False``, with a reason);
    one history event. Doing what is already done changes and records nothing."""
    now = resolve_now(now)
    may_publish(actor, answer, published)
    rec = answer.entry.recommendation
    check_version(rec, expected_version)
    if not published:
        reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
    if answer.is_published == published:
        return answer
    answer.is_published = published
    answer.updated_at = now
    touch(rec, now)  # what the case shows changed: it gets a new version
    flush(session)
    history.record(session, actor=actor, action=PUBLISH_ANSWER if published else UNPUBLISH_ANSWER,
                   entity="answer", now=now, recommendation=rec,
                   addressee_code=answer.entry.addressee_code, reason=reason,
                   payload={"answer_id": answer.id})
    return answer


def unpublish_answer(session: Session, actor: Actor, answer: Answer, reason: str, *,
                     expected_version: int | None = None,
                     now: datetime | None = None) -> Answer:
    """Withdraw a published answer from the public side; the reason is required."""
    return publish_answer(session, actor, answer, False, reason=reason,
                          expected_version=expected_version, now=now)


# ---------------------------------------------------------------------------
# Many answers: plan, then publish what the plan says


@dataclass
class Planned:
    answer: Answer
    skip: str | None  # None: published by the plan


@dataclass
class Plan:
    """What publishing every submitted answer of a case or session does."""

    kind: str          # CASE or SESSION
    label: str         # the session label, or the case's document number
    items: list[Planned] = field(default_factory=list)
    # entries of the cases with no answer the secretariat sees (nothing submitted yet)
    without_answer: list[CaseAddressee] = field(default_factory=list)
    case_id: int | None = None

    @property
    def to_publish(self) -> list[Answer]:
        return [p.answer for p in self.items if p.skip is None]

    @property
    def skipped(self) -> list[Planned]:
        return [p for p in self.items if p.skip is not None]

    @property
    def cases(self) -> list[Recommendation]:
        """The cases whose answers the plan publishes, in the plan's order."""
        return list({a.entry.recommendation.id: a.entry.recommendation
                     for a in self.to_publish}.values())

    @property
    def digest(self) -> str:
        """The fingerprint of what will be published (the answers and their versions)."""
        text = ";".join(f"{a.id}:{a.version}" for a in sorted(self.to_publish,
                                                              key=lambda a: a.id))
        return hashlib.sha256(f"{self.kind}\n{self.label}\n{text}".encode()).hexdigest()


def _where(kind: str, key) -> ColumnElement[bool]:
    if kind == CASE:
        return Recommendation.id == key
    return Recommendation.session_label == key


def _plan(session: Session, actor: Actor, kind: str, key, label: str) -> Plan:
    require_role(actor, SECRETARIAT, "publish answers")
    answers = session.scalars(
        select(Answer).join(Answer.entry).join(CaseAddressee.recommendation)
        .where(_where(kind, key), Answer.visible_to(actor))
        .options(contains_eager(Answer.entry).contains_eager(CaseAddressee.recommendation))
        .order_by(Recommendation.adopted_on, Recommendation.doc_number, CaseAddressee.id,
                  Answer.id)).unique().all()
    without = session.scalars(
        select(CaseAddressee).join(CaseAddressee.recommendation)
        .where(_where(kind, key), ~exists().where(Answer.case_addressee_id == CaseAddressee.id,
                                                  Answer.visible_to(actor)))
        .options(contains_eager(CaseAddressee.recommendation))
        .order_by(Recommendation.adopted_on, Recommendation.doc_number, CaseAddressee.id)
    ).unique().all()
    return Plan(kind=kind, label=label, items=[Planned(a, skip_reason(a)) for a in answers],
                without_answer=list(without), case_id=key if kind == CASE else None)


def plan_case(session: Session, actor: Actor, rec: Recommendation) -> Plan:
    """Publishing every submitted answer of ``rec``: what it does."""
    scope.check_visible(actor, rec)
    return _plan(session, actor, CASE, rec.id, rec.doc_number)


def plan_session(session: Session, actor: Actor, session_label: str) -> Plan:
    """Publishing every submitted answer of the recommendations adopted in the plenary
    session ``session_label`` (as registered): what it does."""
    label = (session_label or "").strip()
    if not label:
        raise errors.ValidationError("choose the session", field="session_label",
                                     rule="publication_session")
    if session.scalar(select(exists().where(Recommendation.session_label == label))) is False:
        raise errors.ValidationError(f"no recommendation of the session {label!r}",
                                     field="session_label", rule="publication_session_known",
                                     params={"session": label})
    return _plan(session, actor, SESSION, label, label)


def publish_planned(session: Session, actor: Actor, plan: Plan, *, expected_digest: str,
                    now: datetime | None = None) -> list[Answer]:
    """Publish what ``plan`` (just made) says, if it is still what was previewed
    (``expected_digest``); one ``publish_answer`` event per answer. Nothing is written
    when the plan changed meanwhile (a conflict) or publishes nothing."""
    now = resolve_now(now)
    require_role(actor, SECRETARIAT, "publish answers")
    if plan.digest != expected_digest:
        raise errors.ConflictError(
            f"what publishing the answers of {plan.label} does has changed since the preview; "
            "nothing was published: check the new preview and confirm again",
            rule="publication_preview_changed", params={"label": plan.label})
    answers = plan.to_publish
    if not answers:
        raise errors.ValidationError(f"{plan.label} has no answer to publish",
                                     rule="publication_empty", params={"label": plan.label})
    key = plan.case_id if plan.kind == CASE else plan.label
    chosen = (select(Answer.id).join(Answer.entry).join(CaseAddressee.recommendation)
              .where(_where(plan.kind, key), publishable(), Answer.visible_to(actor)))
    cases = plan.cases
    # the cases first (while their answers still match), then the answers: one UPDATE each
    touched = session.execute(
        update(Recommendation)
        .where(Recommendation.id.in_(chosen.with_only_columns(CaseAddressee.recommendation_id)
                                     .distinct()))
        .values(updated_at=now, version=Recommendation.version + 1)
        .execution_options(synchronize_session=False))
    published = session.execute(
        update(Answer).where(Answer.id.in_(chosen))
        .values(is_published=True, updated_at=now, version=Answer.version + 1)
        .execution_options(synchronize_session=False))
    if touched.rowcount != len(cases) or published.rowcount != len(answers):
        raise errors.ConflictError(
            f"the answers of {plan.label} changed while they were being published; nothing "
            "was published: check the new preview and confirm again",
            rule="publication_preview_changed", params={"label": plan.label})
    # the objects in memory say what the database now holds (without another write)
    for obj in (*cases, *answers):
        set_committed_value(obj, "updated_at", now)
        set_committed_value(obj, "version", obj.version + 1)
    for a in answers:
        set_committed_value(a, "is_published", True)
    payload = {"session": plan.label} if plan.kind == SESSION else {}
    history.record_many(session, actor=actor, now=now, events=[
        {"action": PUBLISH_ANSWER, "entity": "answer", "recommendation": a.entry.recommendation,
         "addressee_code": a.entry.addressee_code, "payload": {"answer_id": a.id, **payload}}
        for a in answers])
    return answers


def session_labels(session: Session) -> list[str]:
    """The plenary sessions recommendations were registered with (the distinct labels,
    one index probe each)."""
    return distinct_values(session, Recommendation.session_label)


__all__ = ["CASE", "PUBLISH_ANSWER", "SESSION", "SKIP_REASONS", "UNPUBLISH_ANSWER", "Plan",
           "Planned", "may_publish", "plan_case", "plan_session", "publish_answer",
           "publish_planned", "publishable", "session_labels", "skip_reason",
           "unpublish_answer"]
