"""Personal API tokens (web page and CLI) and the import through the API."""

from __future__ import annotations

import io
import re
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from followup.cli import cli

from .conftest import NL, SEC, counts, csrf_of, login

API = "/api/v1"
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_token_page_shows_the_secret_once_and_revokes(client):
    login(client, NL)
    page = client.get("/account/tokens")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="tokens"' not in html  # no token yet
    response = client.post("/account/tokens", data={"name": "spreadsheet",
                                                    "csrf_token": csrf_of(html)})
    assert response.status_code == 201
    secret = re.search(r'<code id="token-secret">([^<]+)</code>', response.get_data(
        as_text=True)).group(1)
    assert secret.startswith("bfu_")
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in listing and secret[:12] in listing and "spreadsheet" in listing
    other = client.application.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    mine = other.get(f"{API}/recommendations?per_page=100", headers=headers).json
    assert "747/2" not in {i["doc_number"] for i in mine["items"]}  # a ministry's scope
    token_id = re.search(r'data-token="(\d+)"', listing).group(1)
    response = client.post(f"/account/tokens/{token_id}/revoke",
                           data={"csrf_token": csrf_of(listing)})
    assert response.status_code == 302
    assert other.get(f"{API}/recommendations", headers=headers).status_code == 401
    assert "<form" not in client.get("/account/tokens").get_data(as_text=True).split(
        'id="tokens"')[1]  # no revoke button left


def test_token_page_needs_login_and_name(client):
    assert client.get("/account/tokens").status_code == 302
    login(client, SEC)
    html = client.get("/account/tokens").get_data(as_text=True)
    response = client.post("/account/tokens", data={"name": "", "csrf_token": csrf_of(html)})
    assert response.status_code == 400


def test_cannot_revoke_another_users_token(app, client, make_token):
    from web.extensions import db
    from workflow.models import ApiToken

    make_token(NL)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    login(client, SEC)
    html = client.get("/account/tokens").get_data(as_text=True)
    response = client.post(f"/account/tokens/{token_id}/revoke",
                           data={"csrf_token": csrf_of(html)})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


def test_cli_creates_lists_and_revokes_tokens(app, client, demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    runner = CliRunner()
    result = runner.invoke(cli, ["token", "create", NL, "--name", "nightly sync"])
    assert result.exit_code == 0, result.output
    secret = next(line for line in result.output.splitlines() if line.startswith("bfu_"))
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{API}/recommendations", headers=headers).status_code == 200
    listing = runner.invoke(cli, ["token", "list"]).output
    assert "nightly sync" in listing and secret not in listing and "active" in listing
    token_id = listing.split()[0]
    result = runner.invoke(cli, ["token", "revoke", token_id])
    assert result.exit_code == 0 and "revoked" in result.output
    assert client.get(f"{API}/recommendations", headers=headers).status_code == 401
    assert runner.invoke(cli, ["token", "create", "nobody", "--name", "x"]).exit_code == 1


def _upload(name: str, content: bytes) -> dict:
    return {"file": (io.BytesIO(content), name, "application/octet-stream")}


def test_import_through_the_api(app, client, auth):
    before = counts(app)
    sample = (SAMPLES / "import-sample.csv").read_bytes()
    response = client.post(f"{API}/imports", data=_upload("import-sample.csv", sample),
                           headers=auth(SEC))
    assert response.status_code == 200, response.json
    assert response.json["ok"] and len(response.json["created"]) == 6
    assert counts(app)[0] == before[0] + 6
    again = client.post(f"{API}/imports", data=_upload("import-sample.json", (
        SAMPLES / "import-sample.json").read_bytes()), headers=auth(SEC))
    assert again.status_code == 200
    assert again.json["created"] == [] and len(again.json["skipped"]) == 6
    case = client.get(f"{API}/recommendations/712/2/history", headers=auth(SEC)).json
    assert case["events"][0]["effective_at"].startswith("2017-11-25")


def test_historic_facts_and_a_differing_reimport_through_the_api(app, client, auth):
    historic = (SAMPLES / "import-historic.json").read_bytes()
    response = client.post(f"{API}/imports", data=_upload("import-historic.json", historic),
                           headers=auth(SEC))
    assert response.status_code == 200, response.json
    assert response.json["created"] == ["9901/1", "9902/1"]
    before = counts(app)
    changed = historic.replace(b'"2024-03-15"', b'"2024-03-18"')
    response = client.post(f"{API}/imports", data=_upload("changed.json", changed),
                           headers=auth(SEC))
    assert response.status_code == 422
    report = response.json["report"]
    assert report["differing"] == ["9901/1"] and report["skipped"] == ["9902/1"]
    [problem] = report["problems"]
    assert problem["field"] == "recommendations[0].addressees[0].answers[0].received_on"
    assert problem["rule"] == "differs_from_database"
    assert "stored 2024-03-15, imported 2024-03-18" in problem["reason"]
    assert counts(app) == before


def test_bad_import_through_the_api_writes_nothing(app, client, auth):
    before = counts(app)
    bad = b"doc_number,adopted_on,title_nl,addressee\n900/1,soon,X,NL\n901/1,2020-01-01,,ZZ\n"
    response = client.post(f"{API}/imports", data=_upload("bad.csv", bad), headers=auth(SEC))
    assert response.status_code == 422
    body = response.json
    assert body["code"] == "import_rejected" and not body["report"]["ok"]
    assert {(p["line"], p["field"]) for p in body["report"]["problems"]} == {
        (2, "adopted_on"), (3, "addressee")}
    assert counts(app) == before


def test_only_the_secretariat_imports_through_the_api(client, auth):
    response = client.post(f"{API}/imports", data=_upload("x.csv", b"doc_number\n"),
                           headers=auth(NL))
    assert response.status_code == 403
