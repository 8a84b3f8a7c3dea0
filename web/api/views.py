"""What the API shows of a case to a caller, and the version preconditions."""

from __future__ import annotations

import math
import re
from datetime import datetime

from flask import g, request, url_for

from workflow import clock
from workflow import clock as clock_ops
from workflow.actors import Actor
from workflow.cases import due_dates, scope
from workflow.deadlines import LATE
from workflow.models import Answer, CaseAddressee, Recommendation

from ..extensions import db
from .errors import ApiError
from .schemas import AnswerSchema, RecommendationSchema
from .setup import split_doc

IF_MATCH = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def case_href(rec: Recommendation) -> str:
    return url_for("api.recommendation", **split_doc(rec.doc_number))


def etag(version: int) -> dict:
    return {"ETag": f'"{version}"'}


def visible_answer(actor: Actor, answer: Answer) -> bool:
    """The scope rule of answers and drafts (``Answer.visible_to``)."""
    return answer.visible_to(actor)


def entry_view(entry: CaseAddressee, now: datetime) -> dict:
    status = due_dates.deadline_status(entry, now)
    return {
        "code": entry.addressee_code,
        "name_nl": entry.addressee.name_nl,
        "name_fr": entry.addressee.name_fr,
        "name_en": entry.addressee.name_en,
        "required": entry.is_required,
        "state": entry.state,
        "position": entry.position,
        "deadline_rule": entry.deadline_rule,
        "clock_start": entry.clock_start,
        "due_at": entry.due_at,
        "due_date": clock_ops.brussels_date(entry.due_at) if entry.due_at else None,
        "answered_on": entry.answered_on,
        "deadline_status": status.status,
        "days_overdue": status.days_overdue,
        "is_overdue": status.status in LATE,
        "working_days_left": due_dates.working_days_left(entry, now),
        "clock_stopped": entry.is_clock_stopped,
    }


def _is_overdue(rec: Recommendation, actor: Actor, now: datetime) -> bool:
    cutoffs = due_dates.status_cutoffs(now)
    return any(e.deadline_in(LATE, cutoffs) for e in rec.addressees if e.visible_to(actor))


def summary_view(rec: Recommendation, is_overdue: bool) -> dict:
    return {
        "doc_number": rec.doc_number,
        "title_nl": rec.title_nl,
        "title_fr": rec.title_fr,
        "title_en": rec.title_en,
        "committee": rec.committee,
        "theme": rec.theme,
        "session_label": rec.session_label,
        "adopted_on": rec.adopted_on,
        "state": rec.state,
        "closure_reason": rec.closure_reason,
        "transmitted_at": rec.transmitted_at,
        "closed_at": rec.closed_at,
        "is_published": rec.is_published,
        "is_overdue": is_overdue,
        "version": rec.version,
        "href": case_href(rec),
    }


def triggers_view(rec: Recommendation, actor: Actor) -> list[dict]:
    out = []
    for item in scope.available_triggers(rec, actor):
        trig = item.trigger
        if item.addressee_code is None:
            href = url_for("api.fire_recommendation_trigger", **split_doc(rec.doc_number),
                           trigger=trig.name)
        else:
            href = url_for("api.fire_answer_trigger", **split_doc(rec.doc_number),
                           code=item.addressee_code, trigger=trig.name)
        out.append({"name": trig.name, "label": trig.label,
                    "entity": "recommendation" if item.addressee_code is None else "answer",
                    "addressee": item.addressee_code, "target_state": trig.dest,
                    "needs_reason": trig.needs_reason, "params": list(trig.params),
                    "description": trig.description,
                    "href": href})
    return out


def case_view(rec: Recommendation, actor: Actor, now: datetime | None = None) -> dict:
    now = now or clock.utcnow()
    view = summary_view(rec, _is_overdue(rec, actor, now))
    visible = [e for e in rec.addressees if e.visible_to(actor)]
    view.update({
        "text_nl": rec.text_nl,
        "text_fr": rec.text_fr,
        "deadline_rule": rec.deadline_rule,
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "addressees": [entry_view(e, now) for e in visible],
        "answers": [a for e in visible for a in e.answers if a.visible_to(actor)],
        "available_triggers": triggers_view(rec, actor),
    })
    return view


def page_view(items: list[dict], page: int, per_page: int, total: int,
              capped: bool = False) -> dict:
    """A page of a list; ``capped``: the list has more than ``total`` items, and more
    pages than ``pages`` may follow."""
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "capped": capped, "pages": max(math.ceil((total + capped) / per_page), 1)}


# ---------------------------------------------------------------------------
# Preconditions


def wanted_version(body_version: int | None) -> int:
    """The version the caller read: If-Match (preferred) or the body's ``version``."""
    header = request.headers.get("If-Match")
    if header is not None and header.strip():
        header = header.strip()
        if header == "*":
            raise ApiError(428, "precondition_required", 'If-Match: * names no version; send '
                           'the ETag you read, e.g. If-Match: "3"')
        match = IF_MATCH.match(header)
        if match is None:
            raise ApiError(422, "invalid", 'If-Match must be the ETag you read, e.g. "3"',
                           field="If-Match",
                           errors={"If-Match": ['the ETag you read, e.g. "3"']})
        return int(match.group(1))
    if body_version is not None:
        return int(body_version)
    raise ApiError(428, "precondition_required", "this change needs the version you read: "
                   'send If-Match: "<version>" (the ETag) or a "version" field')


def check_case_version(rec: Recommendation, body_version: int | None) -> int:
    wanted = wanted_version(body_version)
    if wanted != rec.version:
        raise ApiError(409, "conflict", f"recommendation {rec.doc_number} was changed meanwhile "
                       f"(it is at version {rec.version}, you sent {wanted}); reload it and try "
                       "again", headers=etag(rec.version),
                       current=RecommendationSchema().dump(case_view(rec, _actor())))
    return wanted


def check_draft_version(draft: Answer, body_version: int | None) -> None:
    wanted = wanted_version(body_version)
    if wanted != draft.version:
        raise ApiError(409, "conflict", f"the draft was changed meanwhile (it is at version "
                       f"{draft.version}, you sent {wanted}); reload it and try again",
                       headers=etag(draft.version), current_draft=AnswerSchema().dump(draft))


def _actor() -> Actor:
    return Actor.of(g.api_user)


def conflict_extra() -> dict:
    """After a lost race detected at flush: the case as it is now, if the request had one."""
    doc = getattr(g, "case_doc", None)
    if not doc:
        return {}
    try:
        rec = scope.find_recommendation(db.session, doc)
    except Exception:  # the error response itself must not fail
        return {}
    return {"current": RecommendationSchema().dump(case_view(rec, _actor()))}
