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


# ---------------------------------------------------------------------------
# Formulas in text: CSV exports open safely in a spreadsheet (web/csv_export.py)

FORMULA = '=HYPERLINK("http://x")'


def test_text_that_could_start_a_formula_gets_a_quote_and_numbers_stay_numbers():
    from web.csv_export import FORMULA_START, cell, original

    for start in FORMULA_START:
        assert cell(f"{start}1+1") == f"'{start}1+1"
    assert cell(FORMULA) == "'" + FORMULA
    assert cell("Titel =1") == "Titel =1" and cell("") == "" and cell("1-2") == "1-2"
    assert cell("'quoted") == "''quoted"  # one more quote: reading back loses nothing
    for typed in (FORMULA, "-1", "'quoted", "''", "plain", ""):
        assert original(cell(typed)) == typed
    assert cell(-3) == -3 and cell(-2.5) == -2.5 and cell(None) is None and cell(True) is True
    assert cell(date(2026, 1, 2)) == date(2026, 1, 2)


def test_a_formula_in_a_title_or_a_reason_is_text_in_every_csv_export(app):
    import csv
    import io

    from web.extensions import db
    from workflow.cases import due_dates, transitions

    sec = Actor("secretariaat", "secretariat", "BNL-PARL")
    with app.app_context():
        rec = registration.register_recommendation(
            db.session, sec, doc_number="761/1", adopted_on=date.today() - timedelta(days=9),
            addressees={"NL": True}, title_nl=FORMULA, title_fr="+cmd|' /C calc'!A0",
            text_nl="@SUM(1+1)", text_fr="Texte", committee="-2+3")
        registration.set_published(db.session, sec, rec, True)
        transitions.transmit(db.session, sec, rec)
        due_dates.grant_extension(db.session, sec, rec.entry("NL"), reason="-1+1", days=5)
        db.session.commit()
        rid = rec.id

    def rows(client, url: str) -> list[dict]:
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv", url
        return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))

    client = app.test_client()
    mine = [r for r in rows(client, "/public/export/recommendations.csv")
            if r["doc_number"] == "761/1"]
    assert mine and mine[0]["title_nl"] == "'" + FORMULA
    assert mine[0]["title_fr"] == "'+cmd|' /C calc'!A0"
    assert mine[0]["text_nl"] == "'@SUM(1+1)" and mine[0]["committee"] == "'-2+3"
    assert mine[0]["text_fr"] == "Texte"  # other text as it was
    events = [r for r in rows(client, "/public/export/events.csv") if r["doc_number"] == "761/1"]
    assert "'-1+1" in [r["reason"] for r in events]
    # with the quote taken off again, as documented, each hash checks from the CSV fields
    from tests.api.test_public import events_from_csv, recomputed_hash

    exported = events_from_csv(client.get("/public/export/events.csv").get_data(as_text=True))
    extension = next(e for e in exported if e["doc_number"] == "761/1" and e["reason"])
    assert extension["reason"] == "-1+1" and recomputed_hash(extension) == extension["hash"]

    login(client, "auditor")
    history_rows = rows(client, f"/audit/cases/{rid}/history.csv")
    assert "'-1+1" in [r["reason"] for r in history_rows]
    for row in history_rows:  # the canonical text (the hashed one) is never changed
        assert row["canonical"].startswith("{") and int(row["seq"]) > 0
        assert json.loads(row["canonical"])["seq"] == int(row["seq"])
    # the JSON exports keep the text as typed
    recs = client.get("/public/export/recommendations.json").json["recommendations"]
    assert next(r for r in recs if r["doc_number"] == "761/1")["title_nl"] == FORMULA


def test_every_csv_writer_goes_through_the_one_helper():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers = [str(p.relative_to(root)) for package in ("web", "workflow", "followup")
               for p in (root / package).rglob("*.py")
               if ("csv.writer(" in p.read_text() or "csv.DictWriter(" in p.read_text())]
    assert writers == ["web/csv_export.py"]
