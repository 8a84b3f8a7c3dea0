"""Escalation: the very overdue answers go on the list "for the next plenary / Permanent
Committee", grouped by addressee, each with its days overdue, the notices the sweep sent
for it and the sessions whose agenda it was put on.

"Very overdue" is the one rule of ``CaseAddressee.deadline_in`` at the configured
cutoffs (``due_dates.status_cutoffs``), in SQL for the list and in Python for the check
before an entry is put on an agenda. Putting an entry on a session's agenda is an event
of the history (``put_on_agenda``, entity ``deadline``), not a column: the mark and its
author are in the tamper-evident chain, and an entry may be put on a later session again.

A page of the list costs three statements however long the list is: the count, the
page's entries with their case, and the page's notices and agenda marks in one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from workflow import errors, history
from workflow.actors import Actor
from workflow.cases import due_dates
from workflow.cases import queries as case_queries
from workflow.cases.models import Addressee, CaseAddressee, Recommendation
from workflow.cases.scope import check_entry_scope
from workflow.checks import clean_text, flush, require_role, resolve_now
from workflow.deadlines import StatusCutoffs
from workflow.history.models import Event
from workflow.lifecycle import SECRETARIAT
from workflow.reminders.sweep import ACTIONS as NOTICE_ACTIONS

VERY_OVERDUE = ("very_overdue",)
PUT_ON_AGENDA = "put_on_agenda"
NOTICES = tuple(NOTICE_ACTIONS.values())  # remind, mark_overdue, mark_very_overdue
MAX_SESSION_LABEL = 120  # as long as a recommendation's session label
PER_PAGE = 50
EXPORT_CHUNK = 500


@dataclass(frozen=True)
class Notice:
    """A notice the sweep sent for the entry: a reminder, "overdue" or "very overdue"."""

    action: str
    at: datetime             # when it took effect
    days: int | None         # days before (reminder) or after (very overdue) the due date
    due_at: datetime | None  # the due moment it was about


@dataclass(frozen=True)
class AgendaMark:
    """The entry was put on the agenda of a session."""

    session_label: str
    at: datetime
    actor: str
    due_at: datetime | None


@dataclass(frozen=True)
class EscalatedEntry:
    entry: CaseAddressee  # with its recommendation and addressee loaded
    due_at: datetime
    days_overdue: int
    notices: tuple[Notice, ...] = ()
    agendas: tuple[AgendaMark, ...] = ()  # oldest first

    @property
    def on_agenda(self) -> AgendaMark | None:
        """The latest session it was put on the agenda of, if any."""
        return self.agendas[-1] if self.agendas else None


@dataclass(frozen=True)
class EscalationGroup:
    addressee: Addressee
    entries: list[EscalatedEntry] = field(default_factory=list)


@dataclass(frozen=True)
class EscalationPage:
    groups: list[EscalationGroup]
    page: int
    per_page: int
    total: int  # very overdue entries in the whole list

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def entries(self) -> list[EscalatedEntry]:
        return [e for g in self.groups for e in g.entries]


def _rows(actor: Actor, cutoffs: StatusCutoffs):
    """The very overdue entries ``actor`` sees, by addressee, then earliest due (the order
    of the (addressee_code, live_due_at) index)."""
    return (select(CaseAddressee).join(Recommendation)
            .where(case_queries.entry_clause(actor, statuses=VERY_OVERDUE, cutoffs=cutoffs))
            .order_by(CaseAddressee.addressee_code, CaseAddressee.live_due_at,
                      Recommendation.doc_number, CaseAddressee.id)
            .options(contains_eager(CaseAddressee.recommendation)))


def _moment(text) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if isinstance(text, str) \
        else None


def _due_of(ev: Event) -> datetime | None:
    """The due moment an event is about: the sweep writes it as text, a person's event
    as {addressee code: moment}."""
    due = ev.data.get("due_at")
    if isinstance(due, dict):
        due = due.get(ev.addressee_code)
    return _moment(due)


def _deadline_events(session: Session, entries: list[CaseAddressee]) -> dict:
    """The notices and agenda marks of ``entries``, in one query: {(case id, addressee
    code): [event, ...]} in the order they took effect."""
    keys = {(e.recommendation_id, e.addressee_code) for e in entries}
    found: dict = {key: [] for key in keys}
    if not keys:
        return found
    events = session.scalars(
        select(Event)
        .where(Event.recommendation_id.in_({r for r, _ in keys}),
               Event.addressee_code.in_({c for _, c in keys}),
               Event.entity == "deadline", Event.action.in_((*NOTICES, PUT_ON_AGENDA)))
        .order_by(Event.effective_at, Event.seq))
    for ev in events:
        key = (ev.recommendation_id, ev.addressee_code)
        if key in found:
            found[key].append(ev)
    return found


def _escalated(session: Session, entries: list[CaseAddressee], now: datetime) \
        -> list[EscalatedEntry]:
    events = _deadline_events(session, entries)
    out = []
    for entry in entries:
        own = events[(entry.recommendation_id, entry.addressee_code)]
        notices = tuple(Notice(ev.action, ev.effective_at, ev.data.get("days"), _due_of(ev))
                        for ev in own if ev.action in NOTICES)
        agendas = tuple(AgendaMark(ev.data.get("session", ev.reason), ev.recorded_at,
                                   ev.actor, _due_of(ev))
                        for ev in own if ev.action == PUT_ON_AGENDA)
        out.append(EscalatedEntry(entry, entry.live_due_at,
                                  due_dates.deadline_status(entry, now).days_overdue,
                                  notices, agendas))
    return out


def group(entries: Iterable[EscalatedEntry]) -> list[EscalationGroup]:
    """Entries in list order, grouped by addressee (consecutive: the list is sorted)."""
    return [EscalationGroup(items[0].entry.addressee, items)
            for items in (list(g) for _, g in groupby(entries,
                                                      key=lambda e: e.entry.addressee_code))]


def escalation_list(session: Session, now: datetime | None = None, *, actor: Actor,
                    page: int = 1, per_page: int = PER_PAGE) -> EscalationPage:
    """One page of the very overdue answers ``actor`` sees, grouped by addressee, each
    with its days overdue, notices and agenda marks. A page past the end is the last
    one. Three statements: the count, the entries, their events."""
    now = resolve_now(now)
    cutoffs = due_dates.status_cutoffs(now)
    total = session.scalar(case_queries.late_entries_count(actor, cutoffs,
                                                           statuses=VERY_OVERDUE))
    per_page = max(int(per_page), 1)
    page = min(max(int(page), 1), max(1, -(-total // per_page)))
    if not total:
        return EscalationPage([], page, per_page, 0)
    entries = session.scalars(_rows(actor, cutoffs).limit(per_page)
                              .offset((page - 1) * per_page)).unique().all()
    return EscalationPage(group(_escalated(session, list(entries), now)), page, per_page,
                          total)


def iter_escalated(session: Session, now: datetime | None = None, *, actor: Actor,
                   chunk: int = EXPORT_CHUNK) -> Iterator[EscalatedEntry]:
    """The whole list in order (the exports), read ``chunk`` entries at a time: two
    statements per chunk. The moment is fixed once, so no entry moves between chunks."""
    now = resolve_now(now)
    stmt = _rows(actor, due_dates.status_cutoffs(now))
    offset = 0
    while True:
        entries = list(session.scalars(stmt.limit(chunk).offset(offset)).unique())
        if not entries:
            return
        yield from _escalated(session, entries, now)
        if len(entries) < chunk:
            return
        offset += chunk


def entries_by_id(session: Session, actor: Actor, ids: Iterable[int]) -> list[CaseAddressee]:
    """The addressee entries with these ids that ``actor`` sees (the choice of a form),
    in the order given; an id that is not one of them is refused as not found."""
    wanted = list(dict.fromkeys(int(i) for i in ids))
    if not wanted:
        return []
    found = {e.id: e for e in session.scalars(
        select(CaseAddressee).join(Recommendation).where(CaseAddressee.id.in_(wanted))
        .options(contains_eager(CaseAddressee.recommendation))).unique()}
    missing = [i for i in wanted if i not in found or not found[i].visible_to(actor)]
    if missing:
        raise errors.NotInScope(f"no answer {missing[0]} in your scope",
                                rule="entry_in_scope", params={"id": missing[0]})
    return [found[i] for i in wanted]


def put_on_agenda(session: Session, actor: Actor,
                  entries: CaseAddressee | Iterable[CaseAddressee], *, session_label: str,
                  now: datetime | None = None) -> list[Event]:
    """Record that each of ``entries`` (very overdue answers) is put on the agenda of the
    session ``session_label`` (e.g. "plenary of 12-13 March 2027"): one event each.
    Secretariat only. Everything is checked before anything is written: an empty or too
    long label, no entry, an entry that is not very overdue (any more) or that is already
    on that session's agenda refuses the whole request. Flushes, never commits."""
    now = resolve_now(now)
    require_role(actor, SECRETARIAT, "put an answer on a session's agenda")
    label = " ".join(clean_text(session_label, "session_label", required=True,
                                limit=MAX_SESSION_LABEL).split())
    chosen = [entries] if isinstance(entries, CaseAddressee) else list(entries)
    chosen = list({id(e): e for e in chosen}.values())
    if not chosen:
        raise errors.ValidationError("choose at least one very overdue answer to put on the "
                                     "agenda", field="entries", rule="agenda_entries_chosen")
    cutoffs = due_dates.status_cutoffs(now)
    for entry in chosen:
        check_entry_scope(actor, entry)
        if not entry.deadline_in(VERY_OVERDUE, cutoffs):
            raise errors.ValidationError(
                f"the answer of {entry.addressee_code} on {entry.recommendation.doc_number} "
                "is not very overdue (any more): it was answered, waived, extended or its "
                "clock stopped; reload the list", field="entries",
                rule="agenda_very_overdue_only",
                params={"addressee": entry.addressee_code,
                        "doc_number": entry.recommendation.doc_number})
    events = _deadline_events(session, chosen)
    for entry in chosen:
        already = [ev for ev in events[(entry.recommendation_id, entry.addressee_code)]
                   if ev.action == PUT_ON_AGENDA and ev.data.get("session") == label
                   and _due_of(ev) == entry.live_due_at]
        if already:
            raise errors.ValidationError(
                f"the answer of {entry.addressee_code} on {entry.recommendation.doc_number} "
                f"is already on the agenda of {label}", field="entries",
                rule="agenda_already_on_it",
                params={"addressee": entry.addressee_code,
                        "doc_number": entry.recommendation.doc_number, "session": label})
    recorded = []
    for entry in chosen:
        recorded.append(history.record(
            session, actor=actor, action=PUT_ON_AGENDA, entity="deadline", now=now,
            recommendation=entry.recommendation, addressee_code=entry.addressee_code,
            reason=label,
            payload={"session": label,
                     "due_at": {entry.addressee_code: history.format_utc(entry.live_due_at)}}))
    flush(session)
    return recorded


__all__ = ["PUT_ON_AGENDA", "AgendaMark", "EscalatedEntry", "EscalationGroup",
           "EscalationPage", "Notice", "entries_by_id", "escalation_list", "group",
           "iter_escalated", "put_on_agenda"]
