"""iCalendar (the ``icalendar`` package) and Atom (``feedgen``) documents.

feedgen writes well-formed Atom 1.0 (ids, updated, links, escaping) so we do not
hand-assemble XML; icalendar folds lines and escapes text as RFC 5545 wants.
Titles and texts are in the request's language (see the routes: ``?lang=``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask_babel import get_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

from workflow import clock
from workflow.cases import due_dates
from workflow.models import Addressee, CaseAddressee
from workflow.models import Event as HistoryEvent

from ..labels import FILTERS, answer_state_label, fmt_date, state_label

FEED_SIZE = 100
PRODID = "-//Benelux Parliament//recommendation follow-up//EN"


def due_calendar(addressee: Addressee, entries: Iterable[CaseAddressee], now: datetime,
                 link: Callable[[str], str]) -> bytes:
    """One event per due date of the addressee on a published recommendation, at the
    due time (17:00 Brussels). Answered ones stay, marked as such, so the calendar
    keeps its history."""
    locale = str(get_locale())
    name = addressee.name(locale)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Due answers: %(name)s", name=name))
    cal.add("x-wr-timezone", "Europe/Brussels")
    for entry in entries:
        rec = entry.recommendation
        status = due_dates.deadline_status(entry, now).status
        state = answer_state_label(entry.state)
        event = Event()
        event.add("uid", f"{rec.doc_number.replace('/', '-')}-{entry.addressee_code}"
                         "@benelux-followup")
        event.add("dtstamp", now)
        event.add("dtstart", entry.due_at)
        event.add("dtend", entry.due_at)
        event.add("summary", _("Answer due: recommendation %(number)s (%(state)s)",
                               number=rec.doc_number, state=state))
        event.add("description", f"{rec.title_nl or rec.title_fr}\n{rec.title_fr}\n"
                                 + _("Answer of %(name)s: %(state)s; deadline %(status)s.",
                                     name=name, state=state,
                                     status=FILTERS["deadline_label"](status)))
        event.add("url", link(rec.doc_number))
        event.add("status", "CONFIRMED" if entry.is_awaited else "CANCELLED")
        event.add("x-followup-deadline-status", status)
        cal.add_component(event)
    return cal.to_ical()


def _describe(ev: HistoryEvent) -> str:
    if ev.entity == "answer" and ev.addressee_code:
        return _("answer of %(code)s: %(state)s", code=ev.addressee_code,
                 state=answer_state_label(ev.to_state))
    return _("now %(state)s", state=state_label(ev.to_state))


def atom(events: Iterable[HistoryEvent], published_answers: set[int], base: str,
         link: Callable[[str], str], self_url: str) -> bytes:
    """Public state changes, newest first. Unpublished answers show as a state change
    only (no position, no text)."""
    fg = FeedGenerator()
    fg.id(f"{base}/public/feed.atom")
    fg.title(_("Benelux Parliament recommendations: state changes"))
    fg.author({"name": _("Benelux Parliament secretariat")})
    fg.link(href=self_url, rel="self")
    fg.link(href=f"{base}/public/", rel="alternate")
    fg.language(str(get_locale()))
    events = list(events)
    fg.updated(events[0].recorded_at if events else datetime(2000, 1, 1, tzinfo=UTC))
    for ev in reversed(events):  # feedgen puts the entry added last first
        entry = fg.add_entry()
        entry.id(f"urn:sha256:{ev.hash}")
        entry.title(f"{ev.doc_number}: {_describe(ev)}")
        entry.link(href=link(ev.doc_number))
        entry.updated(ev.recorded_at)
        entry.published(ev.effective_at)
        summary = _("%(number)s: %(change)s on %(date)s", number=ev.doc_number,
                    change=_describe(ev), date=fmt_date(clock.brussels_date(ev.effective_at)))
        data = ev.data
        if ev.entity == "recommendation" and data.get("closure_reason"):
            summary += " " + _("(closure reason: %(reason)s)",
                               reason=FILTERS["closure_label"](data["closure_reason"]))
        if ev.entity == "answer" and data.get("answer_id") in published_answers and \
                data.get("position"):
            summary += " " + _("(position: %(position)s)",
                               position=FILTERS["position_label"](data["position"]))
        entry.summary(summary)
    return fg.atom_str(pretty=True)
