"""Who may see a case or an addressee entry, finding them, and what an actor may do on a case
now."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import errors
from workflow.actors import Actor
from workflow.answers.models import Attachment
from workflow.cases.models import CaseAddressee, Recommendation
from workflow.lifecycle import (
    ANSWER,
    MINISTRY,
    RECOMMENDATION,
    Trigger,
)


def can_see(actor: Actor | None, rec: Recommendation) -> bool:
    """The scope rule (``Recommendation.visible_to``); ``actor`` None is the public."""
    return rec.visible_to(actor)


def check_visible(actor: Actor, rec: Recommendation) -> None:
    if not can_see(actor, rec):
        raise errors.NotInScope(f"no recommendation {rec.doc_number} in your scope",
                                rule="case_in_scope", params={"doc_number": rec.doc_number})


def check_entry_scope(actor: Actor, entry: CaseAddressee) -> None:
    check_visible(actor, entry.recommendation)
    if not entry.visible_to(actor):
        raise errors.NotInScope(
            f"no answer of {entry.addressee_code} on {entry.recommendation.doc_number} "
            "in your scope", rule="answer_in_scope",
            params={"addressee": entry.addressee_code,
                    "doc_number": entry.recommendation.doc_number},
        )


def check_attachment_visible(actor: Actor | None, att: Attachment) -> None:
    """The one check for every download of an attachment (web, API, exports)."""
    if not att.visible_to(actor):
        raise errors.NotInScope(f"no attachment {att.id} in your scope",
                                rule="attachment_in_scope", params={"id": att.id})


def entry_of(rec: Recommendation, code: str) -> CaseAddressee:
    entry = rec.entry(code)
    if entry is None:
        on_case = ", ".join(a.addressee_code for a in rec.addressees) or "none"
        raise errors.UnknownAddressee(
            f"{code} is not an addressee of recommendation {rec.doc_number} "
            f"(its addressees: {on_case})",
            field="addressee", rule="addressee_of_case",
            params={"addressee": code, "doc_number": rec.doc_number,
                    "addressees": [a.addressee_code for a in rec.addressees]},
        )
    return entry


def find_recommendation(session: Session, doc_number: str) -> Recommendation:
    rec = session.scalar(select(Recommendation).where(Recommendation.doc_number == doc_number))
    if rec is None:
        raise errors.NotInScope(f"no recommendation with document number {doc_number!r}",
                                rule="case_exists", params={"doc_number": doc_number})
    return rec


@dataclass(frozen=True)
class Available:
    trigger: Trigger
    addressee_code: str | None = None  # set for answer triggers

    @property
    def name(self) -> str:
        return self.trigger.name


def available_triggers(rec: Recommendation, actor: Actor) -> list[Available]:
    """The actions ``actor`` may take on the case now (recommendation and answers)."""
    if not can_see(actor, rec):
        return []
    found = [Available(t) for t in RECOMMENDATION.available(rec, actor.role)]
    for entry in rec.addressees:
        if actor.role == MINISTRY and entry.addressee_code != actor.organisation:
            continue
        found.extend(Available(t, entry.addressee_code)
                     for t in ANSWER.available(entry, actor.role))
    return found
