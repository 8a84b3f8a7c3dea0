"""Queries behind the case list, its filters and the dashboards."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, and_, exists, select

from workflow.actors import Actor
from workflow.lifecycle import ACCEPTS_ANSWERS, MINISTRY
from workflow.models import Addressee, CaseAddressee, DeadlineAdjustment, Recommendation

OPEN_ANSWER = ("pending", "interim_reply")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def expecting_answer():
    """Entries from which an answer is still expected and whose clock runs."""
    stopped = exists().where(
        DeadlineAdjustment.case_addressee_id == CaseAddressee.id,
        DeadlineAdjustment.kind == "clock_stop",
        DeadlineAdjustment.end_on.is_(None),
    )
    return and_(
        CaseAddressee.state.in_(OPEN_ANSWER),
        CaseAddressee.due_at.is_not(None),
        Recommendation.state.in_(ACCEPTS_ANSWERS),
        ~stopped,
    )


def scope(stmt: Select, actor: Actor) -> Select:
    if actor.role == MINISTRY:
        return stmt.where(
            Recommendation.transmitted_at.is_not(None),
            exists().where(CaseAddressee.recommendation_id == Recommendation.id,
                           CaseAddressee.addressee_code == actor.organisation),
        )
    return stmt


def search(actor: Actor, *, q: str = "", state: str = "", addressee: str = "",
           committee: str = "", theme: str = "", year: int | None = None,
           overdue: bool = False, sort: str = "adopted", order: str = "desc",
           now: datetime) -> Select:
    stmt = scope(select(Recommendation), actor)
    if q:
        pattern = f"%{_escape_like(q.strip())}%"
        stmt = stmt.where(
            Recommendation.title_nl.ilike(pattern, escape="\\")
            | Recommendation.title_fr.ilike(pattern, escape="\\")
            | Recommendation.text_nl.ilike(pattern, escape="\\")
            | Recommendation.text_fr.ilike(pattern, escape="\\")
            | Recommendation.doc_number.ilike(pattern, escape="\\")
        )
    if state:
        stmt = stmt.where(Recommendation.state == state)
    if addressee:
        stmt = stmt.where(exists().where(CaseAddressee.recommendation_id == Recommendation.id,
                                         CaseAddressee.addressee_code == addressee))
    if committee:
        stmt = stmt.where(Recommendation.committee == committee)
    if theme:
        stmt = stmt.where(Recommendation.theme == theme)
    if year:
        stmt = stmt.where(Recommendation.adopted_on >= date(year, 1, 1),
                          Recommendation.adopted_on < date(year + 1, 1, 1))
    if overdue:
        stmt = stmt.where(exists().where(CaseAddressee.recommendation_id == Recommendation.id,
                                         expecting_answer(), CaseAddressee.due_at < now))
    column = {"doc": Recommendation.doc_number, "title": Recommendation.title_nl,
              "state": Recommendation.state}.get(sort, Recommendation.adopted_on)
    column = column.asc() if order == "asc" else column.desc()
    return stmt.order_by(column, Recommendation.id.desc())


def distinct_values(session, column) -> list[str]:
    return [v for v in session.scalars(select(column).distinct().order_by(column)) if v]


def addressees(session) -> list[Addressee]:
    return list(session.scalars(select(Addressee).order_by(Addressee.code)))
