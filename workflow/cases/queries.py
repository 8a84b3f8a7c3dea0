"""The questions every page, the API, the feeds and the exports ask of the stored
state, as SQL built from the one definition of each rule on the models
(``Recommendation.visible_to``, ``CaseAddressee.deadline_in``, ``is_awaited``,
``Answer.is_public``). Nothing here restates a state name or a scope rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import (
    Date,
    FunctionElement,
    Select,
    and_,
    exists,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session

from workflow.actors import Actor
from workflow.cases.models import Addressee, CaseAddressee, Recommendation
from workflow.deadlines import LATE, StatusCutoffs
from workflow.lifecycle import RECOMMENDATION

# A count shown on a page stops here ("more than 1,000"), so that its cost does not grow
# with the data.
COUNT_CAP = 1000


def visible_cases(actor: Actor | None) -> Select:
    """Recommendations ``actor`` may see (None: the public)."""
    return select(Recommendation).where(Recommendation.visible_to(actor))


def entry_clause(actor: Actor | None, *, addressee: str | None = None,
                 statuses: Sequence[str] | None = None, cutoffs: StatusCutoffs | None = None):
    """Addressee entries ``actor`` may see, optionally of one addressee and in the given
    deadline statuses at ``cutoffs``."""
    clauses = [CaseAddressee.visible_to(actor)]
    if addressee:
        clauses.append(CaseAddressee.addressee_code == addressee)
    if statuses is not None:
        if cutoffs is None:
            raise ValueError("deadline statuses need the cutoffs of a moment")
        clauses.append(CaseAddressee.deadline_in(tuple(statuses), cutoffs))
    return and_(*clauses)


def has_entry(actor: Actor | None, **conditions):
    """A WHERE clause on Recommendation: it has an entry matching ``entry_clause``."""
    return exists().where(CaseAddressee.recommendation_id == Recommendation.id,
                          entry_clause(actor, **conditions))


def late_entries(actor: Actor | None, cutoffs: StatusCutoffs, *,
                 statuses: Sequence[str] = LATE) -> Select:
    """Overdue (or other-status) entries ``actor`` may see, longest overdue first."""
    return (select(CaseAddressee).join(Recommendation)
            .where(entry_clause(actor, statuses=statuses, cutoffs=cutoffs))
            .order_by(CaseAddressee.live_due_at, Recommendation.doc_number,
                      CaseAddressee.addressee_code))


def late_entries_count(actor: Actor | None, cutoffs: StatusCutoffs, *,
                       statuses: Sequence[str] = LATE) -> Select:
    """How many entries ``late_entries`` gives, counted over the due-moment index alone."""
    return (select(func.count()).select_from(CaseAddressee)
            .where(entry_clause(actor, statuses=statuses, cutoffs=cutoffs)))


def late_entry_ids(actor: Actor | None, cutoffs: StatusCutoffs, *,
                   statuses: Sequence[str] = LATE) -> Select:
    """The ids of the entries ``late_entries`` gives, over the due-moment index alone (to
    count them, capped)."""
    return (select(CaseAddressee.id)
            .where(entry_clause(actor, statuses=statuses, cutoffs=cutoffs)))


def late_counts(session: Session, actor: Actor | None, rec_ids: Iterable[int],
                cutoffs: StatusCutoffs) -> dict[int, int]:
    """How many of each case's entries that ``actor`` sees are overdue: one query for a
    page of cases."""
    ids = list(rec_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(CaseAddressee.recommendation_id, func.count())
        .where(CaseAddressee.recommendation_id.in_(ids),
               entry_clause(actor, statuses=LATE, cutoffs=cutoffs))
        .group_by(CaseAddressee.recommendation_id))
    return dict(rows.all())


def capped_count(rows: Select, cap: int = COUNT_CAP):
    """How many rows ``rows`` gives, counted up to ``cap + 1`` (a scalar subquery): a
    count whose cost does not grow past the cap. More than ``cap``: the count is capped."""
    return select(func.count()).select_from(rows.limit(cap + 1).subquery()).scalar_subquery()


def late_per_addressee(session: Session, actor: Actor | None, cutoffs: StatusCutoffs, *,
                       cap: int = COUNT_CAP) -> list[tuple[str, int, object]]:
    """(addressee code, overdue answers, earliest due moment) per addressee with overdue
    answers, most overdue answers first; the answers are counted up to ``cap + 1`` per
    addressee (more than ``cap``: capped), over the (addressee, live due moment) index,
    and the earliest due moment is one probe of it."""
    late = and_(CaseAddressee.addressee_code == Addressee.code,
                entry_clause(actor, statuses=LATE, cutoffs=cutoffs))
    count = capped_count(select(CaseAddressee.id).where(late).correlate(Addressee), cap)
    oldest = select(func.min(CaseAddressee.live_due_at)).where(late).correlate(Addressee) \
        .scalar_subquery()
    rows = session.execute(select(Addressee.code, count.label("n"), oldest.label("oldest")))
    found = [tuple(r) for r in rows if r.n]
    return sorted(found, key=lambda r: (-r[1], r[2], r[0]))


def state_counts(session: Session, *, cap: int = COUNT_CAP) -> dict[str, int]:
    """How many recommendations are in each state, counted up to ``cap + 1`` each (more
    than ``cap``: capped): one bounded range of the (state, adopted_on) index per state."""
    counts = union_all(*(select(literal(state).label("state"), capped_count(
        select(Recommendation.id).where(Recommendation.state == state), cap).label("n"))
        for state in RECOMMENDATION.state_names))
    return {state: n for state, n in session.execute(select(counts.subquery())) if n}


def awaited_entries(actor: Actor, organisation: str, *, statuses: Sequence[str] | None = None,
                    cutoffs: StatusCutoffs | None = None) -> Select:
    """The entries of ``organisation`` on cases ``actor`` sees from which an answer is
    still expected (optionally in the given deadline statuses at ``cutoffs``), earliest
    due first."""
    stmt = (select(CaseAddressee).join(Recommendation)
            .where(CaseAddressee.addressee_code == organisation, CaseAddressee.is_awaited,
                   CaseAddressee.visible_to(actor))
            .order_by(CaseAddressee.due_at, Recommendation.doc_number))
    if statuses is not None:
        if cutoffs is None:
            raise ValueError("deadline statuses need the cutoffs of a moment")
        stmt = stmt.where(CaseAddressee.deadline_in(tuple(statuses), cutoffs))
    return stmt


def other_entries(actor: Actor, organisation: str) -> Select:
    """The entries of ``organisation`` that ``actor`` sees and no longer awaits an answer,
    latest due first (the order of the (addressee_code, is_awaited, due_at) index)."""
    return (select(CaseAddressee).join(Recommendation)
            .where(CaseAddressee.addressee_code == organisation, ~CaseAddressee.is_awaited,
                   CaseAddressee.visible_to(actor))
            .order_by(CaseAddressee.due_at.desc(), CaseAddressee.id.desc()))


def distinct_values(session: Session, column, *criteria) -> list:
    """The distinct non-empty values of an indexed column in order (a filter's choices),
    by a loose index scan: a recursive query that asks the index for the next value
    after the last one, one probe per value, instead of reading every row."""
    first = select(func.min(column)).where(*criteria).scalar_subquery()
    values = select(first.label("v")).cte("distinct_values", recursive=True)
    following = select(func.min(column)).where(column > values.c.v, *criteria) \
        .scalar_subquery()
    values = values.union_all(select(following.label("v")).where(values.c.v.is_not(None)))
    return [v for v in session.scalars(select(values.c.v).where(values.c.v.is_not(None)))
            if v]


class _next_new_year(FunctionElement):
    """The first day of the year after a date's (SQL)."""

    type = Date()
    inherit_cache = True


@compiles(_next_new_year, "postgresql")
def _next_new_year_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('year', {compiler.process(element.clauses, **kw)}) " \
        "+ interval '1 year' AS DATE)"


@compiles(_next_new_year, "sqlite")
def _next_new_year_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of year', '+1 year')"


def distinct_years(session: Session, column, *criteria) -> list[int]:
    """The distinct years of an indexed date column, latest first (a year filter's
    choices), by a loose index scan: one probe per year for the first date on or after the
    next new year, instead of reading every row."""
    first = select(func.min(column)).where(*criteria).scalar_subquery()
    days = select(first.label("v")).cte("distinct_years", recursive=True)
    following = select(func.min(column)).where(column >= _next_new_year(days.c.v), *criteria) \
        .scalar_subquery()
    days = days.union_all(select(following.label("v")).where(days.c.v.is_not(None)))
    found = session.scalars(select(type_coerce(days.c.v, Date)).where(days.c.v.is_not(None)))
    return sorted({(v if isinstance(v, date) else date.fromisoformat(str(v)[:10])).year
                   for v in found}, reverse=True)
