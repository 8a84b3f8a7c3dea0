"""Queries behind the case list, its filters and the dashboards."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select

from workflow.actors import Actor
from workflow.cases import queries as domain
from workflow.deadlines import LATE, StatusCutoffs
from workflow.models import Addressee, Recommendation


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_matches(q: str):
    """A recommendation whose document number, title or text contains ``q`` (any case)."""
    pattern = f"%{_escape_like(q.strip())}%"
    return (Recommendation.title_nl.ilike(pattern, escape="\\")
            | Recommendation.title_fr.ilike(pattern, escape="\\")
            | Recommendation.title_en.ilike(pattern, escape="\\")
            | Recommendation.text_nl.ilike(pattern, escape="\\")
            | Recommendation.text_fr.ilike(pattern, escape="\\")
            | Recommendation.doc_number.ilike(pattern, escape="\\"))


def search(actor: Actor, *, q: str = "", state: str = "", addressee: str = "",
           committee: str = "", theme: str = "", year: int | None = None,
           overdue: bool = False, sort: str = "adopted", order: str = "desc",
           cutoffs: StatusCutoffs) -> Select:
    """The case list's filters on top of the actor's scope. ``overdue``: an entry the
    actor sees (of ``addressee`` when given) is overdue at ``cutoffs``."""
    stmt = domain.visible_cases(actor)
    if q:
        stmt = stmt.where(text_matches(q))
    if state:
        stmt = stmt.where(Recommendation.state == state)
    if addressee or overdue:
        stmt = stmt.where(domain.has_entry(actor, addressee=addressee or None,
                                           statuses=LATE if overdue else None,
                                           cutoffs=cutoffs))
    if committee:
        stmt = stmt.where(Recommendation.committee == committee)
    if theme:
        stmt = stmt.where(Recommendation.theme == theme)
    if year:
        stmt = stmt.where(Recommendation.adopted_on >= date(year, 1, 1),
                          Recommendation.adopted_on < date(year + 1, 1, 1))
    column = {"doc": Recommendation.doc_number, "title": Recommendation.title_nl,
              "state": Recommendation.state}.get(sort, Recommendation.adopted_on)
    column = column.asc() if order == "asc" else column.desc()
    return stmt.order_by(column, Recommendation.id.desc())


def distinct_values(session, column) -> list[str]:
    return domain.distinct_values(session, column)


def addressees(session) -> list[Addressee]:
    return list(session.scalars(select(Addressee).order_by(Addressee.code)))
