"""Registering, editing and publishing a recommendation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import errors, history
from workflow.actors import Actor
from workflow.cases.catalogue import get_addressee
from workflow.cases.models import CaseAddressee, Recommendation
from workflow.cases.scope import check_visible
from workflow.checks import (
    MAX_TEXT,
    MAX_TITLE,
    check_version,
    clean_text,
    flush,
    parse_rule,
    require_role,
    resolve_now,
    touch,
)
from workflow.clock import brussels_date
from workflow.deadlines import policy as deadline_policy
from workflow.history.moments import effective_moment
from workflow.lifecycle import (
    ANSWER,
    RECOMMENDATION,
    SECRETARIAT,
)

DOC_NUMBER = re.compile(r"^\d{1,5}/\d{1,3}(?:[A-Za-z]{1,4})?$")


def validate_doc_number(doc_number: str) -> str:
    doc_number = (doc_number or "").strip()
    if not DOC_NUMBER.match(doc_number):
        raise errors.ValidationError(
            f"malformed document number {doc_number!r}: write NUMBER/PART as the Benelux "
            "Parliament does, e.g. 743/5 or 743/5Bis",
            field="doc_number", rule="doc_number_format", params={"value": doc_number},
        )
    return doc_number


def register_recommendation(
    session: Session,
    actor: Actor,
    *,
    doc_number: str,
    adopted_on: date,
    addressees: Mapping[str, bool] | Iterable[str],
    title_nl: str = "",
    title_fr: str = "",
    title_en: str = "",
    text_nl: str = "",
    text_fr: str = "",
    committee: str = "",
    theme: str = "",
    session_label: str = "",
    deadline_rule: str | None = None,
    now: datetime | None = None,
) -> Recommendation:
    """Register a recommendation adopted in plenary. ``addressees`` maps codes to
    whether their answer is required (a plain list means all required)."""
    now = resolve_now(now)
    require_role(actor, SECRETARIAT, "register a recommendation")
    doc_number = validate_doc_number(doc_number)
    if session.scalar(select(Recommendation.id).where(Recommendation.doc_number == doc_number)):
        raise errors.ValidationError(
            f"a recommendation {doc_number} is already registered; open it instead",
            field="doc_number", rule="doc_number_unique", params={"doc_number": doc_number},
        )
    if not isinstance(adopted_on, date) or isinstance(adopted_on, datetime):
        raise errors.ValidationError("adoption date must be a date (YYYY-MM-DD)",
                                     field="adopted_on")
    if adopted_on > brussels_date(now):
        raise errors.ValidationError(
            f"adoption date {adopted_on} is in the future; give the plenary date",
            field="adopted_on", rule="adopted_not_in_future", params={"date": adopted_on},
        )
    effective_at = effective_moment(adopted_on, now, field="adopted_on")
    title_nl = clean_text(title_nl, "title_nl", limit=MAX_TITLE)
    title_fr = clean_text(title_fr, "title_fr", limit=MAX_TITLE)
    title_en = clean_text(title_en, "title_en", limit=MAX_TITLE)
    if not (title_nl or title_fr):
        raise errors.ValidationError("give the title in Dutch, French or both", field="title_nl",
                                     rule="title_required")
    rule = parse_rule(deadline_rule or deadline_policy.current().default_rule)
    if rule.kind == "fixed_date" and rule.fixed_date <= adopted_on:
        raise errors.ValidationError(
            f"the due date {rule.fixed_date} is not after the adoption date {adopted_on}",
            field="deadline_rule", rule="fixed_after_adoption",
            params={"date": rule.fixed_date, "adopted_on": adopted_on},
        )
    if isinstance(addressees, Mapping):
        wanted = dict(addressees)
    else:
        wanted = dict.fromkeys(addressees, True)
    if not wanted:
        raise errors.ValidationError("choose at least one addressee", field="addressees",
                                     rule="some_addressee")
    rec = Recommendation(
        doc_number=doc_number,
        title_nl=title_nl,
        title_fr=title_fr,
        title_en=title_en,
        text_nl=clean_text(text_nl, "text_nl"),
        text_fr=clean_text(text_fr, "text_fr"),
        committee=clean_text(committee, "committee", limit=120),
        theme=clean_text(theme, "theme", limit=120),
        session_label=clean_text(session_label, "session_label", limit=120),
        adopted_on=adopted_on,
        deadline_rule=rule.to_text(),
        state=RECOMMENDATION.initial,
        created_at=now,
        updated_at=now,
    )
    for code, required in wanted.items():
        get_addressee(session, code)
        rec.addressees.append(CaseAddressee(addressee_code=code, is_required=bool(required),
                                            state=ANSWER.initial, deadline_rule=rec.deadline_rule))
    session.add(rec)
    flush(session)
    history.record(
        session, actor=actor, action="register", entity="recommendation", now=now,
        effective_at=effective_at, recommendation=rec,
        to_state=rec.state,
        payload={
            "adopted_on": adopted_on.isoformat(),
            "title_nl": rec.title_nl, "title_fr": rec.title_fr,
            **({"title_en": rec.title_en} if rec.title_en else {}),
            "committee": rec.committee, "theme": rec.theme,
            "deadline_rule": rec.deadline_rule,
            "addressees": [{"code": c, "required": bool(r)} for c, r in wanted.items()],
        },
    )
    return rec


EDITABLE = ("title_nl", "title_fr", "text_nl", "text_fr", "committee", "theme", "session_label")


def edit_recommendation(session: Session, actor: Actor, rec: Recommendation, *,
                        expected_version: int | None = None, now: datetime | None = None,
                        **changes: str) -> Recommendation:
    """Correct descriptive fields; the old and new values go into history."""
    now = resolve_now(now)
    check_visible(actor, rec)
    require_role(actor, SECRETARIAT, "edit a recommendation")
    check_version(rec, expected_version)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise errors.ValidationError(f"cannot edit {', '.join(sorted(unknown))}; editable: "
                                     f"{', '.join(EDITABLE)}", field=sorted(unknown)[0])
    diff = {}
    for name, value in changes.items():
        limit = MAX_TEXT if name.startswith("text") else MAX_TITLE
        value = clean_text(value, name, limit=limit)
        if getattr(rec, name) != value:
            diff[name] = {"old": getattr(rec, name), "new": value}
            setattr(rec, name, value)
    if not (rec.title_nl or rec.title_fr):
        raise errors.ValidationError("give the title in Dutch, French or both", field="title_nl",
                                     rule="title_required")
    if diff:
        touch(rec, now)
        flush(session)
        history.record(session, actor=actor, action="edit", entity="recommendation", now=now,
                       recommendation=rec, payload={"changes": diff})
    return rec


def set_published(session: Session, actor: Actor, rec: Recommendation, published: bool, *,
                  expected_version: int | None = None, now: datetime | None = None) -> None:
    now = resolve_now(now)
    check_visible(actor, rec)
    require_role(actor, SECRETARIAT, "publish a recommendation")
    check_version(rec, expected_version)
    if rec.is_published != published:
        rec.is_published = published
        touch(rec, now)
        flush(session)
        history.record(session, actor=actor, action="publish" if published else "unpublish",
                       entity="recommendation", now=now, recommendation=rec)
