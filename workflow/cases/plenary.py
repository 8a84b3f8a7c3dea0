"""All recommendations of one plenary session at once: transmitting them together.

After a plenary the secretariat sends everything it adopted to the addressees on one
day. ``transmit_preview`` says, writing nothing, which of the session's recommendations
would be transmitted and which cannot be (with the lifecycle's refusal); ``transmit_session``
transmits exactly those shown, each through :func:`transitions.transmit` (its own history
event and due dates), in the caller's one transaction, or refuses when the list changed
meanwhile.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflow import errors
from workflow.actors import Actor
from workflow.cases import queries, transitions
from workflow.cases.models import CaseAddressee, Recommendation
from workflow.checks import resolve_now
from workflow.lifecycle import RECOMMENDATION

TRANSMIT = RECOMMENDATION.trigger("transmit")
# A plenary adopts a few dozen texts; a larger set is not one session's and is refused
# rather than loaded whole.
MAX_PER_SESSION = 500


@dataclass(frozen=True)
class TransmitPreview:
    """What transmitting a session would do: the cases ready, and those refused with why."""

    session_label: str
    ready: tuple[Recommendation, ...]
    refused: tuple[tuple[Recommendation, errors.WorkflowError], ...]

    @property
    def digest(self) -> str:
        """A fingerprint of the cases shown (and their versions), checked when applying."""
        text = "|".join(f"{r.id}:{r.version}" for r in self.ready)
        return hashlib.sha256(f"{self.session_label}|{text}".encode()).hexdigest()


def sessions_to_transmit(session: Session, actor: Actor) -> list[str]:
    """The session labels with at least one recommendation still to transmit, in order."""
    return queries.distinct_values(
        session, Recommendation.session_label,
        Recommendation.state.in_(TRANSMIT.sources), Recommendation.visible_to(actor))


def _not_a_session(label: str) -> errors.ValidationError:
    return errors.ValidationError(
        f"no recommendation of session {label!r} is waiting to be transmitted; choose a "
        "session from the list", field="session_label", rule="session_to_transmit",
        params={"session": label})


def transmit_preview(session: Session, actor: Actor, session_label: str) -> TransmitPreview:
    """The session's recommendations still to transmit that ``actor`` sees, by document
    number: those the lifecycle lets ``actor`` transmit now, and the others with the
    refusal. Reads one page of cases and their addressees; writes nothing."""
    label = (session_label or "").strip()
    if not label:
        raise errors.ValidationError("choose the plenary session whose recommendations are "
                                     "to be transmitted", field="session_label",
                                     rule="required", params={"field": "session_label"})
    recs = list(session.scalars(
        select(Recommendation)
        .where(Recommendation.session_label == label,
               Recommendation.state.in_(TRANSMIT.sources), Recommendation.visible_to(actor))
        .order_by(Recommendation.doc_number, Recommendation.id)
        .limit(MAX_PER_SESSION + 1)
        .options(selectinload(Recommendation.addressees)
                 .selectinload(CaseAddressee.addressee))))
    if not recs:
        raise _not_a_session(label)
    if len(recs) > MAX_PER_SESSION:
        raise errors.ValidationError(
            f"session {label!r} has more than {MAX_PER_SESSION} recommendations to transmit; "
            "transmit them from their case pages", field="session_label",
            rule="session_too_large", params={"session": label, "limit": MAX_PER_SESSION})
    ready, refused = [], []
    for rec in recs:
        refusal = RECOMMENDATION.refusal(rec, TRANSMIT, actor.role, {})
        if refusal is None:
            ready.append(rec)
        else:
            refused.append((rec, refusal))
    return TransmitPreview(label, tuple(ready), tuple(refused))


def transmit_session(session: Session, actor: Actor, session_label: str, *,
                     transmitted_on: date | None = None, expected_digest: str | None = None,
                     now: datetime | None = None) -> TransmitPreview:
    """Transmit every recommendation the preview of ``session_label`` lists as ready, on
    ``transmitted_on`` (default: today in Brussels). With ``expected_digest`` (the digest of
    the preview the user saw) a different list is a conflict and nothing is written."""
    now = resolve_now(now)
    preview = transmit_preview(session, actor, session_label)
    if expected_digest is not None and expected_digest != preview.digest:
        raise errors.ConflictError(
            f"the recommendations of session {preview.session_label!r} to transmit changed "
            "since they were shown; look at the new list and confirm again",
            rule="session_changed", params={"session": preview.session_label})
    if not preview.ready:
        raise errors.ValidationError(
            f"none of the recommendations of session {preview.session_label!r} can be "
            "transmitted now", field="session_label", rule="session_none_ready",
            params={"session": preview.session_label})
    for rec in preview.ready:
        transitions.transmit(session, actor, rec, transmitted_on=transmitted_on, now=now)
    return preview
