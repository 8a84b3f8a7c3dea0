"""Accessibility as a test: axe-core (npm) on every HTML page of the app, in Dutch, French
and English, as the person who uses it: no serious or critical violation of WCAG 2.1 A/AA
(the level the EU Web Accessibility Directive asks of public-sector sites).

"Every page" is every GET route of the web app (the JSON API aside): each is asked with
the test client, first as a visitor, then as the secretariat, a ministry and an auditor,
and the first who gets an HTML page (200) opens it in the browser. A new route is thus
checked without being listed here; downloads (CSV, JSON, PDF, feeds) are not HTML and
are left out. axe-core is read from node_modules (``npm ci``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.conftest import LANGS, ROOT, _unavailable, choose_language, login
from tests.pdfs import pdf
from web.extensions import db
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import scope
from workflow.models import User
from workflow.questions.operations import ask_question

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
# Who asks for a page, in this order; None: a visitor
PEOPLE = (None, "secretariaat", "minbuza", "auditor")
# URL arguments that take several values, each a page of its own
VARIANTS = {"panel": ("overdue", "due-soon", "to-assess", "requests"), "fmt": ("html",)}


def _values(app) -> dict:
    """A case with a draft and its PDF, a written question, a published case, a user."""
    with app.app_context():
        s = db.session
        rec = scope.find_recommendation(s, "743/5Bis")
        nl = Actor("minbuza", "ministry", "NL")
        draft = replies.save_draft(s, nl, rec.entry("NL"), text_nl="Concept")
        att = replies.add_attachment(s, nl, draft, filename="brief.pdf",
                                     content_type="application/pdf", content=pdf("test"))
        question = ask_question(s, Actor("secretariaat", "secretariat", "BNL-PARL"),
                                addressee_code="NL", asker="Mevr. De Vries",
                                subject="Telewerk", text="Hoe staat het ermee?",
                                asked_on=rec.adopted_on, recommendation=rec)
        s.commit()
        user = s.query(User).filter_by(username="minbuza").one()
        return {"case_id": rec.id, "attachment_id": att.id, "question_id": question.id,
                "user_id": user.id, "doc_number": "726/2", "code": "NL"}


def _urls(app, values: dict) -> list[str]:
    from flask import url_for

    urls = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint.split(".")[0] in (
                    "api", "api-docs", "static"):
                continue
            args = [{}]
            for name in sorted(rule.arguments):
                choices = VARIANTS.get(name, (values.get(name),))
                args = [{**a, name: c} for a in args for c in choices]
            urls.extend(url_for(rule.endpoint, **a) for a in args
                        if None not in a.values())
    return urls


def _who_sees(app, urls: list[str]) -> dict[str | None, list[str]]:
    """Each HTML page, under the first person who gets it."""
    from tests.web.conftest import login as client_login

    clients = {}
    app.config["WTF_CSRF_ENABLED"] = False  # the test client logs in without a form
    try:
        for person in PEOPLE:
            clients[person] = app.test_client()
            if person:
                client_login(clients[person], person)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    pages: dict[str | None, list[str]] = {p: [] for p in PEOPLE}
    for url in urls:
        for person in PEOPLE:
            response = clients[person].get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                if "attachment" not in response.headers.get("Content-Disposition", ""):
                    pages[person].append(url)  # not a download
                break
    return pages


def _violations(page) -> list[dict]:
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", TAGS)
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "where": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in BLOCKING]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not Path(AXE).exists():
        _unavailable("axe-core is not installed (npm ci)")
    return Path(AXE).read_text(encoding="utf-8")


@pytest.mark.same_on_every_database
@pytest.mark.parametrize("lang", LANGS)
def test_every_page_has_no_serious_accessibility_violation(browsing, axe_source, lang):
    app = browsing.server.app
    pages = _who_sees(app, _urls(app, _values(app)))
    assert sum(len(v) for v in pages.values()) >= 30, pages  # the pages were found
    found = {}
    for person, urls in pages.items():
        # the page's own scripts only under its Content-Security-Policy: axe is injected
        # by the test, so the test's pages do without it
        page = browsing.page(lang, bypass_csp=True)
        if person:
            login(page, person, lang)
        page.goto("/public/")
        if page.locator("html").get_attribute("lang") != lang:
            choose_language(page, lang)
        for url in urls:
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == lang, url
            page.add_script_tag(content=axe_source)
            problems = _violations(page)
            if problems:
                found[f"{person or 'visitor'} {url}"] = problems
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)
