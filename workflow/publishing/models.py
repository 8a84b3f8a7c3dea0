"""The scoreboard's summary: the stored figures of the addressee entries
(:mod:`workflow.publishing.figures`) summed per cell, so that the public scoreboard
reads a table whose size follows the number of distinct cells, not of entries.

A cell is what the scoreboard filters and groups by (addressee, year of adoption,
committee, year of transmission) and what its figures need of each entry beyond a count:
the days to answer (the median and the 90th percentile), since when the answer is awaited
(the oldest pending) and the due moment that makes it late (overdue at any "now": the cells
whose ``late_from`` is before it). Only the entries the public scoreboard counts are in it:
transmitted, on a published case.

The rule "which cell does an entry count in" is written twice, next to each other below:
in Python (:func:`cell_of`, for the deltas of a flush) and in SQL (:func:`cell_rows`, to
rebuild the table in one statement); the tests compare both. The table is kept current
after every flush that changes an entry's figures or its case's publication, year or
committee, by one ``INSERT ... ON CONFLICT DO UPDATE`` adding the flush's deltas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime

from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    and_,
    case,
    event,
    extract,
    func,
    inspect,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from workflow.answers.models import JUDGEMENTS
from workflow.base import Base, UTCDateTime
from workflow.cases.models import CaseAddressee, Recommendation

# "Not awaited" / "never late", as key values (a key column cannot be NULL: two NULLs never
# conflict). Far enough in the future to sort after every real date, and to never be
# before a "now".
NOT_AWAITED = date(9999, 12, 30)
NEVER_LATE = datetime(9999, 12, 30, tzinfo=UTC)
KEY = ("addressee_code", "adopted_year", "committee", "sent_year", "days_to_answer",
       "awaited_since", "late_from")
JUDGED = tuple(f"judged_{j}" for j in JUDGEMENTS)
COUNTERS = ("received", "answered", "on_time", "waived", "awaited", *JUDGED)
# What an entry's cell depends on, on the entry and on its case (loaded with the old value
# when set: the flush subtracts the entry from its old cell).
ENTRY_FIELDS = ("addressee_code", "transmitted_on", "first_final_at", "days_to_answer",
                "is_on_time", "is_waived", "is_awaited", "clock_start", "live_due_at", *JUDGED)
CASE_FIELDS = ("is_published", "adopted_on", "committee")


class ScoreboardCell(Base):
    """The counted entries of one cell: how many, answered (their first final reply
    counts), of those on time, waived, awaited now, and their answers by judgement."""

    __tablename__ = "scoreboard_cell"

    addressee_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    adopted_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee: Mapped[str] = mapped_column(String(120), primary_key=True)
    sent_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    # the days to answer of the answered entries; 0 for the others (not counted in
    # ``answered``, so they never weigh in the median)
    days_to_answer: Mapped[int] = mapped_column(Integer, primary_key=True)
    # the request date (clock_start) of the awaited entries; NOT_AWAITED for the others
    awaited_since: Mapped[date] = mapped_column(Date, primary_key=True)
    # the live due moment (CaseAddressee.live_due_at); NEVER_LATE when there is none
    late_from: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    received: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    waived: Mapped[int] = mapped_column(Integer, default=0)
    awaited: Mapped[int] = mapped_column(Integer, default=0)
    judged_satisfactory: Mapped[int] = mapped_column(Integer, default=0)
    judged_partly_satisfactory: Mapped[int] = mapped_column(Integer, default=0)
    judged_unsatisfactory: Mapped[int] = mapped_column(Integer, default=0)


# ---------------------------------------------------------------------------
# The rule, in Python and in SQL


def cell_of(entry: Mapping, case_: Mapping) -> tuple[tuple, tuple] | None:
    """The cell an entry counts in and what it adds to its counters (None: not counted),
    from the entry's and its case's values (``ENTRY_FIELDS``, ``CASE_FIELDS``)."""
    if not case_["is_published"] or entry["transmitted_on"] is None:
        return None
    answered = entry["first_final_at"] is not None
    awaited = bool(entry["is_awaited"])
    key = (entry["addressee_code"], case_["adopted_on"].year, case_["committee"] or "",
           entry["transmitted_on"].year, entry["days_to_answer"] if answered else 0,
           (entry["clock_start"] or NOT_AWAITED) if awaited else NOT_AWAITED,
           entry["live_due_at"] or NEVER_LATE)
    return key, (1, int(answered), int(answered and bool(entry["is_on_time"])),
                 int(bool(entry["is_waived"])),
                 int(awaited), *(entry[c] or 0 for c in JUDGED))


def cell_rows() -> Select:
    """The whole table as a GROUP BY over the entries (:func:`cell_of` in SQL)."""
    e, r = CaseAddressee, Recommendation
    answered = e.first_final_at.is_not(None)
    keys = (e.addressee_code, extract("year", r.adopted_on).cast(Integer),
            func.coalesce(r.committee, ""), extract("year", e.transmitted_on).cast(Integer),
            case((answered, e.days_to_answer), else_=0),
            case((e.is_awaited.is_(True), func.coalesce(e.clock_start, _far_day())),
                 else_=_far_day()),
            func.coalesce(e.live_due_at, literal(NEVER_LATE, UTCDateTime)))
    flag = lambda condition: func.sum(case((condition, 1), else_=0))  # noqa: E731
    counters = (func.count(), flag(answered), flag(and_(answered, e.is_on_time.is_(True))),
                flag(e.is_waived.is_(True)), flag(e.is_awaited.is_(True)),
                *(func.sum(getattr(e, c)) for c in JUDGED))
    return (select(*(k.label(n) for k, n in zip(keys, KEY, strict=True)),
                   *(c.label(n) for c, n in zip(counters, COUNTERS, strict=True)))
            .join_from(e, r, e.recommendation_id == r.id)
            .where(r.is_published.is_(True), e.transmitted_on.is_not(None))
            .group_by(*keys))


def _far_day():
    return literal(NOT_AWAITED, Date)


def rebuild_cells(session: Session) -> int:
    """Recompute the whole table from the entries (two statements whatever the size):
    for data written without the operations (a migration, a bulk generator). Flushes,
    never commits; returns the number of cells."""
    session.flush()
    table = ScoreboardCell.__table__
    conn = session.connection()
    conn.execute(table.delete())
    conn.execute(table.insert().from_select([*KEY, *COUNTERS], cell_rows()))
    return conn.execute(select(func.count()).select_from(table)).scalar()


# ---------------------------------------------------------------------------
# Kept current: the deltas of a flush, in one statement


def _values(obj, names: Iterable[str], *, old: bool) -> dict:
    """The attributes' values before the flush (``old``) or after it."""
    state = inspect(obj)
    out = {}
    for name in names:
        if not old:
            out[name] = getattr(obj, name)
            continue
        hist = state.attrs[name].history
        if hist.deleted:
            out[name] = hist.deleted[0]
        elif hist.unchanged:
            out[name] = hist.unchanged[0]
        elif hist.added:  # set from None on a pending or just-created row
            out[name] = None
        else:
            out[name] = getattr(obj, name)
    return out


def _changed(obj, names: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def flush_deltas(session: Session) -> dict[tuple, list[int]]:
    """What the flush in progress adds to each cell (cells left unchanged omitted)."""
    entries: dict[int, tuple[CaseAddressee, bool, bool]] = {}  # id(obj) -> (obj, new, gone)
    cases_changed = set()
    for obj in session.new:
        if isinstance(obj, CaseAddressee):
            entries[id(obj)] = (obj, True, False)
    for obj in session.dirty:
        if isinstance(obj, CaseAddressee) and _changed(obj, ENTRY_FIELDS):
            entries[id(obj)] = (obj, False, False)
        elif isinstance(obj, Recommendation) and _changed(obj, CASE_FIELDS):
            cases_changed.add(obj)
            for entry in obj.addressees:
                entries.setdefault(id(entry), (entry, entry in session.new, False))
    for obj in session.deleted:
        if isinstance(obj, CaseAddressee):
            entries[id(obj)] = (obj, False, True)
    deltas: dict[tuple, list[int]] = {}

    def add(cell, sign: int) -> None:
        if cell is not None:
            key, counts = cell
            total = deltas.setdefault(key, [0] * len(COUNTERS))
            for i, n in enumerate(counts):
                total[i] += sign * n

    for entry, new, gone in entries.values():
        rec = entry.recommendation
        if rec is None:
            continue
        if not new:
            add(cell_of(_values(entry, ENTRY_FIELDS, old=True),
                        _values(rec, CASE_FIELDS, old=rec in cases_changed)), -1)
        if not gone:
            add(cell_of(_values(entry, ENTRY_FIELDS, old=False),
                        _values(rec, CASE_FIELDS, old=False)), 1)
    return {k: v for k, v in deltas.items() if any(v)}


def apply_deltas(session: Session, deltas: dict[tuple, list[int]]) -> None:
    """Add the deltas to their cells: one INSERT ... ON CONFLICT DO UPDATE."""
    if not deltas:
        return
    conn = session.connection()
    table = ScoreboardCell.__table__
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    # in key order, so that two transactions adding to the same cells take their locks in
    # the same order
    stmt = dialect.insert(table).values([
        {**dict(zip(KEY, key, strict=True)), **dict(zip(COUNTERS, counts, strict=True))}
        for key, counts in sorted(deltas.items())])
    conn.execute(stmt.on_conflict_do_update(
        index_elements=list(KEY),
        set_={c: table.c[c] + stmt.excluded[c] for c in COUNTERS}))


@event.listens_for(Session, "after_flush")
def _keep_scoreboard_cells(session: Session, _context) -> None:
    # after the flush: the stored deadline state (before_flush) is final, and the
    # attributes' history still holds the values the cells were counted with
    apply_deltas(session, flush_deltas(session))


__all__ = ["COUNTERS", "KEY", "NEVER_LATE", "NOT_AWAITED", "ScoreboardCell", "cell_of",
           "cell_rows", "rebuild_cells"]
