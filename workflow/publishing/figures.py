"""The scoreboard's figures, stored on each addressee entry and aggregated in SQL.

Each ``CaseAddressee`` row carries what the scoreboard needs of its history, written by
the operations that record the corresponding events, in the same flush (no extra
statement): ``transmitted_on`` (transmit), ``first_final_at``, ``days_to_answer`` and
``is_on_time`` (the first final reply), ``is_waived`` (a waiver before any final reply),
``due_set_at`` (when the due date in force took effect) and the answers counted by the
committee's latest judgement of each (``judged_*``, the assessment). ``clock_start`` is the
request date (transmission or the follow-up question); the stored deadline state
(``is_awaited``, ``deadline_in``) gives pending and overdue now. The definitions are in
:mod:`workflow.publishing.scoreboard`, whose replay of the events stays the independent
reference (the tests compare both).

:func:`rebuild` recomputes the stored figures of every row from the events, for data
written without the operations (a migration, a bulk generator); :func:`scores` is the
scoreboard in three SQL statements over the summary of these figures per cell
(:mod:`workflow.publishing.models`, kept current at every flush), whose size does not grow
with the number of cases.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Integer, bindparam, case, func, inspect, select, update
from sqlalchemy.orm import Session

from workflow.answers.models import JUDGEMENTS
from workflow.cases.models import CaseAddressee, Recommendation
from workflow.clock import brussels_date
from workflow.deadlines import status_cutoffs
from workflow.history.models import Event
from workflow.publishing.models import ScoreboardCell, rebuild_cells
from workflow.publishing.scoreboard import (
    ASSESS,
    DUE_CHANGES,
    FINAL_REPLY,
    WITHDRAWN_REPLY,
    OldestPending,
    Score,
    replay_cases,
)

# The events that move a stored figure (rebuild reads only these).
FIGURE_ACTIONS = ("register", "transmit", "ask_again", "waive", ASSESS, *DUE_CHANGES,
                  *FINAL_REPLY, WITHDRAWN_REPLY)
# The entry's column counting the answers with each judgement.
JUDGED_COLUMNS = {judgement: f"judged_{judgement}" for judgement in JUDGEMENTS}
REBUILD_BATCH = 1000


# ---------------------------------------------------------------------------
# Kept current by the operations (set before the flush that writes the row anyway)


def note_transmitted(entry: CaseAddressee, transmitted_on: date, effective_at: datetime) -> None:
    entry.transmitted_on = transmitted_on
    entry.due_set_at = effective_at
    entry.first_final_at = entry.days_to_answer = None
    entry.is_on_time = entry.is_waived = False
    for column in JUDGED_COLUMNS.values():
        setattr(entry, column, 0)


def note_due_set(entry: CaseAddressee, effective_at: datetime) -> None:
    """The entry's due date changed (extension, resumed clock, recomputation, follow-up
    question) with effect from ``effective_at``."""
    entry.due_set_at = effective_at


def note_waived(entry: CaseAddressee) -> None:
    if entry.first_final_at is None:
        entry.is_waived = True


def note_judgement(entry: CaseAddressee, previous: str | None, judgement: str) -> None:
    """One of the entry's answers judged ``judgement``, replacing ``previous`` (None: its
    first judgement)."""
    if previous is not None:
        column = JUDGED_COLUMNS[previous]
        setattr(entry, column, (getattr(entry, column) or 0) - 1)
    column = JUDGED_COLUMNS[judgement]
    setattr(entry, column, (getattr(entry, column) or 0) + 1)


def note_final_reply(session: Session, entry: CaseAddressee, effective_at: datetime) -> None:
    """The first final reply (answer or declining) counts, unless a waiver came first.

    On time: not after the due time in force at the reply's effective moment. That is the
    stored due date, unless the reply is dated before the latest change of it (a reply
    received on paper recorded after an extension): then the history says which due
    date was in force (one query, only in that case)."""
    if entry.first_final_at is not None or entry.is_waived or entry.transmitted_on is None:
        return
    due = entry.due_at
    if entry.due_set_at is not None and effective_at < entry.due_set_at:
        due = _due_in_force(session, entry, effective_at)
    entry.first_final_at = effective_at
    entry.days_to_answer = (brussels_date(effective_at) - entry.transmitted_on).days
    entry.is_on_time = due is not None and effective_at <= due


def note_final_withdrawn(entry: CaseAddressee, reply_effective_at: datetime) -> None:
    """A final reply was withdrawn (recorded by mistake): if it was the one that counted,
    the entry has no final reply any more (the next one will count)."""
    if entry.first_final_at is not None and entry.first_final_at == reply_effective_at:
        entry.first_final_at = entry.days_to_answer = None
        entry.is_on_time = False


def _due_in_force(session: Session, entry: CaseAddressee, moment: datetime) -> datetime | None:
    events = session.scalars(
        select(Event).where(Event.recommendation_id == entry.recommendation_id,
                            Event.action.in_(("transmit", "ask_again", *DUE_CHANGES)),
                            Event.effective_at <= moment)
        .order_by(Event.effective_at, Event.seq))
    due = None
    for ev in events:
        if ev.action == "transmit" or ev.addressee_code == entry.addressee_code:
            text = ev.data.get("due_at", {}).get(entry.addressee_code)
            if text is not None or ev.action == "ask_again":
                due = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    return due


# ---------------------------------------------------------------------------
# Rebuilding from the history


def rebuild(session: Session) -> int:
    """Recompute the stored figures of every entry from the events (the reference
    replay, one case at a time, streamed), written with batched UPDATEs. For databases
    filled without the operations: the migration that added the columns, bulk
    generators; then the summary cells. Returns the number of entries written. Flushes,
    never commits."""
    session.flush()
    table = CaseAddressee.__table__
    # The migration adding the judged counts (0009) comes after the one adding the other
    # figures (0005), which calls this too: write them only where the table has them.
    judged = set(JUDGED_COLUMNS.values()) <= {
        c["name"] for c in inspect(session.connection()).get_columns(table.name)}
    stmt = (update(table)
            .where(table.c.recommendation_id == _bind("rid"),
                   table.c.addressee_code == _bind("code"))
            .values(transmitted_on=_bind("transmitted_on"), due_set_at=_bind("due_set_at"),
                    first_final_at=_bind("first_final_at"),
                    days_to_answer=_bind("days_to_answer"), is_on_time=_bind("is_on_time"),
                    is_waived=_bind("is_waived"),
                    **{column: _bind(column) for column in JUDGED_COLUMNS.values()
                       if judged})
            .execution_options(synchronize_session=False))
    written, batch = 0, []
    for rid, events in events_by_case(session):
        for pair in replay_cases(events).get(events[0].doc_number, _NO_CASE).pairs.values():
            days = None if pair.first_final_at is None else (
                brussels_date(pair.first_final_at) - pair.transmitted_on).days
            batch.append({"rid": rid, "code": pair.code, "transmitted_on": pair.transmitted_on,
                          "due_set_at": pair.due_set_at, "first_final_at": pair.first_final_at,
                          "days_to_answer": days, "is_on_time": bool(pair.on_time),
                          "is_waived": pair.waived,
                          **{JUDGED_COLUMNS[j]: n for j, n in pair.judged().items()
                             if judged}})
        if len(batch) >= REBUILD_BATCH:
            written += _write(session, stmt, batch)
            batch = []
    written += _write(session, stmt, batch)
    # the summary cells follow the figures (when the table exists: migration 0014 comes
    # after the ones that call this)
    if inspect(session.connection()).has_table(ScoreboardCell.__tablename__):
        rebuild_cells(session)
    return written


class _NoCase:
    pairs: dict = {}


_NO_CASE = _NoCase()


def _bind(name: str):
    return bindparam(name)


def _write(session: Session, stmt, batch: list[dict]) -> int:
    if batch:
        session.connection().execute(stmt, batch)
    return len(batch)


class _Row:
    """An event as the replay reads it, from the columns only (no ORM object): the
    migration that calls :func:`rebuild` runs against the schema of its time."""

    __slots__ = (
        "action",
        "addressee_code",
        "doc_number",
        "effective_at",
        "entity",
        "payload",
        "recommendation_id",
        "seq",
        "to_state",
    )

    def __init__(self, row):
        for name in self.__slots__:
            setattr(self, name, getattr(row, name))

    @property
    def data(self) -> dict:
        return json.loads(self.payload)


def events_by_case(session: Session, *, actions: Iterable[str] | None = FIGURE_ACTIONS,
                   where: Iterable = ()) -> Iterable[tuple[int, list[_Row]]]:
    """The events of each case (by default only the figure-moving ones; ``actions=None``
    for all), one case at a time, streamed through the driver (no ORM objects).
    ``where`` adds conditions on the event table."""
    table = Event.__table__
    conditions = [table.c.recommendation_id.is_not(None), *where]
    if actions is not None:
        conditions.append(table.c.action.in_(tuple(actions)))
    result = session.connection().execute(
        select(*(table.c[name] for name in _Row.__slots__))
        .where(*conditions)
        .order_by(table.c.recommendation_id, table.c.seq)
        .execution_options(yield_per=REBUILD_BATCH, stream_results=True))
    current, events = None, []
    try:
        for row in result:
            ev = _Row(row)
            if ev.recommendation_id != current and events:
                yield current, events
                events = []
            current = ev.recommendation_id
            events.append(ev)
        if events:
            yield current, events
    finally:
        result.close()


# ---------------------------------------------------------------------------
# The scoreboard in SQL


def _cells(year: int | None, committee: str | None) -> list:
    """The scoreboard's summary cells matching the filters (adoption year, committee)."""
    where = []
    if year:
        where.append(ScoreboardCell.adopted_year == year)
    if committee:
        where.append(ScoreboardCell.committee == committee)
    return where


def _total(column) -> object:
    return func.coalesce(func.sum(column), 0).cast(Integer)


def _nth(histogram: list[tuple[int, int]], k: int) -> int:
    """The ``k``-th smallest value (1-based) of a sorted (value, count) histogram."""
    seen = 0
    for value, count in histogram:
        seen += count
        if seen >= k:
            return value
    raise IndexError(k)


def _median(histogram: list[tuple[int, int]], n: int) -> float:
    if n % 2:
        return float(_nth(histogram, n // 2 + 1))
    return (_nth(histogram, n // 2) + _nth(histogram, n // 2 + 1)) / 2


def _binary(session: Session, column):
    """Order text by code point, as Python does (not by the database's locale)."""
    return column.collate("C" if session.get_bind().dialect.name == "postgresql" else "BINARY")


def scores(session: Session, now: datetime, *, year: int | None = None,
           committee: str | None = None) -> list[Score]:
    """One :class:`Score` per addressee that received a published recommendation, by code,
    from the summary cells (:mod:`workflow.publishing.models`): the counts in one GROUP
    BY, the days to answer as a (addressee, days) histogram, and the oldest pending
    request per addressee (its day from the cells, its case from the entries of that day)."""
    cell = ScoreboardCell
    where = _cells(year, committee)
    code = cell.addressee_code
    # overdue now: awaited with a live due moment before now (deadlines.LATE, as
    # CaseAddressee.deadline_in has it)
    late = case((cell.late_from < status_cutoffs(now).now, cell.awaited), else_=0)
    counts = session.execute(
        select(code, _total(cell.received), _total(cell.answered), _total(cell.on_time),
               _total(cell.waived), _total(cell.awaited), _total(late),
               *(_total(getattr(cell, column)) for column in JUDGED_COLUMNS.values()))
        .where(*where).group_by(code).having(func.sum(cell.received) > 0)
        .order_by(code)).all()
    histograms: dict[str, list[tuple[int, int]]] = {}
    for row in session.execute(
            select(code, cell.days_to_answer, _total(cell.answered))
            .where(*where, cell.answered > 0)
            .group_by(code, cell.days_to_answer)
            .order_by(code, cell.days_to_answer)):
        histograms.setdefault(row[0], []).append((row[1], row[2]))
    oldest = _oldest_pending(session, where, year, committee)
    today = brussels_date(now)
    out = []
    for addressee, received, answered, on_time, waived, pending, overdue, *judged in counts:
        histogram = histograms.get(addressee, [])
        first = oldest.get(addressee)
        out.append(Score(
            addressee=addressee, received=received, answered=answered,
            answered_on_time=on_time, waived=waived,
            median_days=_median(histogram, answered) if answered else None,
            p90_days=_nth(histogram, max(-(-9 * answered // 10), 1)) if answered else None,
            pending_now=pending, overdue_now=overdue,
            oldest_pending=None if first is None else OldestPending(
                first.doc, first.since, (today - first.since).days),
            judged=dict(zip(JUDGED_COLUMNS, judged, strict=True))))
    return out


def _oldest_pending(session: Session, where: list, year: int | None,
                    committee: str | None) -> dict:
    """Per addressee, the awaited entry with the oldest request, ties by case number: the
    day from the cells, the case from the entries awaited since that day (a correlated
    subquery per addressee over the (addressee, clock_start) index, so that the planner
    never reads every awaited entry)."""
    cell, entry, rec = ScoreboardCell, CaseAddressee, Recommendation
    since = (select(cell.addressee_code.label("code"), func.min(cell.awaited_since).label("day"))
             .where(*where, cell.awaited > 0).group_by(cell.addressee_code).subquery())
    cases = [rec.visible_to(None), entry.transmitted_on.is_not(None)]
    if year:
        cases += [rec.adopted_on >= date(year, 1, 1), rec.adopted_on <= date(year, 12, 31)]
    if committee:
        cases.append(rec.committee == committee)
    doc = (select(rec.doc_number).join_from(entry, rec, rec.id == entry.recommendation_id)
           .where(entry.addressee_code == since.c.code, entry.clock_start == since.c.day,
                  entry.is_awaited.is_(True), *cases)
           .order_by(_binary(session, rec.doc_number)).limit(1)
           .correlate(since).scalar_subquery())
    return {row.code: row for row in session.execute(
        select(since.c.code, since.c.day.label("since"), doc.label("doc")))}


# The three parts of a year's requests, in the order they are shown: the fields of
# YearFigures (and of the yearly review's YearCount) a chart stacks.
OUTCOMES = ("on_time", "late", "pending")


class YearFigures(NamedTuple):
    """One addressee's requests transmitted in one year: answered on time, answered late,
    still pending (the bars of the scoreboard's chart)."""

    addressee: str
    year: int
    on_time: int
    late: int
    pending: int


def per_year(session: Session, *, year: int | None = None,
             committee: str | None = None) -> list[YearFigures]:
    """Per addressee and year of transmission, by code then year: the published entries'
    first final replies on time and late, and the answers still awaited now; one GROUP
    BY over the summary cells. A waived entry without a final reply is neither."""
    cell = ScoreboardCell
    rows = session.execute(
        select(cell.addressee_code, cell.sent_year, _total(cell.on_time),
               _total(cell.answered) - _total(cell.on_time), _total(cell.awaited))
        .where(*_cells(year, committee))
        .group_by(cell.addressee_code, cell.sent_year).having(func.sum(cell.received) > 0)
        .order_by(cell.addressee_code, cell.sent_year))
    return [YearFigures(*row) for row in rows]
