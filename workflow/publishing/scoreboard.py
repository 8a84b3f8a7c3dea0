"""The scoreboard: how each addressee answers, defined by the history events only.

Nothing here reads the current rows: every figure follows from the events (the
same events the open-data export publishes), so anyone can recompute it. This replay
is the reference: the site shows the same figures from columns stored on each
addressee entry and aggregated in SQL (:mod:`workflow.publishing.figures`), and the
tests check that both agree.

Definitions (per addressee, over the recommendations matching the filters):

* **received**: recommendations transmitted to the addressee (event ``transmit``,
  whose payload lists the addressees in ``due_at``). A follow-up question does
  not count as a new recommendation received.
* **answered**: of those, how many got a final reply (``submit_answer`` or
  ``decline``). Only the first final reply after transmission counts; a reply
  withdrawn later (``withdraw_reply``: recorded by mistake) does not, and the next
  final reply counts instead.
* **answered on time**: the first final reply's effective time is not after the
  due time in force then (the transmission's due date, moved by later
  ``grant_extension``, ``resume_clock`` or ``recompute_due`` events).
* **waived**: covered by a collective answer (``waive``) before a final reply.
* **median / 90th-percentile days to answer**: calendar days from the
  transmission date (payload ``transmitted_on``) to the Brussels date of the
  first final reply. The 90th percentile is the nearest-rank one:
  the ``ceil(0.9 * n)``-th smallest value.
* **pending now**: answers expected now (the rule ``lifecycle.answer_awaited``): the
  addressee is pending or sent an interim reply (a follow-up question makes it pending
  again) and the case still accepts answers (transmitted, awaiting answers, follow-up
  requested).
* **overdue now**: pending now, required (an optional addressee is never overdue), its
  clock is not stopped (``stop_clock`` without a later ``resume_clock``) and the due time
  in force is before ``now`` (``deadlines.classify``, the rule the pages use too).
* **oldest pending**: the pending answer whose request is oldest (transmission
  or the follow-up question that made it pending again).
* **judged satisfactory / partly satisfactory / unsatisfactory**: the addressee's
  submitted answers by the committee's latest judgement of each (``assess_answer``
  events, payload ``answer_id`` and ``judgement``; judging again replaces the judgement).

Filters: ``year`` is the adoption year (payload ``adopted_on`` of ``register``),
``committee`` the committee as registered or last edited.
Events are taken in the order (effective_at, seq): historic imports have effective
dates earlier than the time they were recorded.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from workflow.answers.models import JUDGEMENTS
from workflow.deadlines import BRUSSELS, LATE, classify, status_cutoffs
from workflow.history.models import Event
from workflow.lifecycle import ANSWER, ANSWER_DONE, REPLY_TRIGGERS, answer_awaited

# The replies that end the wait for an answer (final answer, declining).
FINAL_REPLY = tuple(t for t in REPLY_TRIGGERS.values() if ANSWER.trigger(t).dest in ANSWER_DONE)
DUE_CHANGES = ("grant_extension", "resume_clock", "recompute_due")
# A reply recorded by mistake, withdrawn: it no longer counts (payload: its ``answer_id``,
# the case's state after it, ``case_state``).
WITHDRAWN_REPLY = "withdraw_reply"
ASSESS = "assess_answer"  # the committee's judgement of one answer (entity "assessment")


def _parse_dt(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _local_date(moment: datetime) -> date:
    return moment.astimezone(BRUSSELS).date()


@dataclass
class _Pair:
    """One addressee on one recommendation, as the events tell it."""

    doc_number: str
    code: str
    transmitted_on: date | None = None
    state: str = "pending"
    due_at: datetime | None = None
    due_set_at: datetime | None = None  # when the due time in force took effect
    request_since: date | None = None
    required: bool = True
    paused: bool = False
    first_final_at: datetime | None = None
    first_final_answer: int | None = None  # the reply that counts (its answer id)
    on_time: bool | None = None
    waived: bool = False
    judgements: dict[int, str] = field(default_factory=dict)  # answer id -> latest

    def judged(self) -> dict[str, int]:
        counts = dict.fromkeys(JUDGEMENTS, 0)
        for judgement in self.judgements.values():
            counts[judgement] += 1
        return counts


@dataclass
class _Case:
    doc_number: str
    adopted_on: date | None = None
    committee: str = ""
    state: str | None = None
    required: dict[str, bool] = field(default_factory=dict)
    pairs: dict[str, _Pair] = field(default_factory=dict)


@dataclass(frozen=True)
class OldestPending:
    doc_number: str
    since: date
    days: int


@dataclass(frozen=True)
class Score:
    addressee: str
    received: int
    answered: int
    answered_on_time: int
    waived: int
    median_days: float | None
    p90_days: int | None
    pending_now: int
    overdue_now: int
    oldest_pending: OldestPending | None
    judged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(JUDGEMENTS, 0))

    def as_dict(self) -> dict:
        oldest = self.oldest_pending
        return {
            "addressee": self.addressee,
            "received": self.received,
            "answered": self.answered,
            "answered_on_time": self.answered_on_time,
            "waived": self.waived,
            "median_days": self.median_days,
            "p90_days": self.p90_days,
            "pending_now": self.pending_now,
            "overdue_now": self.overdue_now,
            "oldest_pending": None if oldest is None else {
                "doc_number": oldest.doc_number, "since": oldest.since.isoformat(),
                "days": oldest.days},
            "judged": {j: self.judged.get(j, 0) for j in JUDGEMENTS},
        }


def percentile_nearest_rank(values: list[int], pct: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(pct / 100 * len(ordered)), 1) - 1]


def replay_cases(events: Iterable[Event]) -> dict[str, _Case]:
    cases: dict[str, _Case] = {}
    for ev in sorted(events, key=lambda e: (e.effective_at, e.seq)):
        if not ev.doc_number:
            continue
        case = cases.setdefault(ev.doc_number, _Case(ev.doc_number))
        data = ev.data
        if ev.entity == "recommendation":
            if ev.action == "register":
                case.adopted_on = date.fromisoformat(data["adopted_on"])
                case.committee = data.get("committee", "")
                case.required = {a["code"]: bool(a.get("required", True))
                                 for a in data.get("addressees", [])}
            elif ev.action == "edit" and "committee" in data.get("changes", {}):
                case.committee = data["changes"]["committee"]["new"]
            if ev.action == "transmit":
                sent = date.fromisoformat(data["transmitted_on"])
                for code, due in data.get("due_at", {}).items():
                    case.pairs[code] = _Pair(ev.doc_number, code, transmitted_on=sent,
                                             due_at=_parse_dt(due), request_since=sent,
                                             due_set_at=ev.effective_at,
                                             required=case.required.get(code, True))
            if ev.to_state:
                case.state = ev.to_state
            continue
        pair = case.pairs.get(ev.addressee_code or "")
        if pair is None:
            continue
        if ev.entity == "deadline":
            if ev.action == "stop_clock":
                pair.paused = True
            if ev.action == "resume_clock":
                pair.paused = False
            if ev.action in DUE_CHANGES and ev.addressee_code in data.get("due_at", {}):
                pair.due_at = _parse_dt(data["due_at"][ev.addressee_code])
                pair.due_set_at = ev.effective_at
        elif ev.entity == "assessment" and ev.action == ASSESS:
            pair.judgements[data["answer_id"]] = data["judgement"]
        elif ev.entity == "answer":
            if ev.action == "ask_again":
                pair.due_at = _parse_dt(data.get("due_at", {}).get(pair.code))
                pair.due_set_at = ev.effective_at
                pair.request_since = _local_date(ev.effective_at)
                pair.paused = False
            if ev.action in FINAL_REPLY and pair.first_final_at is None and not pair.waived:
                pair.first_final_at = ev.effective_at
                pair.first_final_answer = data.get("answer_id")
                pair.on_time = pair.due_at is not None and ev.effective_at <= pair.due_at
            if ev.action == WITHDRAWN_REPLY:
                if pair.first_final_at is not None and \
                        data.get("answer_id") == pair.first_final_answer:
                    pair.first_final_at = pair.first_final_answer = pair.on_time = None
                case.state = data.get("case_state", case.state)
            if ev.action == "waive" and pair.first_final_at is None:
                pair.waived = True
            if ev.to_state:
                pair.state = ev.to_state
    return cases


def compute(events: Iterable[Event], now: datetime, *, year: int | None = None,
            committee: str | None = None) -> list[Score]:
    """One :class:`Score` per addressee that received a recommendation, by code."""
    cases = replay_cases(events)
    by_code: dict[str, list[tuple[_Case, _Pair]]] = {}
    for case in cases.values():
        if year and (case.adopted_on is None or case.adopted_on.year != year):
            continue
        if committee and case.committee != committee:
            continue
        for pair in case.pairs.values():
            by_code.setdefault(pair.code, []).append((case, pair))
    today = _local_date(now)
    cutoffs = status_cutoffs(now)
    scores = []
    for code in sorted(by_code):
        pairs = by_code[code]
        answered = [p for _, p in pairs if p.first_final_at is not None]
        days = [(_local_date(p.first_final_at) - p.transmitted_on).days for p in answered]
        pending = [p for c, p in pairs if answer_awaited(p.state, c.state or "")]
        overdue = [p for p in pending
                   if p.required and classify(p.due_at, cutoffs, paused=p.paused) in LATE]
        oldest = min(pending, key=lambda p: (p.request_since, p.doc_number), default=None)
        judged = dict.fromkeys(JUDGEMENTS, 0)
        for _, p in pairs:
            for judgement, n in p.judged().items():
                judged[judgement] += n
        scores.append(Score(
            addressee=code,
            received=len(pairs),
            answered=len(answered),
            answered_on_time=sum(1 for p in answered if p.on_time),
            waived=sum(1 for _, p in pairs if p.waived),
            median_days=float(statistics.median(days)) if days else None,
            p90_days=percentile_nearest_rank(days, 90),
            pending_now=len(pending),
            overdue_now=len(overdue),
            oldest_pending=None if oldest is None else OldestPending(
                oldest.doc_number, oldest.request_since, (today - oldest.request_since).days),
            judged=judged,
        ))
    return scores
