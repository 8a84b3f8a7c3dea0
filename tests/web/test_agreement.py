"""Every surface gives the domain's overdue / due-soon answer.

A generated table of cases covers required
and optional addressees, extensions, stopped clocks (running and resumed), interim and
final replies, refusals, waivers, closed, reopened and followed-up cases. At several
frozen moments, the case page, the case list and its filters, the API (list and
detail), each ministry's inbox, the secretariat's dashboard, the public case page, the
public scoreboard and the iCalendar feed must give, for every addressee, the status
``operations.deadline_status`` gives. Surfaces are read through stable markers
(``data-*`` attributes, JSON fields, an iCalendar property), never through words.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.web.conftest import MINISTRIES, login, text
from workflow import clock
from workflow import errors as werr
from workflow.accounts import tokens
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import due_dates, registration, transitions
from workflow.deadlines import LATE
from workflow.models import CaseAddressee, Recommendation, User

PREFIX = "990/"
CODES = ("NL", "BE-FED", "LU", "DE-NW")
SEC = Actor("secretariaat", "secretariat", "BNL-PARL")
ADOPTED = date(2024, 12, 16)
SENT = date(2025, 1, 6)  # a Monday; "6 months" falls due on Monday 7 July 2025
WORK_AT = datetime(2025, 3, 20, 10, 0, tzinfo=UTC)
MOMENTS = {
    "before due": datetime(2025, 4, 1, 10, 0, tzinfo=UTC),
    "within the reminder window": datetime(2025, 7, 4, 10, 0, tzinfo=UTC),
    "just after due": datetime(2025, 7, 7, 15, 30, tzinfo=UTC),
    "very overdue": datetime(2025, 12, 1, 10, 0, tzinfo=UTC),
}
ENTRY_ACTIONS = ("none", "extend", "stop", "stop_resume", "interim", "answer", "decline",
                 "waive")


@dataclass
class Plan:
    doc: str
    entries: dict[str, tuple[bool, str]]  # code -> (required, action)
    case_action: str
    published: bool
    applied: list[str] = field(default_factory=list)


def generate() -> list[Plan]:
    """The table: every addressee action on a required and on an optional addressee of
    an open case, then closed, reopened and followed-up cases, published or not."""
    plans = []

    def add(entries, case_action="none", published=True):
        if any(action == "waive" for _, action in entries.values()):
            entries["CM"] = (False, "answer")  # the collective answer a waiver rests on
        plans.append(Plan(f"{PREFIX}{len(plans) + 1}", entries, case_action, published))

    n = len(ENTRY_ACTIONS)
    for i, action in enumerate(ENTRY_ACTIONS):
        x, y, z = CODES[i % 4], CODES[(i + 1) % 4], CODES[(i + 2) % 4]
        # z, required and silent, keeps the case open whatever x and y do
        add({x: (True, action), y: (False, ENTRY_ACTIONS[(i + 3) % n]), z: (True, "none")})
    for i, (case_action, published) in enumerate((("close", True), ("close_reopen", True),
                                                  ("follow_up", True), ("follow_up", False),
                                                  ("close", False))):
        x, y, z = CODES[i % 4], CODES[(i + 1) % 4], CODES[(i + 3) % 4]
        add({x: (True, "answer"), y: (True, ("stop", "extend")[i % 2]), z: (False, "interim")},
            case_action, published)
    add({"NL": (True, "stop"), "LU": (True, "extend")}, published=False)
    add({"NL": (True, "answer"), "LU": (False, "stop")})  # answered: nothing awaited
    return plans


def _reply(session, entry, kind):
    replies.submit_reply(session, SEC, entry, kind=kind, received_on=WORK_AT.date(),
                         position="agrees" if kind == "final" else None,
                         text_nl="Antwoord.", reason="Geen bevoegdheid." if kind == "declined"
                         else "", now=WORK_AT)


def build(session, plan: Plan) -> None:
    """Apply ``plan`` through the operations. A step the lifecycle refuses (e.g. a reply
    after the case stopped accepting answers) is skipped: the domain's answer comes from
    the resulting state either way."""
    rec = registration.register_recommendation(
        session, SEC, doc_number=plan.doc, adopted_on=ADOPTED,
        addressees={c: r for c, (r, _) in plan.entries.items()},
        title_nl=f"Aanbeveling {plan.doc}", deadline_rule="6 months", now=WORK_AT)
    transitions.transmit(session, SEC, rec, transmitted_on=SENT, now=WORK_AT)

    def step(name, fn, *args, **kwargs):
        try:
            fn(*args, **kwargs)
            plan.applied.append(name)
        except werr.WorkflowError:
            pass

    order = sorted(plan.entries.items(), key=lambda item: item[0] != "CM")
    for code, (_req, action) in order:
        entry = rec.entry(code)
        if action == "extend":
            step("extend", due_dates.grant_extension, session, SEC, entry, reason="Verkiezingen",
                 days=20, now=WORK_AT)
        elif action in ("stop", "stop_resume"):
            step("stop", due_dates.stop_clock, session, SEC, entry, start=date(2025, 3, 3),
                 reason="Advies van het Comité", now=WORK_AT)
            if action == "stop_resume":
                step("resume", due_dates.resume_clock, session, SEC, entry, end=date(2025, 3, 17),
                     now=WORK_AT)
    for code, (_req, action) in order:
        entry = rec.entry(code)
        if action in ("interim", "answer", "decline"):
            kind = {"interim": "interim", "answer": "final", "decline": "declined"}[action]
            step(action, _reply, session, entry, kind)
        elif action == "waive":
            step("waive", replies.waive, session, SEC, entry, reason="Gezamenlijk antwoord",
                 now=WORK_AT)
    if plan.case_action in ("close", "close_reopen", "follow_up"):
        step("close", transitions.close, session, SEC, rec, closure_reason="lapsed", now=WORK_AT)
    if plan.case_action in ("close_reopen", "follow_up"):
        step("reopen", transitions.reopen, session, SEC, rec, reason="Nieuwe feiten", now=WORK_AT)
    if plan.case_action == "follow_up":
        again = [e.addressee_code for e in rec.addressees if transitions.may_ask_again(e)]
        if again:
            step("follow_up", transitions.request_follow_up, session, SEC, rec,
                 reason="Welke maatregelen?", addressees=again, now=WORK_AT)
    if plan.published:
        registration.set_published(session, SEC, rec, True, now=WORK_AT)
    session.flush()


# ---------------------------------------------------------------------------
# Reading the surfaces through their markers


def rows(html: str, table_id: str, key: str = "data-doc") -> dict[str, dict[str, str]]:
    """The ``data-*`` attributes of each row of a table, by the row's ``key`` attribute."""
    body = re.search(rf'<table[^>]*\bid="{table_id}"[^>]*>(.*?)</table>', html, re.S)
    if body is None:
        return {}
    out = {}
    for tag in re.findall(r"<tr\b([^>]*)>", body.group(1)):
        attrs = dict(re.findall(r'(data-[\w-]+)="([^"]*)"', tag))
        if key in attrs:
            out[attrs[key]] = attrs
    return out


def listed(html: str) -> set[str]:
    return {doc for doc in rows(html, "cases") if doc.startswith(PREFIX)}


def api_docs(client, headers, **params) -> dict[str, bool]:
    response = client.get("/api/v1/recommendations", headers=headers,
                          query_string={"q": PREFIX, "per_page": 100, **params})
    assert response.status_code == 200, response.json
    return {item["doc_number"]: item["is_overdue"] for item in response.json["items"]}


def ical_statuses(client, code: str) -> dict[str, str]:
    response = client.get(f"/public/calendar/{code}.ics")
    assert response.status_code == 200
    out = {}
    for event in Calendar.from_ical(response.data).walk("VEVENT"):
        uid = str(event["uid"])
        out[uid.split("@")[0]] = str(event["x-followup-deadline-status"])
    return out


def uid_of(doc: str, code: str) -> str:
    return f"{doc.replace('/', '-')}-{code}"


# ---------------------------------------------------------------------------


@pytest.fixture
def world(app):
    """The generated cases in the app's database, logged-in web clients and API
    headers for the secretariat and each ministry."""
    from web.extensions import db

    plans = generate()
    with app.app_context():
        for plan in plans:
            build(db.session, plan)
        headers = {}
        for username in ("secretariaat", *MINISTRIES.values()):
            user = db.session.scalar(select(User).where(User.username == username))
            secret = tokens.create_token(db.session, user, "agreement").secret
            headers[username] = {"Authorization": f"Bearer {secret}"}
        db.session.commit()
        ids = {rec.doc_number: rec.id for rec in db.session.scalars(
            select(Recommendation).where(Recommendation.doc_number.startswith(PREFIX)))}
    clients = {}
    for username in ("secretariaat", *MINISTRIES.values()):
        clients[username] = app.test_client()
        login(clients[username], username)
    return {"plans": plans, "ids": ids, "headers": headers, "clients": clients,
            "public": app.test_client()}


def domain_answers(app, now: datetime):
    """(doc, code) -> (status name, is awaited, is published) from the domain, for every
    entry in the database."""
    from web.extensions import db

    with app.app_context():
        db.session.expire_all()
        out = {}
        for entry in db.session.scalars(select(CaseAddressee)):
            rec = entry.recommendation
            out[(rec.doc_number, entry.addressee_code)] = (
                due_dates.deadline_status(entry, now).status, entry.is_awaited, rec.is_published)
        return out


def test_the_generated_table_covers_every_situation(app, world):
    """Guards the agreement test against a table that no longer tests much."""
    plans = world["plans"]
    applied = Counter(step for plan in plans for step in plan.applied)
    for step in ("extend", "stop", "resume", "interim", "answer", "decline", "waive",
                 "close", "reopen", "follow_up"):
        assert applied[step] > 0, f"no generated case has a successful {step!r}"
    assert any(not req for plan in plans for req, _ in plan.entries.values())
    assert any(not plan.published for plan in plans)
    seen = Counter()
    for now in MOMENTS.values():
        for (doc, _code), (status, _aw, _pub) in domain_answers(app, now).items():
            if doc.startswith(PREFIX):
                seen[status] += 1
    for status in ("no_deadline", "paused", "on_time", "reminder", "overdue", "very_overdue"):
        assert seen[status] > 0, f"no generated entry is {status} at any moment"


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_every_surface_gives_the_domains_deadline_status(app, world, moment):
    now = MOMENTS[moment]
    expected = domain_answers(app, now)
    ours = {key: value for key, value in expected.items() if key[0].startswith(PREFIX)}
    docs = sorted({doc for doc, _ in ours})
    sec, sec_api = world["clients"]["secretariaat"], world["headers"]["secretariaat"]
    public = world["public"]

    def late(doc, code):
        return ours[(doc, code)][0] in LATE

    with clock.frozen(now):
        # The case page (secretariat: every addressee) and the API detail.
        for doc in docs:
            codes = {code for d, code in ours if d == doc}
            page = rows(text(sec.get(f"/cases/{world['ids'][doc]}")), "addressees",
                        "data-addressee")
            assert {c: r["data-deadline-status"] for c, r in page.items()} == \
                {c: ours[(doc, c)][0] for c in codes}, (moment, doc, "case page")
            detail = sec.get(f"/api/v1/recommendations/{doc}", headers=sec_api).json
            assert {a["code"]: a["deadline_status"] for a in detail["addressees"]} == \
                {c: ours[(doc, c)][0] for c in codes}, (moment, doc, "API detail")
            assert {a["code"] for a in detail["addressees"] if a["is_overdue"]} == \
                {c for c in codes if late(doc, c)}, (moment, doc, "API is_overdue")
            assert detail["is_overdue"] == any(late(doc, c) for c in codes)

        # The case list: ?overdue=1, the overdue count per case, and the addressee filter.
        late_docs = {doc for doc, code in ours if late(doc, code)}
        page = text(sec.get("/cases/", query_string={"q": PREFIX, "overdue": "1"}))
        assert listed(page) == late_docs, (moment, "?overdue=1")
        everything = rows(text(sec.get("/cases/", query_string={"q": PREFIX})), "cases")
        assert {doc: int(r["data-overdue"]) for doc, r in everything.items()} == \
            {doc: sum(1 for d, c in ours if d == doc and late(d, c)) for doc in docs}
        assert {doc for doc, is_late in api_docs(sec, sec_api, overdue="true").items()} == \
            late_docs, (moment, "API ?overdue=true")
        assert {doc for doc, is_late in api_docs(sec, sec_api).items() if is_late} == \
            late_docs, (moment, "API is_overdue in the list")
        for code in CODES:
            theirs = {doc for doc, c in ours if c == code and late(doc, c)}
            page = text(sec.get("/cases/", query_string={"q": PREFIX, "addressee": code,
                                                         "overdue": "1"}))
            assert listed(page) == theirs, (moment, code, "?addressee=&overdue=1")
            assert set(api_docs(sec, sec_api, addressee=code, overdue="true")) == theirs

        # The dashboard: overdue answers, and those due soon.
        dashboard = text(sec.get("/secretariat/"))
        for table, statuses in (("overdue", LATE), ("due-soon", ("reminder",))):
            shown = {(r["data-doc"], r["data-addressee"]): r["data-deadline-status"]
                     for r in _all_rows(dashboard, table) if r["data-doc"].startswith(PREFIX)}
            assert shown == {key: value[0] for key, value in ours.items()
                             if value[0] in statuses}, (moment, table)

        # Each ministry: its inbox, its case list and its view through the API.
        for code, username in MINISTRIES.items():
            client, headers = world["clients"][username], world["headers"][username]
            mine = {doc: value for (doc, c), value in ours.items() if c == code}
            inbox = {doc: r["data-deadline-status"]
                     for doc, r in rows(text(client.get("/ministry/")), "inbox").items()
                     if doc.startswith(PREFIX)}
            assert inbox == {doc: status for doc, (status, awaited, _) in mine.items()
                             if awaited}, (moment, code, "inbox")
            own_late = {doc for doc, (status, _, _) in mine.items() if status in LATE}
            page = text(client.get("/cases/", query_string={"q": PREFIX, "overdue": "1"}))
            assert listed(page) == own_late, (moment, code, "ministry ?overdue=1")
            assert set(api_docs(client, headers, overdue="true")) == own_late
            for doc, (status, _, _) in mine.items():
                page = rows(text(client.get(f"/cases/{world['ids'][doc]}")), "addressees",
                            "data-addressee")
                assert {c: r["data-deadline-status"] for c, r in page.items()} == \
                    {code: status}, (moment, code, doc, "ministry case page")
                detail = client.get(f"/api/v1/recommendations/{doc}", headers=headers).json
                assert [(a["code"], a["deadline_status"]) for a in detail["addressees"]] == \
                    [(code, status)], (moment, code, doc, "ministry API detail")

        # The public side: case pages, scoreboard (from the events) and iCalendar feeds.
        for doc in docs:
            if not ours[next(k for k in ours if k[0] == doc)][2]:
                assert public.get(f"/public/recommendations/{doc}").status_code == 404
                continue
            page = rows(text(public.get(f"/public/recommendations/{doc}")),
                        "public-addressees", "data-addressee")
            assert {c: r["data-deadline-status"] for c, r in page.items()} == \
                {c: ours[(doc, c)][0] for d, c in ours if d == doc}, (moment, doc, "public")
        board = text(public.get("/public/scoreboard"))
        overdue_now = {c: int(re.search(r'data-col="overdue_now" data-value="(\d+)"',
                                        _row_html(board, c)).group(1))
                       for c in rows(board, "scoreboard", "data-addressee")}
        published_late = Counter(code for (doc, code), (status, _, pub) in expected.items()
                                 if pub and status in LATE)
        assert {c: n for c, n in overdue_now.items() if n} == dict(published_late), \
            (moment, "scoreboard overdue now")
        board_json = {s["addressee"]: s for s in
                      public.get("/public/scoreboard.json").json["addressees"]}
        assert {c: s["overdue_now"] for c, s in board_json.items() if s["overdue_now"]} == \
            dict(published_late), (moment, "scoreboard.json")
        assert {c: s["pending_now"] for c, s in board_json.items() if s["pending_now"]} == \
            dict(Counter(code for (doc, code), (_, awaited, pub) in expected.items()
                         if pub and awaited)), (moment, "scoreboard pending now")
        for code in CODES:
            feed = ical_statuses(public, code)
            assert {uid: s for uid, s in feed.items() if uid.startswith("990-")} == \
                {uid_of(doc, c): status for (doc, c), (status, _, pub) in ours.items()
                 if c == code and pub}, (moment, code, "iCalendar")


def _all_rows(html: str, table_id: str) -> list[dict[str, str]]:
    body = re.search(rf'<table[^>]*\bid="{table_id}"[^>]*>(.*?)</table>', html, re.S)
    if body is None:
        return []
    return [dict(re.findall(r'(data-[\w-]+)="([^"]*)"', tag))
            for tag in re.findall(r"<tr\b([^>]*data-doc[^>]*)>", body.group(1))]


def _row_html(html: str, code: str) -> str:
    match = re.search(rf'<tr data-addressee="{re.escape(code)}">(.*?)</tr>', html, re.S)
    assert match, code
    return match.group(1)
