"""The yearly review of pending recommendations, computed from the history alone.

Modelled on the yearly memorandum in which the Council of Europe's Committee of
Ministers lists the replies still pending: for a chosen year, each addressee's
recommendations not yet answered at the end of that year, with their time limit,
days overdue, interim replies and reminders, the answers received during the year, and
the answers per year of the request (on time / late / pending).

Every figure follows from the events (the same events the auditors' export contains),
replayed as :mod:`workflow.publishing.scoreboard` defines them, one case at a time:

* **review moment**: midnight Brussels at the end of the year (1 January of the next
  year, 00:00), or ``now`` for the current year; **previous review**: 1 January 00:00
  of the year itself. Only events effective before the review moment count.
* **pending**: the answer is awaited at the review moment (``lifecycle.answer_awaited``);
  its **time limit** is the due moment in force then; **days overdue** as on the pages
  (``deadlines.deadline_status`` at the review moment, 0 when not late or the clock is
  stopped); overdue counts only required addressees, as the scoreboard does.
* **interim replies** and **reminders** (the sweep's ``remind``, ``mark_overdue`` and
  ``mark_very_overdue``) of a pending answer: those of its current request (after the
  transmission or the follow-up question that made it pending again).
* **answers received**: every final reply (answer or declining) effective during the
  year, on time when not after the due moment in force at that moment. A reply withdrawn
  before the review moment (``withdraw_reply``: recorded by mistake) counts nowhere, nor
  does a withdrawn interim reply.
* **per year of the request** (the year of transmission): of the addressees'
  recommendations transmitted up to the review, answered on time / late (the first final
  reply before the review, as on the scoreboard), pending at the review.

The work is linear in the events up to the review (streamed, constant memory): a
document made once a year, by the command line or the secretariat's page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import errors
from workflow.cases import due_dates
from workflow.cases.models import Recommendation
from workflow.checks import resolve_now
from workflow.deadlines import BRUSSELS, LATE, classify
from workflow.history.models import Event
from workflow.lifecycle import answer_awaited
from workflow.publishing.figures import events_by_case
from workflow.publishing.scoreboard import FINAL_REPLY, WITHDRAWN_REPLY, replay_cases

# The sweep's notices, by the history action that records them.
NOTICE_KINDS = {"remind": "reminder", "mark_overdue": "overdue",
                "mark_very_overdue": "very_overdue"}
INTERIM = "submit_interim"
# The requests that (re)start the wait for an answer.
REQUESTS = ("transmit", "ask_again")
FIRST_YEAR = 1955  # the Benelux Interparliamentary Council was founded in 1955
TITLE_BATCH = 500


@dataclass(frozen=True)
class Notice:
    on: date
    kind: str  # reminder | overdue | very_overdue
    days: int


@dataclass
class PendingAnswer:
    doc_number: str
    addressee: str
    requested_on: date
    due_at: datetime | None
    status: str  # a deadline status at the review moment (deadlines.classify)
    days_overdue: int
    required: bool
    state: str
    interim_replies: list[date] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


@dataclass(frozen=True)
class ReceivedAnswer:
    doc_number: str
    addressee: str
    received_on: date
    kind: str  # the reply trigger: submit_answer or decline
    due_at: datetime | None
    on_time: bool


@dataclass(frozen=True)
class YearCount:
    addressee: str
    year: int
    on_time: int
    late: int
    pending: int


@dataclass
class AddresseeReview:
    addressee: str
    pending: list[PendingAnswer] = field(default_factory=list)
    received: list[ReceivedAnswer] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for p in self.pending if p.required and p.status in LATE)

    @property
    def received_on_time(self) -> int:
        return sum(1 for r in self.received if r.on_time)


@dataclass
class PendingReport:
    year: int
    since: datetime
    as_of: datetime
    addressees: list[AddresseeReview]
    per_year: list[YearCount]
    titles: dict[str, dict[str, str]]

    def title(self, doc_number: str, locale: str) -> str:
        titles = self.titles.get(doc_number, {})
        return titles.get(locale) or titles.get("nl") or titles.get("fr") or ""

    def figures(self) -> dict:
        """Every figure of the report as plain data (what the tests recompute)."""
        return {
            "as_of": self.as_of.isoformat(),
            "addressees": {
                a.addressee: {
                    "pending": sorted(
                        (p.doc_number, p.due_at.isoformat() if p.due_at else None,
                         p.days_overdue, len(p.interim_replies), len(p.notices))
                        for p in a.pending),
                    "overdue": a.overdue,
                    "received": sorted((r.doc_number, r.received_on.isoformat(), r.on_time)
                                       for r in a.received),
                } for a in self.addressees},
            "per_year": sorted((c.addressee, c.year, c.on_time, c.late, c.pending)
                               for c in self.per_year),
        }


def review_moments(year: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The previous review and this review of ``year``: 1 January 00:00 Brussels of the
    year, and of the next year (or ``now`` if that is still to come)."""
    now = resolve_now(now)
    if not isinstance(year, int) or isinstance(year, bool):
        raise errors.ValidationError("the year must be a number such as 2026",
                                     field="year", rule="report_year",
                                     params={"year": year, "first_year": FIRST_YEAR,
                                             "last_year": now.astimezone(BRUSSELS).year})
    since = _new_year(year)
    if year < FIRST_YEAR or since > now:
        raise errors.ValidationError(
            f"no review for {year}: choose a year from {FIRST_YEAR} to "
            f"{now.astimezone(BRUSSELS).year}",
            field="year", rule="report_year",
            params={"year": year, "first_year": FIRST_YEAR,
                    "last_year": now.astimezone(BRUSSELS).year})
    return since, min(_new_year(year + 1), now)


def _new_year(year: int) -> datetime:
    return datetime.combine(date(year, 1, 1), time(0), tzinfo=BRUSSELS).astimezone(UTC)


def build(session: Session, year: int, *, now: datetime | None = None) -> PendingReport:
    """The review of ``year`` (see the module's definitions). Reads only; one streamed
    query for the events and one per batch of titles."""
    since, as_of = review_moments(year, now)
    cutoffs = due_dates.status_cutoffs(as_of)
    reviews: dict[str, AddresseeReview] = {}
    per_year: dict[tuple[str, int], list[int]] = {}
    effective = Event.__table__.c.effective_at
    for _rid, events in events_by_case(session, actions=None, where=[effective < as_of]):
        _review_case(events, since, as_of, cutoffs, reviews, per_year)
    ordered = [reviews[code] for code in sorted(reviews)]
    for review in ordered:
        review.pending.sort(key=lambda p: (p.due_at or as_of, p.doc_number))
        review.received.sort(key=lambda r: (r.received_on, r.doc_number))
    docs = {p.doc_number for r in ordered for p in r.pending} | {
        a.doc_number for r in ordered for a in r.received}
    return PendingReport(
        year=year, since=since, as_of=as_of, addressees=ordered,
        per_year=[YearCount(code, y, *counts) for (code, y), counts in sorted(per_year.items())],
        titles=_titles(session, docs))


def _review_case(events: list, since: datetime, as_of: datetime, cutoffs,
                 reviews: dict[str, AddresseeReview],
                 per_year: dict[tuple[str, int], list[int]]) -> None:
    events = sorted(events, key=lambda e: (e.effective_at, e.seq))
    doc = events[0].doc_number
    case = replay_cases(events).get(doc)
    if case is None or not case.pairs:
        return
    # Replies withdrawn before the review (recorded by mistake) count nowhere.
    withdrawn = {ev.data.get("answer_id") for ev in events if ev.action == WITHDRAWN_REPLY}
    # Received during the year: each final reply, judged against the due moment in
    # force just before it (the replay of the events up to it).
    for i, ev in enumerate(events):
        if ev.action in FINAL_REPLY and ev.entity == "answer" and ev.effective_at >= since \
                and ev.data.get("answer_id") not in withdrawn:
            before = replay_cases(events[:i]).get(doc)
            pair = before.pairs.get(ev.addressee_code or "") if before else None
            if pair is None:
                continue
            reviews.setdefault(pair.code, AddresseeReview(pair.code)).received.append(
                ReceivedAnswer(doc, pair.code, ev.effective_at.astimezone(BRUSSELS).date(),
                               ev.action, pair.due_at,
                               pair.due_at is not None and ev.effective_at <= pair.due_at))
    for pair in case.pairs.values():
        counts = per_year.setdefault((pair.code, pair.transmitted_on.year), [0, 0, 0])
        awaited = answer_awaited(pair.state, case.state or "")
        if pair.first_final_at is not None:
            counts[0 if pair.on_time else 1] += 1
        elif awaited:
            counts[2] += 1
        if not awaited:
            continue
        status = classify(pair.due_at, cutoffs, paused=pair.paused)
        late = due_dates.due_status(pair.due_at, as_of) if status in LATE else None
        pending = PendingAnswer(
            doc, pair.code, pair.request_since, pair.due_at, status,
            late.days_overdue if late else 0, pair.required, pair.state)
        _letters(events, pending, withdrawn)
        reviews.setdefault(pair.code, AddresseeReview(pair.code)).pending.append(pending)


def _letters(events: Iterable, pending: PendingAnswer, withdrawn: set) -> None:
    """The interim replies (not withdrawn) and the sweep's notices of the current
    request."""
    for ev in events:
        if ev.addressee_code != pending.addressee and ev.action != "transmit":
            continue
        if ev.action in REQUESTS:
            pending.interim_replies.clear()
            pending.notices.clear()
        elif ev.action == INTERIM and ev.data.get("answer_id") not in withdrawn:
            pending.interim_replies.append(ev.effective_at.astimezone(BRUSSELS).date())
        elif ev.action in NOTICE_KINDS:
            pending.notices.append(Notice(ev.effective_at.astimezone(BRUSSELS).date(),
                                          NOTICE_KINDS[ev.action], int(ev.data.get("days", 0))))


def _titles(session: Session, docs: set[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    ordered = sorted(docs)
    for start in range(0, len(ordered), TITLE_BATCH):
        batch = ordered[start:start + TITLE_BATCH]
        for doc, nl, fr in session.execute(
                select(Recommendation.doc_number, Recommendation.title_nl,
                       Recommendation.title_fr).where(Recommendation.doc_number.in_(batch))):
            out[doc] = {"nl": nl, "fr": fr}
    return out
