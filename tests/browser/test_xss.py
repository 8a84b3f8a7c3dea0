"""Script in every text a person can enter is shown as text: in the real browser on every
page that shows it, and escaped or inert in every export."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import login
from tests.browser.test_journeys import today
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import due_dates, registration, transitions
from workflow.publishing import opendata

PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
DOC = "799/1"
SEC = Actor("secretariaat", "secretariat", "BNL-PARL")
NL = Actor("minbuza", "ministry", "NL")


def _seed(app) -> int:
    from web.extensions import db

    with app.app_context():
        s = db.session
        rec = registration.register_recommendation(
            s, SEC, doc_number=DOC, adopted_on=today() - timedelta(days=20),
            addressees={"NL": True, "BE-FED": True}, title_nl=f"Titel {PAYLOAD}",
            title_fr=f"Titre {PAYLOAD}", text_nl=f"Tekst {PAYLOAD}", text_fr=f"Texte {PAYLOAD}",
            committee=f"Commissie {PAYLOAD}", theme=f"Thema {PAYLOAD}",
            session_label=f"Zitting {PAYLOAD}")
        registration.set_published(s, SEC, rec, True)
        transitions.transmit(s, SEC, rec)
        due_dates.grant_extension(s, SEC, rec.entry("BE-FED"), reason=f"Reden {PAYLOAD}",
                                  days=10)
        answer = replies.submit_reply(s, NL, rec.entry("NL"), kind="final", position="agrees",
                                      text_nl=f"Antwoord {PAYLOAD}")
        opendata.publish_answer(s, SEC, answer)
        s.commit()
        return rec.id


def _shown_as_text(page, where: str, shown: bool = True) -> None:
    assert page.evaluate("window.__xss") is None, where
    assert page.locator("img[onerror]").count() == 0, where
    assert page.locator("script", has_text="__xss").count() == 0, where
    if shown:  # and the person sees what was typed, as typed
        assert "<script>window.__xss=1</script>" in page.locator("body").inner_text(), where


@pytest.mark.same_on_every_database
def test_hostile_text_is_shown_as_text_on_every_page(browsing):
    rid = _seed(browsing.server.app)
    public = browsing.page()
    for path in ("/public/", f"/public/recommendations/{DOC}"):
        public.goto(path)
        _shown_as_text(public, path)

    sec = browsing.page()
    login(sec, "secretariaat")
    for path in (f"/cases/{rid}", "/cases/"):
        sec.goto(path)
        _shown_as_text(sec, path)
    sec.goto(f"/cases/{rid}/diagram")  # the drawing shows states, not the texts
    _shown_as_text(sec, "diagram", shown=False)

    auditor = browsing.page()
    login(auditor, "auditor")
    auditor.goto(f"/audit/cases/{rid}/timeline")
    _shown_as_text(auditor, "timeline")

    ministry = browsing.page()
    login(ministry, "minbuza")
    for path in ("/ministry/", f"/ministry/cases/{rid}"):
        ministry.goto(path)
        _shown_as_text(ministry, path)


def test_hostile_text_is_inert_in_every_export(live_server):
    _seed(live_server.app)
    client = live_server.app.test_client()
    for path in ("/public/export/recommendations.csv", "/public/export/answers.csv",
                 "/public/export/events.csv", "/public/export/recommendations.json",
                 "/public/export/answers.json", "/public/export/events.json",
                 "/public/feed.atom", "/public/calendar/NL.ics", "/public/scoreboard.json"):
        response = client.get(path)
        assert response.status_code == 200, path
        kind = response.headers["Content-Type"]
        assert not kind.startswith("text/html"), (path, kind)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        body = response.get_data(as_text=True)
        if not path.endswith((".atom", "scoreboard.json")):  # those carry no titles
            assert "window.__xss" in body, path  # the text is there, as data
        if path.endswith(".atom"):  # feed readers render HTML: it must arrive escaped
            assert "<script>" not in body and "<img" not in body, path
        # CSV, JSON and iCalendar carry the text as data (iCalendar TEXT is plain text by
        # RFC 5545); served with their own types and nosniff, no browser runs it as a page
