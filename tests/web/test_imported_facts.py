"""What the pages show of imported historic facts: the English title on English pages,
and a reply known only by its date said to be so (in the reader's language)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from workflow.importing import importer

from .conftest import case_id, login, text

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _import_historic(app) -> None:
    from web.extensions import db

    with app.app_context():
        report = importer.import_file(db.session, *importer.read_file(
            SAMPLES / "import-historic.json"), now=datetime(2024, 5, 2, 9, tzinfo=UTC))
        assert report.ok, report.problems
        db.session.commit()


def test_the_case_page_shows_the_english_title_and_a_reply_not_on_record(app, client):
    _import_historic(app)
    rid = case_id(app, "9901/1")
    login(client, "secretariaat")
    client.post("/language", data={"lang": "en"})
    page = text(client.get(f"/cases/{rid}"))
    assert "Defence cooperation between the Benelux countries" in page
    assert "Text not on record: only the date it was received is known." in page
    client.post("/language", data={"lang": "nl"})
    page = text(client.get(f"/cases/{rid}"))
    assert "Defensiesamenwerking tussen de Benelux-landen" in page
    assert "Tekst niet bewaard: alleen de datum van ontvangst is bekend." in page


def test_the_public_page_says_the_text_is_not_on_record(app, client):
    _import_historic(app)
    page = text(client.get("/public/recommendations/9901/1"))
    assert "Text not on record: only the date it was received is known." in page
