"""The list "for the next plenary": very overdue answers by addressee, in Dutch and French,
marking the ticked ones as put on a session's agenda, the printable list and the CSV."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from tests.web.conftest import flashes, login
from tests.web.conftest import text as raw_text
from web.extensions import db
from workflow import clock
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import due_dates, registration, scope, transitions
from workflow.models import Event
from workflow.reminders import sweep as sweeping

SEC = Actor("secretariaat", "secretariat", "BNL-PARL")
BE = Actor("spf-affaires-etrangeres", "ministry", "BE-FED")
PLENARY = "plénière des 12 et 13 mars 2027"


@pytest.fixture
def now():
    with clock.frozen(datetime.now(UTC).replace(microsecond=0)) as moment:
        yield moment


def text(response) -> str:
    """The page with HTML entities read back (quotes, apostrophes)."""
    return html.unescape(raw_text(response))


def build(app, now, first: int = 1, n: int = 1, title: str | None = None) -> None:
    """``n`` cases 960/first.. to NL, BE-FED and LU, sent 200 days ago with 3 months to
    answer; BE-FED answered in time. The sweep ran 29 days before the due date, an hour
    after it and now: a reminder, "overdue" and "very overdue" for NL and LU."""
    with app.app_context():
        s = db.session
        sent = now - timedelta(days=200)
        for i in range(first, first + n):
            rec = registration.register_recommendation(
                s, SEC, doc_number=f"960/{i}", adopted_on=clock.brussels_date(sent),
                addressees={"NL": True, "BE-FED": True, "LU": True},
                title_nl=title or f"Escalatie {i}", title_fr=title or f"Escalade {i}",
                deadline_rule="3 months", now=sent)
            transitions.transmit(s, SEC, rec, now=sent)
            replies.submit_reply(s, BE, rec.entry("BE-FED"), kind="final", position="agrees",
                                 text_fr="Nous suivons.", now=sent + timedelta(days=30))
        s.commit()
        due = rec.entry("NL").due_at
        for moment in (due - timedelta(days=29), due + timedelta(hours=1), now):
            sweeping.sweep(s, now=moment, commit=s.commit)


def entry_ids(app, doc: str) -> dict[str, int]:
    with app.app_context():
        return {e.addressee_code: e.id for e in scope.find_recommendation(db.session,
                                                                          doc).addressees}


def days_overdue(app, doc: str, code: str, now) -> int:
    with app.app_context():
        entry = scope.find_recommendation(db.session, doc).entry(code)
        return due_dates.deadline_status(entry, now).days_overdue


def agenda_events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Event)
                                 .where(Event.action == "put_on_agenda"))


def row(page: str, doc: str, code: str) -> str:
    found = re.search(rf'<tr data-doc="{re.escape(doc)}" data-addressee="{code}".*?</tr>', page,
                      re.S)
    assert found, (doc, code)
    return found.group(0)


def test_the_list_in_dutch_and_french_and_marking_it(app, client, now):
    build(app, now)
    ids = entry_ids(app, "960/1")
    login(client, "secretariaat")
    client.post("/language", data={"lang": "nl"})
    dashboard = text(client.get("/secretariat/"))
    assert 'id="nav-escalation"' in dashboard and 'id="link-escalation"' in dashboard
    page = text(client.get("/secretariat/escalation"))
    assert "<h1>Voor de volgende plenaire vergadering</h1>" in page
    nl = row(page, "960/1", "NL")
    assert f'<td class="days">{days_overdue(app, "960/1", "NL", now)}</td>' in nl
    assert days_overdue(app, "960/1", "NL", now) > 90
    assert "herinnering verstuurd op" in nl and "(30 dagen voor de termijn)" in nl
    assert "te laat sinds" in nl and "(90 dagen na de termijn)" in nl and "nog niet" in nl
    assert f'name="entries" value="{ids["NL"]}"' in nl
    assert row_or_none(page, "960/1", "BE-FED") == ""  # answered in time
    # grouped by addressee: LU's group comes before NL's, each with a heading
    assert page.index('id="group-LU"') < page.index('id="group-NL"')
    assert page.index('id="group-LU"') < page.index(row(page, "960/1", "LU")) \
        < page.index('id="group-NL"') < page.index(nl)

    client.post("/language", data={"lang": "fr"})
    page = text(client.get("/secretariat/escalation"))
    assert "<h1>Pour la prochaine séance plénière</h1>" in page
    assert "rappel envoyé le" in row(page, "960/1", "LU") and "pas encore" in page
    response = client.post("/secretariat/escalation",
                           data={"entries": [ids["NL"], ids["LU"]], "session_label": PLENARY})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert [html.unescape(f) for f in flashes(page)] == \
        [f"2 réponses inscrites à l'ordre du jour de {PLENARY}."]
    marked = row(text(page), "960/1", "NL")
    assert f"à l'ordre du jour de {PLENARY}, inscrit le" in marked
    assert agenda_events(app) == 2

    # the timeline words the new event
    client.post("/language", data={"lang": "nl"})
    timeline = text(client.get(f"/audit/cases/{_case_id(app)}/timeline"))
    assert "op de agenda van een zitting geplaatst" in timeline and PLENARY in timeline


def row_or_none(page: str, doc: str, code: str) -> str:
    found = re.search(rf'<tr data-doc="{re.escape(doc)}" data-addressee="{code}".*?</tr>', page,
                      re.S)
    return found.group(0) if found else ""


def _case_id(app) -> int:
    with app.app_context():
        return scope.find_recommendation(db.session, "960/1").id


def test_refused_marks_say_why_and_write_nothing(app, client, now):
    build(app, now)
    ids = entry_ids(app, "960/1")
    login(client, "secretariaat")
    client.post("/language", data={"lang": "fr"})
    assert client.post("/secretariat/escalation", data={
        "entries": [ids["NL"]], "session_label": PLENARY}).status_code == 302
    cases = [
        ({"entries": [ids["NL"]], "session_label": PLENARY}, "est déjà à l'ordre du jour de"),
        ({"entries": [ids["LU"]], "session_label": "  "}, "Indiquez la session"),
        ({"entries": [ids["LU"]], "session_label": "x" * 121}, "120"),
        ({"session_label": PLENARY}, "Cochez au moins une réponse très en retard"),
        ({"entries": [ids["LU"], ids["BE-FED"]], "session_label": PLENARY},
         "n'est plus très en retard"),
        ({"entries": ["abc"], "session_label": PLENARY}, "Cochez au moins"),
    ]
    for data, message in cases:
        response = client.post("/secretariat/escalation", data=data)
        assert response.status_code == 400, data
        page = text(response)
        errors = re.findall(r'<p class="error[^"]*"[^>]*>(.*?)</p>', page)
        assert any(message in e for e in errors), (data, message, errors)
        assert "Traceback" not in page
        if "entries" in data and isinstance(data["entries"][0], int):
            assert f'value="{data["entries"][0]}" id="entry-{data["entries"][0]}" checked' \
                in page  # the ticks are kept
    # an answer that does not exist (or not in scope): not found, nothing written
    response = client.post("/secretariat/escalation",
                           data={"entries": [ids["LU"], 999_999], "session_label": PLENARY})
    assert response.status_code == 404
    assert "La réponse 999999 est introuvable dans le périmètre" in text(response)
    assert agenda_events(app) == 1


def test_csv_and_printable_list(app, client, now):
    build(app, now, title='=HYPERLINK("http://x", "open")')
    ids = entry_ids(app, "960/1")
    login(client, "secretariaat")
    client.post("/language", data={"lang": "nl"})
    client.post("/secretariat/escalation", data={"entries": [ids["LU"]],
                                                 "session_label": "Vaste Commissie"})
    response = client.get("/secretariat/escalation.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(raw_text(response))))
    assert rows[0] == ["Code geadresseerde", "Geadresseerde", "Aanbeveling", "Titel", "Termijn",
                       "Dagen te laat", "Herinneringen en meldingen", "Op de agenda van",
                       "Op de agenda geplaatst op"]
    mine = {r[0]: r for r in rows[1:] if r[2] == "960/1"}
    assert set(mine) == {"LU", "NL"}  # BE-FED answered
    lu = mine["LU"]
    assert lu[3] == '\'=HYPERLINK("http://x", "open")'  # no formula for a spreadsheet
    assert lu[5] == str(days_overdue(app, "960/1", "LU", now))
    assert "herinnering verstuurd op" in lu[6] and "zeer laat sinds" in lu[6]
    assert lu[7] == "Vaste Commissie" and lu[8] == clock.brussels_date(now).isoformat()
    assert mine["NL"][7] == "" and mine["NL"][8] == ""
    with app.app_context():
        due = scope.find_recommendation(db.session, "960/1").entry("LU").due_at
    assert lu[4] == clock.brussels_date(due).isoformat()

    printed = text(client.get("/secretariat/escalation/print"))
    assert '<body class="print-view">' in printed
    assert 'id="nav-dashboard"' not in printed and 'id="agenda-form"' not in printed
    assert 'type="checkbox"' not in printed
    assert "Zeer late antwoorden voor de volgende plenaire vergadering" in printed
    assert "op de agenda van Vaste Commissie geplaatst op" in row(printed, "960/1", "LU")
    assert "=HYPERLINK" in row(printed, "960/1", "LU")  # escaped HTML, shown as text
    response = client.get("/static/app.css")
    css = text(response)
    response.close()
    assert "@media print" in css and "header.top" in css.split("@media print", 1)[1]


def test_the_page_and_exports_cost_the_same_with_more_rows(app, client, now):
    build(app, now, 1, 3)
    login(client, "secretariaat")
    with app.app_context():
        engine = db.engine
    urls = ("/secretariat/escalation", "/secretariat/escalation/print",
            "/secretariat/escalation.csv")

    def measure():
        out = {}
        for url in urls:
            statements = []

            def count(*_args, statements=statements):
                statements.append(1)

            event.listen(engine, "before_cursor_execute", count)
            try:
                response = client.get(url)
            finally:
                event.remove(engine, "before_cursor_execute", count)
            assert response.status_code == 200
            out[url] = (len(statements), text(response).count("960/"))
        return out

    measure()
    small = measure()
    build(app, now, 4, 27)
    big = measure()
    assert {u: n for u, (n, _) in big.items()} == {u: n for u, (n, _) in small.items()}
    assert big["/secretariat/escalation.csv"][1] == 30 * 2  # NL and LU of each case
    assert small["/secretariat/escalation.csv"][1] == 3 * 2
    page = text(client.get("/secretariat/escalation"))
    assert page.count('<tr data-doc="') <= 50


def test_marking_needs_the_forms_csrf_token(app_factory, now):
    app = app_factory(WTF_CSRF_ENABLED=True)
    build(app, now)
    ids = entry_ids(app, "960/1")
    client = app.test_client()
    page = text(client.get("/login"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "secretariaat", "password": "demo-secretariaat",
                                "csrf_token": token})
    data = {"entries": [ids["NL"]], "session_label": PLENARY}
    refused = client.post("/secretariat/escalation", data=data)
    assert refused.status_code == 400 and agenda_events(app) == 0
    assert 'class="error-page"' in text(refused)  # the application's CSRF check
    form = text(client.get("/secretariat/escalation")).split('id="agenda-form"', 1)[1]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    done = client.post("/secretariat/escalation", data={**data, "csrf_token": token})
    assert done.status_code == 302 and agenda_events(app) == 1
