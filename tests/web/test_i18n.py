"""The interface in Dutch, French and English: complete catalogues, labels for the
whole lifecycle, the language switch and dates in the locale's format."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.web.conftest import case_id, login, text
from web import labels
from workflow.lifecycle import ANSWER, CLOSURE_REASONS, POSITIONS, RECOMMENDATION

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"


def _catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_catalogue_is_complete(lang):
    catalog = _catalog(lang)
    untranslated = [m.id for m in catalog if m.id and not (
        all(m.string) if isinstance(m.id, tuple | list) else m.string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    problems = [(m.id, errs) for m, errs in catalog.check()]
    assert problems == []  # placeholders match


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_catalogue_has_every_message_of_the_template(lang):
    with (TRANSLATIONS / "messages.pot").open("rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    ids = {m.id for m in _catalog(lang) if m.id}
    assert template - ids == set()


def test_every_state_trigger_position_and_reason_has_a_label():
    assert set(RECOMMENDATION.state_names) <= set(labels.RECOMMENDATION_STATES)
    assert set(ANSWER.state_names) <= set(labels.ANSWER_STATES)
    assert {t.name for t in RECOMMENDATION.triggers + ANSWER.triggers} <= set(labels.TRIGGERS)
    assert set(POSITIONS) <= set(labels.POSITIONS)
    assert set(CLOSURE_REASONS) <= set(labels.CLOSURE_REASONS)


def test_language_switch_and_user_setting(app, client):
    page = text(client.get("/login", headers={"Accept-Language": "fr-BE,fr;q=0.9"}))
    assert "Se connecter" in page and 'lang="fr"' in page
    client.post("/language", data={"lang": "nl", "next": "/login"})
    assert "Inloggen" in text(client.get("/login"))

    login(client, "auditor")  # an English-speaking user, who chose Dutch on the login page
    assert "Audit van de opvolging" in text(client.get("/audit/"))
    client.post("/logout")
    login(client, "auditor")  # that choice became the account's setting
    assert "Audit van de opvolging" in text(client.get("/audit/"))
    client.post("/language", data={"lang": "fr", "next": "/audit/"})
    page = text(client.get("/audit/"))
    assert "Audit du suivi" in page and "Vérifier l" in page
    client.post("/logout")
    login(client, "auditor")  # the choice is remembered as the user's setting
    assert "Audit du suivi" in text(client.get("/audit/"))


def test_dates_titles_and_states_follow_the_language(app, client):
    rid = case_id(app, "726/2")
    login(client, "minbuza")  # Dutch user
    page = text(client.get(f"/cases/{rid}"))
    assert "Telewerk van grensarbeiders" in page and "afgesloten" in page
    assert "uitgevoerd" in page  # closure reason
    client.post("/language", data={"lang": "fr"})
    page = text(client.get(f"/cases/{rid}"))
    assert "Télétravail des travailleurs frontaliers" in page and "clôturée" in page
    months_fr = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                 "oct.", "nov.", "déc.")
    assert any(f" {m} " in page for m in months_fr)
    diagram = text(client.get(f"/cases/{rid}/diagram"))
    assert "Cycle de vie de 726/2" in diagram
    drawing = diagram[diagram.index("<svg"):diagram.index("</svg>") + len("</svg>")]
    assert 'data-state="closed">' in drawing and ">clôturée</text>" in drawing
    assert "<title id=\"lifecycle-title\">Cycle de vie d&#x27;une recommandation" in drawing


def test_refusals_are_worded_in_the_users_language(app, client):
    """The rules the workflow states in English reach a French or Dutch user in their
    own language: the 'why not' list of the case page and the error of a refused action."""
    from tests.web.conftest import case_id, login, text, version_of

    login(client, "secretariaat")
    case = case_id(app, "731/3")  # awaiting answers: cannot be assessed or closed as implemented
    for lang, expected in [
        ("fr", "Impossible tant que le dossier est"),
        ("nl", "Niet mogelijk zolang het dossier"),
        ("en", "this is possible only when it is"),
    ]:
        client.post("/language", data={"lang": lang, "next": "/"})
        page = text(client.get(f"/cases/{case}"))
        refusals = page.split('id="refusals"', 1)[1].split("</details>", 1)[0]
        assert expected in refusals, lang
    client.post("/language", data={"lang": "nl", "next": "/"})
    response = client.post(f"/secretariat/cases/{case}/act/start_assessment",
                           data={"version": version_of(app, "731/3")})
    assert response.status_code == 409
    assert ("Niet mogelijk zolang het dossier wacht op antwoorden is; alleen mogelijk als "
            "het beantwoord, heropend is") in text(response)


# Rules worded from their values (``error_text``) and the lifecycle's last resort.
RULES_WORDED_ELSEWHERE = {"role", "state", "condition"}


def test_every_rule_the_workflow_names_has_a_label():
    """A refusal's rule name reaches Dutch and French users through ``labels.RULES``
    (a fixed sentence) or ``labels.MESSAGES`` (worded from its values)."""
    import re

    workflow = Path(__file__).resolve().parents[2] / "workflow"
    source = "".join(p.read_text() for p in workflow.rglob("*.py"))
    named = set(re.findall(r'rule="([a-z_]+)"(?!\s*")', source))
    named |= {g.name for lifecycle in (RECOMMENDATION, ANSWER) for t in lifecycle.triggers
              for g in t.guards}
    missing = sorted(named - set(labels.RULES) - set(labels.MESSAGES) - RULES_WORDED_ELSEWHERE)
    assert missing == [], "add these to web/labels.py RULES and translate them"
