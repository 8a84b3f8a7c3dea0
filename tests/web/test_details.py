"""Details a new user meets first: where a visitor lands, the icon, the token page's
example header, column headers and numbers in the user's language."""

from __future__ import annotations

import re

from tests.web.conftest import login, text


def test_a_visitor_starts_on_the_public_side_with_a_way_to_log_in(client):
    response = client.get("/")  # the public home page itself, no redirect
    assert response.status_code == 200 and 'id="home-figures"' in text(response)
    page = text(client.get("/public/"))
    assert 'id="nav-login"' in page and 'href="/login"' in page


def test_the_site_has_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    with client.get(response.headers["Location"]) as icon:  # a file response: close it
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert 'rel="icon"' in text(client.get("/public/"))


def test_the_token_page_shows_the_header_to_send(app, client):
    login(client, "minbuza")
    page = text(client.get("/account/tokens"))
    assert "Authorization: Bearer &lt;token&gt;" in page


def test_public_columns_and_numbers_speak_the_language(client):
    client.post("/language", data={"lang": "nl", "next": "/public/"})
    page = text(client.get("/public/recommendations/726/2"))
    headers = re.findall(r'<th scope="col">([^<]+)</th>', page)
    assert len(headers) == len(set(headers)), headers  # no header twice
    board = text(client.get("/public/scoreboard"))
    cells = re.findall(r'data-col="(?:median|p90)_days">([^<]+)<', board)
    assert cells and not any(re.fullmatch(r"\d+\.0", c.strip()) for c in cells), cells


def test_the_state_on_a_date_shows_names_and_dates_not_codes(app, client):
    from datetime import date

    from tests.web.conftest import case_id

    login(client, "auditor")
    rid = case_id(app, "743/5Bis")
    page = text(client.get(f"/audit/cases/{rid}/as-of?date={date.today().isoformat()}"))
    assert 'id="snapshot-addressees"' in page
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", page)  # no raw timestamps
    rows = re.findall(r'<tr data-addressee="([^"]+)"><td>([^<]+)</td>', page)
    assert rows and all(code != name for code, name in rows), rows


def test_the_ministry_reads_the_follow_up_question_in_its_thread(app, client):
    from tests.web.conftest import case_id

    rid = case_id(app, "741/4")  # the committee asked the Dutch government a follow-up question
    login(client, "minbuza")
    page = text(client.get(f"/ministry/cases/{rid}"))
    kinds = re.findall(r'<li class="letter" data-kind="([a-z_]+)"', page)
    assert kinds[0] == "transmitted" and kinds[-1] == "follow_up_question", kinds
    assert "final_answer" in kinds
    assert "Kan de regering toelichten" in page  # the question itself
    client.post("/logout")
    login(client, "secretariaat")  # the secretariat reads the same thread on the case page
    page = text(client.get(f"/cases/{rid}"))
    assert 'data-addressee="NL"' in page and "Kan de regering toelichten" in page


def test_the_lifecycle_diagram_is_drawn_on_the_server_in_the_users_language(app, client):
    import xml.etree.ElementTree as ET

    from tests.web.conftest import case_id
    from workflow.lifecycle import RECOMMENDATION

    login(client, "minbuza")  # a Dutch user
    page = text(client.get(f"/cases/{case_id(app, '739/2')}/diagram"))  # monitoring
    assert "<script" not in page.split("<main", 1)[1]  # nothing draws it in the browser
    drawing = page[page.index("<svg"):page.index("</svg>") + len("</svg>")]
    root = ET.fromstring(drawing)  # noqa: S314 - our own page, in a test
    svg = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{svg}title").text == "Levenscyclus van een aanbeveling"
    assert root.find(f"{svg}desc").text == "De huidige stand is opvolging van de uitvoering."
    states = {g.get("data-state"): g for g in root.iter(f"{svg}g") if g.get("data-state")}
    assert set(states) == set(RECOMMENDATION.state_names)
    current = [n for n, g in states.items() if "current" in g.get("class").split()]
    visited = [n for n, g in states.items() if "visited" in g.get("class").split()]
    assert current == ["monitoring"] and len(visited) == 5
    words = " ".join(t.text for t in states["monitoring"].iter(f"{svg}text"))
    assert words == "opvolging van de uitvoering"
    labels = " ".join(t.text for g in root.iter(f"{svg}g") if g.get("data-trigger")
                      for t in g.iter(f"{svg}text"))
    assert "Het dossier afsluiten" in labels and "Het dossier heropenen" in labels
    assert 'style="' not in drawing and "<style" not in drawing
    # the lists below stay: the states in order and the path taken
    assert 'id="lifecycle-states"' in page and 'id="path-taken"' in page
