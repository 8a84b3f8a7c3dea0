"""The public side as a visitor reads it: the home page at ``/``, the search and filters
of the published recommendations (paged, in the address, bad values refused with a
400), the scoreboard's charts, the printable pages, and committee, theme, session and
numbers in the page's language (Dutch and French)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.pdfs import pdf
from tests.web.conftest import login, text
from web.extensions import db
from workflow import clock
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import scope
from workflow.publishing import figures, opendata

SEC = Actor("secretariaat", "secretariat", "BNL-PARL")
NL = Actor("minbuza", "ministry", "NL")


def _in(client, lang: str) -> None:
    client.post("/language", data={"lang": lang, "next": "/"})


def _docs(page: str) -> list[str]:
    return re.findall(r'<tr data-doc="([^"]+)"', page)


def _publish_answer(app, doc: str = "733/4", code: str = "NL") -> int:
    """The Dutch answer to ``doc``, with a PDF, submitted and published."""
    with app.app_context():
        s = db.session
        entry = scope.find_recommendation(s, doc).entry(code)
        draft = replies.save_draft(s, NL, entry, kind="final", position="agrees",
                                   text_nl="Wij stemmen in.")
        replies.add_attachment(s, NL, draft, filename="antwoord.pdf",
                               content_type="application/pdf", content=pdf("antwoord"))
        answer = replies.submit_reply(s, NL, entry, kind="final", position="agrees",
                                      text_nl="Wij stemmen in.")
        opendata.publish_answer(s, SEC, answer)
        s.commit()
        return answer.id


# ---------------------------------------------------------------------------
# The home page


@pytest.mark.parametrize("lang, words", [
    ("nl", ("Wat het Beneluxparlement vroeg", "Wie is te laat", "Nieuwste aanbevelingen")),
    ("fr", ("Ce que le Parlement Benelux a demandé", "Qui est en retard",
            "Dernières recommandations"))])
def test_a_visitor_s_home_page_says_what_was_asked_who_answered_and_who_is_late(
        app, client, lang, words):
    answer_id = _publish_answer(app)
    _in(client, lang)
    response = client.get("/")
    page = text(response)
    assert response.status_code == 200
    assert all(w in page for w in words), lang
    with app.app_context():
        scores = figures.scores(db.session, clock.utcnow())
        published = opendata.published_count(db.session)
    figure = dict(re.findall(r'id="fig-([a-z-]+)"[^>]*><span class="n">(\d+)</span>', page))
    assert figure == {
        "published": str(published),
        "received": str(sum(s.received for s in scores)),
        "answered": str(sum(s.answered for s in scores)),
        "on-time": str(sum(s.answered_on_time for s in scores)),
        "pending": str(sum(s.pending_now for s in scores)),
        "overdue": str(sum(s.overdue_now for s in scores))}
    # who is late: the addressees with overdue answers, most first, with the oldest one
    late = [s for s in scores if s.overdue_now]
    table = page.split('id="home-late"', 1)[1].split("</table>", 1)[0]
    shown = re.findall(r'<tr data-addressee="([^"]+)"', table)
    assert sorted(shown) == sorted(s.addressee for s in late) and shown
    counts = [int(n) for n in re.findall(r'class="badge overdue[^"]*">(\d+)<', table)]
    assert counts == sorted(counts, reverse=True)
    # the latest recommendations and answers link to their public pages
    latest = page.split('id="home-latest"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'href="/public/recommendations/([^"]+)"', latest)
    assert len(links) == 5 and links[0] == "747/2"  # the newest adopted first
    answers = page.split('id="home-answers-latest"', 1)[1].split("</ul>", 1)[0]
    assert f'href="/public/recommendations/733/4#answer-{answer_id}"' in answers
    for link in links:
        assert client.get(f"/public/recommendations/{link}").status_code == 200


def test_a_logged_in_user_still_starts_on_their_own_page_and_reaches_the_public_home(client):
    login(client, "minbuza")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/ministry/")
    page = text(client.get("/public/home"))
    assert 'id="home-figures"' in page and 'href="/public/home"' in page


# ---------------------------------------------------------------------------
# Search and filters


def test_the_public_index_searches_titles_texts_and_document_numbers(client):
    _in(client, "nl")
    assert _docs(text(client.get("/public/?q=ambulances"))) == ["743/5Bis"]  # French title
    assert _docs(text(client.get("/public/?q=Windparken"))) == ["731/3"]  # any case
    assert _docs(text(client.get("/public/?q=741/4"))) == ["741/4"]  # document number
    assert "741/4" in _docs(text(client.get("/public/?q=verzoekt+hen")))  # the text
    assert _docs(text(client.get("/public/?q=100%25"))) == []  # LIKE characters are text
    page = text(client.get("/public/?q=zzzz"))
    assert "Geen gepubliceerde aanbeveling voldoet aan deze filters." in page


def test_the_filters_combine_and_stay_in_the_address(app, client, monkeypatch):
    from web.public import routes

    _in(client, "fr")
    everything = _docs(text(client.get("/public/")))
    closed = _docs(text(client.get("/public/?state=closed")))
    assert sorted(closed) == ["726/2", "745/1"]
    to_lu = _docs(text(client.get("/public/?addressee=LU")))
    assert "733/4" in to_lu and "735/2" not in to_lu
    committee = "Duurzame Ontwikkeling"
    same = _docs(text(client.get("/public/", query_string={"committee": committee})))
    assert sorted(same) == ["731/3", "739/2", "747/2"]
    with app.app_context():
        adopted = {r.doc_number: r.adopted_on.year for r in
                   opendata.published_recommendations(db.session)}
    year = adopted["726/2"]
    assert sorted(_docs(text(client.get(f"/public/?year={year}")))) == sorted(
        d for d, y in adopted.items() if y == year)
    both = _docs(text(client.get("/public/", query_string={"committee": committee,
                                                            "addressee": "LU"})))
    assert both == ["747/2", "731/3"]
    assert set(closed + to_lu + same) <= set(everything)
    # pages keep the filters: a bookmark of page 2 is the same page 2
    monkeypatch.setattr(routes, "PER_PAGE", 2)
    first = text(client.get("/public/?addressee=NL&state=awaiting_answers"))
    total = int(re.search(r'id="result-count">(\d+)', first).group(1))
    assert total > 2 and len(_docs(first)) == 2
    link = unescape(re.search(r'id="pager-next" rel="next" href="([^"]+)"', first).group(1))
    assert "addressee=NL" in link and "state=awaiting_answers" in link and "page=2" in link
    second = text(client.get(link))
    assert len(_docs(second)) == min(2, total - 2) and not set(_docs(second)) & set(_docs(first))
    # the selects show what was asked for
    assert '<option selected value="NL">' in second or 'value="NL" selected' in second


@pytest.mark.parametrize("lang, messages", [
    ("nl", ("Geef het jaar in vier cijfers, tussen 1955 en 2200.",
            "Onbekende stand van zaken: kies er een uit de lijst.",
            "Onbekende geadresseerde: kies er een uit de lijst.",
            "Geen gepubliceerde aanbeveling heeft deze commissie: kies er een uit de lijst.")),
    ("fr", ("Indiquez l'année en quatre chiffres, entre 1955 et 2200.",
            "État inconnu : choisissez-en un dans la liste.",
            "Destinataire inconnu : choisissez-en un dans la liste.",
            "Aucune recommandation publiée ne relève de cette commission : choisissez-en une "
            "dans la liste."))])
def test_bad_filter_values_are_a_clear_400_next_to_their_field(client, lang, messages):
    _in(client, lang)
    response = client.get("/public/?year=abc&state=bogus&addressee=ZZ&committee=Nope")
    page = unescape(text(response))
    assert response.status_code == 400
    for field, message in zip(("year", "state", "addressee", "committee"), messages,
                              strict=True):
        error = f'<p class="error invalid-feedback d-block" id="{field}-error">{message}</p>'
        assert error in page, (field, page)
    assert 'id="filters-refused"' in page and _docs(page) == []
    for query in ("year=99999", "year=1200", "year=%D9%A3", "q=" + "x" * 201,
                  "state=closed%00", "page=abc&year=20.5"):
        response = client.get(f"/public/?{query}")
        assert response.status_code == 400, query
        assert b"Traceback" not in response.data


# ---------------------------------------------------------------------------
# The scoreboard's charts


def test_the_scoreboard_draws_a_chart_per_addressee_from_its_figures(app, client):
    _publish_answer(app)
    _in(client, "fr")
    page = text(client.get("/public/scoreboard"))
    with app.app_context():
        rows = figures.per_year(db.session)
        scores = {s.addressee: s for s in figures.scores(db.session, clock.utcnow())}
    charts = dict(re.findall(r'<figure class="chart-figure" id="chart-([^"]+)">(.*?)</figure>',
                             page, re.S))
    assert set(charts) == {r.addressee for r in rows if r.on_time + r.late + r.pending}
    for code, svg in charts.items():
        assert svg.startswith("<svg") and "<script" not in svg
        mine = [r for r in rows if r.addressee == code]
        # the bars add up to the scoreboard's figures of that addressee
        score = scores[code]
        assert sum(r.on_time for r in mine) == score.answered_on_time
        assert sum(r.on_time + r.late for r in mine) == score.answered
        assert sum(r.pending for r in mine) == score.pending_now
        for r in mine:  # one bar a year, each segment titled with its count
            if not r.on_time + r.late + r.pending:
                continue  # only waived that year: no bar
            assert f">{r.year}</text>" in svg
            for word, count in (("réponse dans le délai", r.on_time),
                                ("réponse en retard", r.late), ("en attente", r.pending)):
                if count:
                    assert f"<title>{word}: {count}</title>" in svg
    # a filter narrows the charts as it narrows the table
    year = max(r.year for r in rows)
    filtered = text(client.get(f"/public/scoreboard?year={year}"))
    assert filtered.count('class="chart-figure"') <= len(charts)


# ---------------------------------------------------------------------------
# Print


def test_the_public_case_page_the_scoreboard_and_the_escalation_list_print(client):
    with client.application.open_resource("static/app.css") as f:
        css = f.read().decode()
    printed = css.split("@media print {", 1)[1].split("\n}\n", 1)[0]
    for selector in ("#public-nav", "form.filters", "header.top", "svg.chart",
                     "#agenda-form fieldset", ".side-by-side", ".print-source"):
        assert selector in printed, selector
    for url in ("/public/recommendations/726/2", "/public/scoreboard"):
        page = text(client.get(url))
        assert 'class="print-source"' in page and 'id="public-nav"' in page
    login(client, "secretariaat")
    page = text(client.get("/secretariat/escalation"))
    assert 'class="print-source"' in page


# ---------------------------------------------------------------------------
# Names and numbers in the page's language


@pytest.mark.parametrize("lang, committee, theme, session", [
    ("nl", "Sociale Aangelegenheden", "Sociale cohesie", "Plenaire zitting"),
    ("fr", "Affaires sociales", "Cohésion sociale", "Session plénière"),
    ("en", "Social Affairs", "Social cohesion", "Plenary session")])
def test_committee_theme_and_session_are_named_in_the_page_s_language(
        app, client, lang, committee, theme, session):
    _in(client, lang)
    page = unescape(text(client.get("/public/recommendations/726/2")))
    assert f"<dd>{committee}</dd>" in page and f"<dd>{theme}</dd>" in page
    assert f"· {session} " in page
    index = unescape(text(client.get("/public/")))
    assert f">{committee}</option>" in index and f"<td>{committee}</td>" in index
    login(client, "secretariaat")
    _in(client, lang)
    with app.app_context():
        rid = scope.find_recommendation(db.session, "726/2").id
    case = unescape(text(client.get(f"/cases/{rid}")))
    assert f"<dd>{committee}</dd>" in case and f"<dd>{theme}</dd>" in case
    assert f"<dd>{session} " in case
    cases = unescape(text(client.get("/cases/")))
    assert f">{committee}</option>" in cases and f">{theme}</option>" in cases
    # the filter's value stays the stored name: the address is the same in every language
    assert 'value="Sociale Aangelegenheden"' in cases


def test_a_name_the_catalogue_does_not_know_is_shown_as_stored(app):
    from web.labels import committee_label, session_name, theme_label

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert committee_label("Schaal") == "Schaal" and theme_label("") == ""
        assert committee_label("  social affairs ") == "Affaires sociales"
        assert session_name("Plenaire zitting 2026-03") == "Session plénière mars 2026"
        assert session_name("Session plénière des 12-13 mars") == \
            "Session plénière des 12-13 mars"
        assert session_name("Plenaire zittingen") == "Plenaire zittingen"  # not the kind
        assert session_name("Zitting van juni") == "Zitting van juni"


@pytest.mark.parametrize("lang, size, shown", [
    ("nl", 215040, "210"), ("fr", 215040, "210"), ("nl", 12800, "12,5"),
    ("fr", 12800, "12,5"), ("en", 12800, "12.5"), ("nl", 2_097_152, "2.048")])
def test_sizes_and_figures_are_numbers_of_the_page_s_language(app, lang, size, shown):
    from flask import render_template_string

    with app.test_request_context(headers={"Accept-Language": lang}):
        assert render_template_string("{{ size|kib }}", size=size) == shown


def test_an_attachment_s_size_is_written_per_locale(app, client):
    _publish_answer(app)
    _in(client, "fr")
    page = text(client.get("/public/recommendations/733/4"))
    sizes = re.findall(r"\(([^ ]+)\s?KiB", page.replace("\u202f", " ").replace("\xa0", " "))
    assert sizes and not any(re.fullmatch(r"\d+\.\d", s) for s in sizes), sizes


# ---------------------------------------------------------------------------
# The list that said "17 recommendations" above an empty table


def test_cases_page_2_of_a_short_list_shows_the_list_not_an_empty_table(app):
    """The known bug: "/cases/?page=2" said "17 aanbevelingen" and then "Geen aanbeveling
    voldoet aan deze filters". A page past the end is the last page (web/paging.py)."""
    from tests.web.test_query_counts import _add_cases

    with app.app_context():
        _add_cases(1, 7)  # 10 demo cases and 7 more: 17, one page of 20
    client = app.test_client()
    login(client, "secretariaat")
    _in(client, "nl")
    for url in ("/cases/?page=2", "/cases/?page=3&sort=title", "/cases/?page=2&state="):
        page = text(client.get(url))
        assert re.search(r'id="result-count">17 aanbevelingen<', page), url
        assert "Geen aanbeveling voldoet aan deze filters." not in page
        assert len(_docs(page)) == 17 and 'id="page"' not in page  # one page, no pager
    _in(client, "fr")
    page = text(client.get("/public/?page=2"))
    assert re.search(r'id="result-count">17 recommandations<', page)
    assert len(_docs(page)) == 17


@pytest.mark.parametrize("url", ["/public/scoreboard", "/public/scoreboard.json",
                                 "/public/export/recommendations.csv"])
def test_a_bad_year_on_the_scoreboard_and_exports_is_refused_in_words(client, url):
    client.post("/language", data={"language": "fr"})
    response = client.get(url, query_string={"year": "20x6"})
    assert response.status_code == 400
    assert "1955" in response.get_data(as_text=True)
    assert client.get(url, query_string={"year": "2025"}).status_code == 200
