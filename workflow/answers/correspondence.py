"""The correspondence with one addressee about one recommendation, as one thread: the
transmission, follow-up questions, interim replies, requests for more time and their
decisions, clock stops, the final answer or the refusal, the committee's assessment of
a reply (its judgement and note), waivers, a reply withdrawn because it was recorded by
mistake (the reply stays in the thread, marked withdrawn); newest last.

Built from the case's history (what was asked and decided, with its reason) and the
submitted replies (their texts and attachments), so the ministry and the secretariat
read the same thread. Words are the web layer's: each letter has a ``kind`` name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.answers.models import Answer
from workflow.cases.models import CaseAddressee
from workflow.history.models import Event

# history action -> kind of letter in the thread (actions not listed are not letters)
KINDS = {
    "transmit": "transmitted",
    "ask_again": "follow_up_question",
    "submit_interim": "interim_reply",
    "submit_answer": "final_answer",
    "decline": "declined",
    "waive": "waived",
    "request_extension": "more_time_requested",
    "grant_extension": "more_time_granted",
    "refuse_extension": "more_time_refused",
    "stop_clock": "clock_stopped",
    "resume_clock": "clock_resumed",
    "withdraw_reply": "reply_withdrawn",
    "assess_answer": "answer_assessed",
}


@dataclass(frozen=True)
class Letter:
    kind: str
    at: datetime          # when it took effect (a paper letter: the day it was received)
    actor_org: str
    text: str             # the question, the reason, or the reply's text
    answer: Answer | None  # a reply: its position, letter date and attachments
    due_at: datetime | None = None  # a new due moment it set, if any
    judgement: str | None = None    # an assessment: the committee's judgement of the reply


def threads(session: Session, entries: list[CaseAddressee],
            locale: str = "nl") -> dict[str, list[Letter]]:
    """The thread of each of ``entries`` (of one recommendation), oldest letter first:
    one query for the case's events, whatever the number of addressees."""
    if not entries:
        return {}
    rec_id = entries[0].recommendation_id
    events = session.scalars(
        select(Event).where(Event.recommendation_id == rec_id,
                            Event.action.in_(tuple(KINDS)))
        .order_by(Event.effective_at, Event.seq)).all()
    out: dict[str, list[Letter]] = {}
    for entry in entries:
        answers = {a.id: a for a in entry.answers if a.status == "submitted"}
        letters = out.setdefault(entry.addressee_code, [])
        for ev in events:
            if ev.addressee_code not in (entry.addressee_code, None) or (
                    ev.addressee_code is None and ev.action != "transmit"):
                continue
            letters.append(_letter(ev, entry.addressee_code, answers, locale))
    return out


def thread(session: Session, entry: CaseAddressee, locale: str = "nl") -> list[Letter]:
    return threads(session, [entry], locale)[entry.addressee_code]


def _letter(ev: Event, code: str, answers: dict[int, Answer], locale: str) -> Letter:
    data = ev.data
    # A withdrawal's letter is its reason, an assessment's its note and judgement; the reply
    # either is about keeps its own letter.
    answer = None if ev.action in ("withdraw_reply", "assess_answer") else \
        answers.get(data.get("answer_id"))
    text = ev.reason or ""
    if answer is not None:
        first, second = (answer.text_fr, answer.text_nl) if locale == "fr" else (
            answer.text_nl, answer.text_fr)
        text = first or second or text
    dues = data.get("due_at")
    due = dues.get(code) if isinstance(dues, dict) else None
    return Letter(KINDS[ev.action], ev.effective_at, ev.actor_org, text, answer,
                  datetime.fromisoformat(due.replace("Z", "+00:00")) if due else None,
                  data.get("judgement") if ev.action == "assess_answer" else None)
