"""Correcting a registered recommendation's texts: as history, never as an edit.

A correction changes the titles (Dutch, French, English) and texts (Dutch, French) the
case holds, with a reason that is required; the event ``correct_texts`` keeps the old and
the new value of each field it changed, so every earlier version can be read back from
the history (:func:`corrections`, :func:`versions`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import errors, history
from workflow.actors import Actor
from workflow.cases.models import Recommendation
from workflow.cases.scope import check_visible
from workflow.checks import (
    MAX_REASON,
    MAX_TEXT,
    MAX_TITLE,
    check_version,
    clean_text,
    flush,
    require_role,
    resolve_now,
    touch,
)
from workflow.history.models import Event
from workflow.lifecycle import SECRETARIAT

ACTION = "correct_texts"
# The texts a correction may change, as the model holds them.
TEXT_FIELDS = ("title_nl", "title_fr", "title_en", "text_nl", "text_fr")


def correct_texts(session: Session, actor: Actor, rec: Recommendation, *, reason: str,
                  expected_version: int | None = None, now: datetime | None = None,
                  **texts: str) -> Event:
    """Correct the titles and texts given in ``texts`` (the others stay), with the reason.

    Refused: another role than the secretariat, no reason, a field that is not one of
    :data:`TEXT_FIELDS`, no title left, or nothing that differs from what the case holds."""
    now = resolve_now(now)
    check_visible(actor, rec)
    require_role(actor, SECRETARIAT, "correct a recommendation")
    check_version(rec, expected_version)
    unknown = sorted(set(texts) - set(TEXT_FIELDS))
    if unknown:
        raise errors.ValidationError(
            f"a correction changes {', '.join(TEXT_FIELDS)}, not {', '.join(unknown)}",
            field=unknown[0], rule="correctable_field", params={"fields": list(TEXT_FIELDS)})
    reason = clean_text(reason, "reason", required=True, limit=MAX_REASON)
    new = {name: clean_text(value, name, limit=MAX_TEXT if name.startswith("text")
                            else MAX_TITLE) for name, value in texts.items()}
    changes = {name: {"old": getattr(rec, name), "new": value}
               for name, value in new.items() if getattr(rec, name) != value}
    after = {name: new.get(name, getattr(rec, name)) for name in ("title_nl", "title_fr")}
    if not (after["title_nl"] or after["title_fr"]):
        raise errors.ValidationError("give the title in Dutch, French or both",
                                     field="title_nl", rule="title_required")
    if not changes:
        raise errors.ValidationError(
            f"nothing to correct: the texts of {rec.doc_number} are already as given",
            field=next(iter(texts), "title_nl"), rule="correction_changes_nothing",
            params={"doc_number": rec.doc_number})
    for name, change in changes.items():
        setattr(rec, name, change["new"])
    touch(rec, now)
    flush(session)
    return history.record(session, actor=actor, action=ACTION, entity="recommendation",
                          now=now, recommendation=rec, reason=reason,
                          payload={"changes": changes})


@dataclass(frozen=True)
class Correction:
    """One correction as the history keeps it: who, when, why, and each field changed
    (old and new value)."""

    seq: int
    at: datetime
    actor: str
    actor_role: str
    actor_org: str
    reason: str
    changes: dict[str, dict[str, str]]

    def before(self, name: str) -> str:
        return self.changes[name]["old"]


def corrections(session: Session, rec: Recommendation) -> list[Correction]:
    """The corrections of ``rec``'s texts, oldest first (one query)."""
    events = session.scalars(select(Event).where(Event.recommendation_id == rec.id,
                                                 Event.action == ACTION)
                             .order_by(Event.seq))
    return [Correction(ev.seq, ev.effective_at, ev.actor, ev.actor_role, ev.actor_org,
                       ev.reason, ev.data.get("changes", {})) for ev in events]


def versions(rec: Recommendation, found: list[Correction]) -> list[dict[str, str]]:
    """Every version of the texts, the one registered first and the current one last:
    rebuilt backwards from the current texts and the old values each correction kept.
    ``versions(...)[i]`` is the text before ``found[i]``."""
    current = {name: getattr(rec, name) for name in TEXT_FIELDS}
    out = [current]
    for correction in reversed(found):
        earlier = dict(out[0])
        for name, change in correction.changes.items():
            if name in earlier:
                earlier[name] = change["old"]
        out.insert(0, earlier)
    return out
