"""iCalendar (the ``icalendar`` package) and Atom (``feedgen``) documents.

feedgen writes well-formed Atom 1.0 (ids, updated, links, escaping) so we do not
hand-assemble XML; icalendar folds lines and escapes text as RFC 5545 wants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event

from workflow import operations as ops
from workflow.lifecycle import ANSWER, RECOMMENDATION
from workflow.models import Addressee, CaseAddressee
from workflow.models import Event as HistoryEvent

FEED_SIZE = 100
PRODID = "-//Benelux Parliament//recommendation follow-up//EN"


def due_calendar(addressee: Addressee, entries: Iterable[CaseAddressee], now: datetime,
                 link: Callable[[str], str]) -> bytes:
    """One event per due date of the addressee on a published recommendation, at the
    due time (17:00 Brussels). Answered ones stay, marked as such, so the calendar
    keeps its history."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Due answers: {addressee.name_en}")
    cal.add("x-wr-timezone", "Europe/Brussels")
    for entry in entries:
        rec = entry.recommendation
        status = ops.deadline_status(entry, now).status
        state = ANSWER.state(entry.state).label
        event = Event()
        event.add("uid", f"{rec.doc_number.replace('/', '-')}-{entry.addressee_code}"
                         "@benelux-followup")
        event.add("dtstamp", now)
        event.add("dtstart", entry.due_at)
        event.add("dtend", entry.due_at)
        event.add("summary", f"Answer due: recommendation {rec.doc_number} "
                             f"({state})")
        event.add("description", f"{rec.title_nl or rec.title_fr}\n{rec.title_fr}\n"
                                 f"Answer of {addressee.name_en}: {state}; "
                                 f"deadline {status.replace('_', ' ')}.")
        event.add("url", link(rec.doc_number))
        event.add("status", "CONFIRMED" if entry.is_awaited else "CANCELLED")
        event.add("x-followup-deadline-status", status)
        cal.add_component(event)
    return cal.to_ical()


def _describe(ev: HistoryEvent) -> str:
    if ev.entity == "answer" and ev.addressee_code:
        return f"answer of {ev.addressee_code}: {ANSWER.state(ev.to_state).label}"
    return f"now {RECOMMENDATION.state(ev.to_state).label}"


def atom(events: Iterable[HistoryEvent], published_answers: set[int], base: str,
         link: Callable[[str], str], self_url: str) -> bytes:
    """Public state changes, newest first. Unpublished answers show as a state change
    only (no position, no text)."""
    fg = FeedGenerator()
    fg.id(f"{base}/public/feed.atom")
    fg.title("Benelux Parliament recommendations: state changes")
    fg.author({"name": "Benelux Parliament secretariat"})
    fg.link(href=self_url, rel="self")
    fg.link(href=f"{base}/public/", rel="alternate")
    fg.language("en")
    events = list(events)
    fg.updated(events[0].recorded_at if events else datetime(2000, 1, 1, tzinfo=UTC))
    for ev in reversed(events):  # feedgen puts the entry added last first
        entry = fg.add_entry()
        entry.id(f"urn:sha256:{ev.hash}")
        entry.title(f"{ev.doc_number}: {_describe(ev)}")
        entry.link(href=link(ev.doc_number))
        entry.updated(ev.recorded_at)
        entry.published(ev.effective_at)
        summary = f"{ev.doc_number}: {_describe(ev)} on {ops.brussels_date(ev.effective_at)}"
        data = ev.data
        if ev.entity == "recommendation" and data.get("closure_reason"):
            summary += f" (closure reason: {data['closure_reason'].replace('_', ' ')})"
        if ev.entity == "answer" and data.get("answer_id") in published_answers and \
                data.get("position"):
            summary += f" (position: {data['position'].replace('_', ' ')})"
        entry.summary(summary)
    return fg.atom_str(pretty=True)
