"""A page costs what it shows: the number of SQL statements a page sends is the same with
a few cases and with ten times more, and no page shows more rows than its page size.

The data are built through the workflow's operations: cases with several addressees,
overdue and due-soon answers, replies, requests for more time, clock stops, answered
cases waiting for an assessment, and one case whose history grows long."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tests.web.conftest import login, text
from web import paging
from web.extensions import db
from workflow import clock
from workflow.accounts import tokens
from workflow.actors import Actor
from workflow.answers import assessment, replies
from workflow.answers.models import JUDGEMENTS
from workflow.cases import due_dates, registration, scope, transitions
from workflow.comments import operations as comments
from workflow.models import User
from workflow.questions import operations as questions

SEC = Actor("secretariaat", "secretariat", "BNL-PARL")
NL = Actor("minbuza", "ministry", "NL")
BE = Actor("spf-affaires-etrangeres", "ministry", "BE-FED")
LONG_CASE = "950/1"


def _add_cases(first: int, n: int) -> None:
    """``n`` more cases, numbered from ``first``, in a mix of situations."""
    s = db.session
    today = clock.brussels_date(clock.utcnow())
    for i in range(first, first + n):
        answered = i % 5 == 0  # only NL is asked, and answers: the case waits to be assessed
        rec = registration.register_recommendation(
            s, SEC, doc_number=f"900/{i}", adopted_on=today - timedelta(days=300 + i),
            addressees={"NL": True} if answered else
            {"NL": True, "BE-FED": True, "LU": True, "DE-NW": True, "CM": False},
            title_nl=f"Schaal {i}", committee="Schaal", theme="Meting", session_label="Schaal",
            deadline_rule="3 months")
        registration.set_published(s, SEC, rec, True)
        # even cases are long overdue, odd ones due within the month
        sent = today - timedelta(days=200 if i % 2 == 0 else 80)
        transitions.transmit(s, SEC, rec, transmitted_on=sent)
        if answered or i % 6 == 0:
            answer = replies.submit_reply(s, NL, rec.entry("NL"), kind="final",
                                          position="agrees", text_nl=f"Antwoord {i}")
            # judged, some twice (the latest counts); the answer is published
            assessment.assess_answer(s, SEC, answer, judgement=JUDGEMENTS[i % 3], note="Nota")
            if i % 2:
                assessment.assess_answer(s, SEC, answer, judgement=JUDGEMENTS[(i + 1) % 3])
        # the governments' comments: on their scoreboard row and on the case
        comments.post_comment(s, NL if i % 2 else BE, text=f"Antwoord verzonden ({i})")
        comments.post_comment(s, NL, text=f"Over dit dossier ({i})", recommendation=rec)
        # a written question to NL for each case, on the case or on its own; some answered
        question = questions.ask_question(
            s, SEC, addressee_code="NL", asker=f"Lid {i}", subject=f"Vraag {i}",
            text="Wanneer?", asked_on=today - timedelta(days=100),
            recommendation=rec if i % 2 else None)
        if i % 3 == 0:
            questions.answer_question(s, NL, question, answer_text=f"Antwoord {i}")
        if answered:
            continue
        due_dates.request_extension(s, BE, rec.entry("BE-FED"), reason=f"Overleg {i}")
        if i % 4 == 1:
            due_dates.stop_clock(s, SEC, rec.entry("LU"), start=sent + timedelta(days=10),
                                 reason="Wacht op het Comité van Ministers")
    s.commit()


def _lengthen(case: str, events: int) -> None:
    """``events`` more events in one case's history (published, withdrawn, ...)."""
    s = db.session
    rec = scope.find_recommendation(s, case)
    for n in range(events):
        registration.set_published(s, SEC, rec, n % 2 == 1)
    s.commit()


def _setup(app) -> dict:
    with app.app_context():
        rec = registration.register_recommendation(
            db.session, SEC, doc_number=LONG_CASE, adopted_on=clock.brussels_date(
                clock.utcnow()) - timedelta(days=100), addressees=["NL", "BE-FED"],
            title_nl="Lang dossier")
        registration.set_published(db.session, SEC, rec, True)
        transitions.transmit(db.session, SEC, rec)
        user = db.session.scalar(select(User).where(User.username == SEC.username))
        token = tokens.create_token(db.session, user, "counts").secret
        question = questions.ask_question(
            db.session, SEC, addressee_code="BE-FED", asker="Lid", subject="Vraag",
            text="Wanneer?", asked_on=clock.brussels_date(clock.utcnow()), recommendation=rec)
        db.session.commit()
        _add_cases(1, 6)
        return {"long": rec.id, "token": token, "question": question.id}


PAGES = {
    # name: (user, url, row pattern, page size)
    "dashboard": ("secretariaat", "/secretariat/", r'<tr data-doc="', 4 * 50),
    "dashboard list": ("secretariaat", "/secretariat/lists/overdue", r'<tr data-doc="', 50),
    "requests list": ("secretariaat", "/secretariat/lists/requests", r'<li data-doc="', 50),
    "for the next plenary": ("secretariaat", "/secretariat/escalation", r'<tr data-doc="', 50),
    "case list": ("secretariaat", "/cases/?sort=doc", r'<tr data-doc="', 20),
    "overdue list": ("secretariaat", "/cases/?overdue=y&committee=Schaal", r'<tr data-doc="',
                     20),
    "inbox": ("minbuza", "/ministry/", r'<tr data-doc="', 50 + 10),
    "inbox filtered": ("minbuza", "/ministry/?status=very_overdue&q=e", r'<tr data-doc="',
                       50 + 10),
    "transmit a session": ("secretariaat", "/secretariat/transmit-session", None, None),
    "ministry's other cases": ("minbuza", "/ministry/others", r'<li data-doc="', 50),
    "audit index": ("auditor", "/audit/", r'<tr data-doc="', 50),
    "timeline": ("auditor", "/audit/cases/{long}/timeline", r'<tr id="event-', 100),
    "public index": (None, "/public/?committee=Schaal", r'<tr data-doc="', 50),
    "public search": (None, "/public/?q=schaal&addressee=BE-FED&committee=Schaal",
                      r'<tr data-doc="', 50),
    "public search by state": (None, "/public/?state=awaiting_answers&year=2026",
                               r'<tr data-doc="', 50),
    "public home": (None, "/", r'<li data-doc="', 5),
    "public recommendation": (None, "/public/recommendations/900/2", None, None),
    "public scoreboard": (None, "/public/scoreboard", None, None),
    "written questions": ("secretariaat", "/questions/?addressee=NL", r'<tr data-question="',
                          50),
    "ministry's questions": ("minbuza", "/questions/", r'<tr data-question="', 50),
    "written question": ("secretariaat", "/questions/{question}", None, None),
    "case page": ("secretariaat", "/cases/{long}", None, None),
    "scoreboard method": (None, "/public/scoreboard/method", None, None),
    "comments": ("secretariaat", "/comments/", r'<li id="comment-', 50),
    "ministry's comments": ("minbuza", "/comments/", r'<li id="comment-', 50),
    # a preview lists all it would publish (a session's answers), in the same statements
    "publish a session's answers": ("secretariaat", "/secretariat/publish-answers?session=Schaal",
                                    r'<tr data-answer="', None),
    "publish a case's answers": ("secretariaat", "/secretariat/cases/{long}/publish-answers",
                                 None, None),
    "API list": ("api", "/api/v1/recommendations?per_page=10&page=2", None, 10),
}


def _measure(app, clients: dict, ids: dict) -> dict[str, tuple[int, int]]:
    """(SQL statements, rows shown) of each page."""
    statements = []

    def count(*_args):
        statements.append(1)

    out = {}
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for name, (user, url, pattern, _size) in PAGES.items():
            client = clients[user]
            headers = {"Authorization": f"Bearer {ids['token']}"} if user == "api" else {}
            statements.clear()
            response = client.get(url.format(**ids), headers=headers)
            assert response.status_code == 200, (name, response.status_code)
            if user == "api":
                rows = len(response.json["items"])
            else:
                rows = len(re.findall(pattern, text(response))) if pattern else 0
            out[name] = (len(statements), rows)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return out


def test_each_page_costs_the_same_at_ten_times_the_data(app):
    ids = _setup(app)
    clients = {}
    for user in ("secretariaat", "minbuza", "auditor", None, "api"):
        clients[user] = app.test_client()
        if user not in (None, "api"):
            login(clients[user], user)
    _measure(app, clients, ids)  # once first: a token's first use records it (one UPDATE)
    small = _measure(app, clients, ids)
    with app.app_context():
        _add_cases(7, 90)
        _lengthen(LONG_CASE, 110)
    big = _measure(app, clients, ids)

    assert {name: n for name, (n, _rows) in big.items()} == \
        {name: n for name, (n, _rows) in small.items()}
    for name, (_user, _url, _pattern, size) in PAGES.items():
        if size is not None:
            assert big[name][1] <= size, (name, big[name])
    # the lists are long enough to be cut: each shows a full page
    for name in ("dashboard list", "requests list", "for the next plenary", "case list",
                 "overdue list", "audit index", "timeline", "public index", "public search",
                 "public home", "API list",
                 "written questions", "ministry's questions", "comments",
                 "ministry's comments"):
        assert big[name][1] == PAGES[name][3], (name, big[name])
    assert big["inbox"][1] == 50


def test_page_links_keep_the_filters_and_any_page_number_is_a_page(app):
    _setup(app)
    with app.app_context():
        _add_cases(7, 30)
    client = app.test_client()
    login(client, "secretariaat")
    first = text(client.get("/cases/?committee=Schaal&sort=doc&order=asc"))
    total = int(re.search(r'id="result-count">(\d+)', first).group(1))
    assert total == 36
    assert "committee=Schaal" in re.search(r'id="page-next" rel="next" href="([^"]+)"',
                                           first).group(1).replace("&amp;", "&")
    last = text(client.get("/cases/?committee=Schaal&sort=doc&order=asc&page=2"))
    assert last.count('<tr data-doc="') == total - 20 and 'id="page-prev"' in last
    # past the end: the last page, never "36 recommendations" above an empty table
    for page in ("3", "99", "999999999", "9" * 40):
        response = client.get(f"/cases/?committee=Schaal&sort=doc&order=asc&page={page}")
        assert response.status_code == 200
        assert text(response).count('<tr data-doc="') == total - 20, page
    # not a page number: the first page
    for page in ("0", "-3", "abc", "1.5", "٣"):
        response = client.get(f"/cases/?committee=Schaal&sort=doc&order=asc&page={page}")
        assert response.status_code == 200
        assert text(response).count('<tr data-doc="') == 20, page
    # the dashboard's lists link to their full, paged lists
    dashboard = text(client.get("/secretariat/"))
    shown = dashboard.split('id="open-requests"', 1)[1].split("</ul>", 1)[0]
    assert 'id="all-requests"' not in dashboard  # fewer than a panel: all on the dashboard
    requests = text(client.get("/secretariat/lists/requests?page=7"))
    assert requests.count('<li data-doc="') == shown.count('<li data-doc="') > 20


@pytest.mark.parametrize("total, per_page, asked, shown", [
    (0, 5, 1, 1), (0, 5, 5, 1), (4, 5, 2, 1), (10, 5, 2, 2), (11, 5, 3, 3), (11, 5, 4, 3)])
def test_a_page_past_the_end_is_the_last_page(app, total, per_page, asked, shown):
    """The known bug: "/cases/?page=2" said "17 recommendations" and then "no
    recommendation matches these filters"."""
    from workflow.models import Recommendation

    with app.app_context(), app.test_request_context(f"/?page={asked}"):
        stmt = select(Recommendation).where(Recommendation.id < 0)
        if total:
            _add_cases(100, total)
            stmt = select(Recommendation).where(Recommendation.committee == "Schaal") \
                .order_by(Recommendation.id)
        page = paging.paginate(db.session, stmt, per_page)
        assert (page.page, page.total) == (shown, total)
        assert len(page.items) == min(per_page, max(total - (shown - 1) * per_page, 0))


def test_a_filter_s_choices_by_loose_index_scan_are_the_distinct_values(app):
    """``distinct_values`` asks the index for one value after another; it finds what a
    plain DISTINCT finds (empty values left out), with and without a condition."""
    from workflow.cases.queries import distinct_values
    from workflow.models import Recommendation
    from workflow.publishing import opendata

    _setup(app)
    with app.app_context():
        s = db.session
        for column in (Recommendation.committee, Recommendation.theme,
                       Recommendation.doc_number):
            plain = sorted(v for v in s.scalars(select(column).distinct()) if v)
            assert sorted(distinct_values(s, column)) == plain and len(plain) > 2, column
        published = Recommendation.is_published.is_(True)
        assert sorted(opendata.public_committees(s)) == sorted(
            v for v in s.scalars(select(Recommendation.committee).where(published).distinct())
            if v) != []
        assert distinct_values(s, Recommendation.theme, Recommendation.id < 0) == []


def test_a_long_list_is_counted_up_to_the_cap(app, monkeypatch):
    """A list longer than the cap past the page's start says "more than" and "at least"
    (its count stops there), pages on all the same, and is exact again near its end."""
    _setup(app)
    with app.app_context():
        _add_cases(7, 30)
    monkeypatch.setattr(paging, "COUNT_CAP", 20)
    client = app.test_client()
    login(client, "secretariaat")
    first = text(client.get("/cases/?committee=Schaal&sort=doc&order=asc"))
    assert re.search(r'id="result-count">Meer dan 20 aanbevelingen<', first)
    assert "Pagina 1 van minstens 2" in first and 'id="page-next"' in first
    last = text(client.get("/cases/?committee=Schaal&sort=doc&order=asc&page=2"))
    assert re.search(r'id="result-count">36 aanbevelingen<', last)
    assert last.count('<tr data-doc="') == 16 and "Pagina 2 van 2" in last
    api = client.get("/api/v1/recommendations?committee=Schaal&per_page=5").get_json()
    assert (api["total"], api["capped"], api["pages"]) == (20, True, 5)
    api = client.get("/api/v1/recommendations?committee=Schaal&per_page=5&page=7").get_json()
    assert (api["total"], api["capped"], api["pages"], len(api["items"])) == (36, False, 8, 5)


def test_the_dashboard_counts_are_capped(app):
    from workflow.cases import queries as domain_queries

    _setup(app)
    with app.app_context():
        _add_cases(7, 30)
        exact = domain_queries.state_counts(db.session)
        capped = domain_queries.state_counts(db.session, cap=3)
        assert capped == {state: min(n, 4) for state, n in exact.items()}
        actor = Actor("s", "secretariat", "BNL-PARL")
        cutoffs = due_dates.status_cutoffs(clock.utcnow())
        late = domain_queries.late_per_addressee(db.session, actor, cutoffs)
        assert late and all(n <= domain_queries.COUNT_CAP for _c, n, _o in late)
        assert domain_queries.late_per_addressee(db.session, actor, cutoffs, cap=1) == sorted(
            ((c, min(n, 2), o) for c, n, o in late), key=lambda r: (-r[1], r[2], r[0]))
    client = app.test_client()
    login(client, "secretariaat")
    assert client.get("/secretariat/").status_code == 200
