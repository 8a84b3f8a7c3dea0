"""Text the database cannot store (NUL, lone surrogates) and forged hidden fields are
refused with a clear 4xx and write nothing, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.web.conftest import case_id, login, text
from workflow import errors as werr
from workflow.actors import Actor
from workflow.cases import registration
from workflow.models import Answer, Event, Recommendation


def _counts(app) -> tuple[int, int, int]:
    from web.extensions import db

    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (Recommendation, Answer, Event))


@pytest.mark.parametrize("path", [
    "/api/v1/recommendations?q=%00",
    "/public/?committee=%00",
    "/public/recommendations/747%002",
    "/public/export/recommendations.csv?committee=a%00b",
    "/login?next=%00",
])
def test_nul_in_the_address_is_a_clear_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    body = text(response)
    assert "U+0000" in body and "Traceback" not in body


def test_nul_in_a_logged_in_search_is_a_clear_400(app, client):
    login(client, "secretariaat")
    response = client.get("/cases/?q=%00")
    assert response.status_code == 400 and "U+0000" in text(response)


def test_nul_in_a_login_name_is_refused(client):
    response = client.post("/login", data={"username": "secretariaat\x00",
                                           "password": "whatever-it-is"})
    assert response.status_code == 400 and "U+0000" in text(response)


def test_nul_in_a_title_registers_nothing(app, client):
    login(client, "secretariaat")
    before = _counts(app)
    adopted = (date.today() - timedelta(days=3)).isoformat()
    response = client.post("/secretariat/cases/new", data={
        "doc_number": "760/1", "title_nl": "Titel\x00", "title_fr": "Titre",
        "text_nl": "Tekst", "text_fr": "Texte", "adopted_on": adopted,
        "deadline_kind": "working_days", "deadline_amount": "40", "to_NL": "required",
        "save": "1"})
    assert response.status_code == 400 and "title_nl" in text(response)
    assert _counts(app) == before


def test_nul_in_a_draft_and_a_forged_draft_version_write_nothing(app, client):
    rid = case_id(app, "743/5Bis")
    login(client, "minbuza")
    before = _counts(app)
    draft = {"kind": "final", "position": "agrees", "text_nl": "Wij\x00 steunen",
             "version": "", "draft_version": "", "save_draft": "1"}
    refused = client.post(f"/ministry/cases/{rid}", data=draft)
    assert refused.status_code == 400 and "U+0000" in text(refused)
    forged = client.post(f"/ministry/cases/{rid}", data={
        **draft, "text_nl": "Wij steunen", "draft_version": "abc"})
    assert forged.status_code == 409 and "Traceback" not in text(forged)
    assert _counts(app) == before


def test_a_lone_surrogate_in_json_is_a_clear_400(client):
    response = client.post("/api/v1/imports", data='{"title": "\\ud800"}',
                           content_type="application/json")
    assert response.status_code == 400
    body = json.loads(response.get_data(as_text=True))
    assert body["code"] == "unstorable_text" and "U+D800" in body["message"]


def test_the_workflow_refuses_unstorable_text_itself(app):
    """Callers outside the web (the CLI, the importer) get the same refusal."""
    from web.extensions import db

    with app.app_context():
        actor = Actor("secretariaat", "secretariat", "BNL-SEC")
        with pytest.raises(werr.ValidationError) as refused:
            registration.register_recommendation(
                db.session, actor, doc_number="761/1", title_nl="Titel", title_fr="Tit\x00re",
                text_nl="T", text_fr="T", adopted_on=date.today() - timedelta(days=1),
                addressees={"NL": True})
        assert refused.value.rule == "unstorable_text"
        assert refused.value.field == "title_fr"
        db.session.rollback()
