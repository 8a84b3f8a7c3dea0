"""The yearly review of pending recommendations: its figures recomputed from the
exported history, the page, and the HTML and PDF documents in NL and FR."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from followup.cli import cli
from workflow import clock
from workflow.deadlines import BRUSSELS, LATE, classify, deadline_status, status_cutoffs
from workflow.lifecycle import answer_awaited
from workflow.reminders import sweep
from workflow.reports import pending

from ..test_scoreboard_figures import _play
from .conftest import login, text

FINAL = ("submit_answer", "decline")
NOTICES = ("remind", "mark_overdue", "mark_very_overdue")


def _at(text_value: str | None) -> datetime | None:
    return datetime.fromisoformat(text_value.replace("Z", "+00:00")) if text_value else None


def _day(moment: datetime) -> date:
    return moment.astimezone(BRUSSELS).date()


def recompute(events: list[dict], year: int, now: datetime) -> dict:
    """The review's figures from the exported events alone, written out again from the
    definitions (not with the application's replay)."""
    since = datetime(year, 1, 1, tzinfo=BRUSSELS).astimezone(UTC)
    as_of = min(datetime(year + 1, 1, 1, tzinfo=BRUSSELS).astimezone(UTC), now)
    events = sorted((e for e in events if e["doc_number"] and _at(e["effective_at"]) < as_of),
                    key=lambda e: (_at(e["effective_at"]), e["seq"]))
    cases: dict[str, dict] = {}
    received: dict[str, list] = {}
    # a reply withdrawn before the review (recorded by mistake) counts nowhere
    withdrawn = {e["payload"]["answer_id"] for e in events if e["action"] == "withdraw_reply"}
    for ev in events:
        case = cases.setdefault(ev["doc_number"], {"state": None, "required": {}, "pairs": {}})
        data, at, code = ev["payload"], _at(ev["effective_at"]), ev["addressee_code"]
        if ev["entity"] == "recommendation":
            if ev["action"] == "register":
                case["required"] = {a["code"]: a.get("required", True)
                                    for a in data["addressees"]}
            if ev["action"] == "transmit":
                for c, due in data["due_at"].items():
                    case["pairs"][c] = {
                        "state": "pending", "due": _at(due), "paused": False,
                        "since": date.fromisoformat(data["transmitted_on"]),
                        "year": date.fromisoformat(data["transmitted_on"]).year,
                        "first": None, "on_time": None, "waived": False,
                        "interim": 0, "notices": 0}
            if ev["to_state"]:
                case["state"] = ev["to_state"]
            continue
        pair = case["pairs"].get(code)
        if pair is None:
            continue
        action = ev["action"]
        if action == "stop_clock":
            pair["paused"] = True
        if action == "resume_clock":
            pair["paused"] = False
        if action in ("grant_extension", "resume_clock", "recompute_due") \
                and code in data.get("due_at", {}):
            pair["due"] = _at(data["due_at"][code])
        if action == "ask_again":
            pair.update(due=_at(data.get("due_at", {}).get(code)), since=_day(at),
                        paused=False, interim=0, notices=0)
        if action == "submit_interim" and data.get("answer_id") not in withdrawn:
            pair["interim"] += 1
        if action in NOTICES:
            pair["notices"] += 1
        if action in FINAL and ev["entity"] == "answer":
            if at >= since and data.get("answer_id") not in withdrawn:
                received.setdefault(code, []).append(
                    (ev["doc_number"], _day(at).isoformat(),
                     pair["due"] is not None and at <= pair["due"]))
            if pair["first"] is None and not pair["waived"]:
                pair["first"], pair["on_time"] = at, pair["due"] is not None and at <= pair["due"]
                pair["first_id"] = data.get("answer_id")
        if action == "withdraw_reply":
            if pair["first"] is not None and data["answer_id"] == pair.get("first_id"):
                pair["first"] = pair["on_time"] = None
            case["state"] = data["case_state"]
        if action == "waive" and pair["first"] is None:
            pair["waived"] = True
        if ev["to_state"]:
            pair["state"] = ev["to_state"]
    cutoffs = status_cutoffs(as_of)
    out: dict = {"as_of": as_of.isoformat(), "addressees": {}, "per_year": []}
    per_year: dict[tuple, list[int]] = {}
    for doc, case in cases.items():
        for code, p in case["pairs"].items():
            counts = per_year.setdefault((code, p["year"]), [0, 0, 0])
            waiting = answer_awaited(p["state"], case["state"] or "")
            if p["first"] is not None:
                counts[0 if p["on_time"] else 1] += 1
            elif waiting:
                counts[2] += 1
            if not waiting:
                continue
            late = classify(p["due"], cutoffs, paused=p["paused"]) in LATE
            days = deadline_status(p["due"], as_of).days_overdue if late else 0
            row = out["addressees"].setdefault(code, {"pending": [], "overdue": 0,
                                                      "received": []})
            row["pending"].append((doc, p["due"].isoformat() if p["due"] else None, days,
                                   p["interim"], p["notices"]))
            row["overdue"] += late and case["required"].get(code, True)
    for code, answers in received.items():
        out["addressees"].setdefault(code, {"pending": [], "overdue": 0, "received": []})
        out["addressees"][code]["received"] = sorted(answers)
    for row in out["addressees"].values():
        row["pending"].sort()
    out["per_year"] = sorted((c, y, *n) for (c, y), n in per_year.items())
    return out


@pytest.mark.parametrize("seed", [3, 11])
def test_every_figure_is_recomputed_from_the_exported_history(app, client, seed):
    from web.extensions import db

    with app.app_context():
        def each_step(now):
            sweep.sweep(db.session, now=now)

        last = _play(db.session, seed, steps=160, each_step=each_step)
        db.session.commit()
    login(client, "auditor")
    exported = json.loads(client.get("/audit/history.json").get_data())["events"]
    assert any(e["action"] in NOTICES for e in exported)  # the sweep left its notices
    checked = 0
    with app.app_context():
        for year, now in ((2024, last), (2025, last), (2025, last + timedelta(days=30)),
                          (clock.brussels_date(clock.utcnow()).year, clock.utcnow())):
            figures = pending.build(db.session, year, now=now).figures()
            assert figures == recompute(exported, year, now), (year, now)
            checked += sum(len(a["pending"]) + len(a["received"])
                           for a in figures["addressees"].values())
    assert checked > 20  # the scenario is not empty


def test_the_page_in_dutch_and_french(app, client):
    login(client, "secretariaat")
    page = client.get("/reports/pending?year=2026&lang=nl")
    assert page.status_code == 200
    html = text(page)
    assert "<svg" in html and 'id="pending-summary"' in html
    assert "743/5Bis" in html  # a late answer of the demo
    client.post("/language", data={"lang": "fr", "next": "/reports/pending?year=2026"})
    html = text(client.get("/reports/pending?year=2026"))
    assert "Recommandations en attente" in html and "Jours de retard" in html


@pytest.mark.parametrize("query", ["year=1900", "year=abc", "year=2999"])
def test_a_wrong_year_is_explained(app, client, query):
    login(client, "secretariaat")
    page = client.get(f"/reports/pending?{query}")
    assert page.status_code == 400
    assert "1955" in text(page)


def test_a_ministry_cannot_read_the_review(app, client):
    login(client, "minbuza")
    assert client.get("/reports/pending").status_code == 403
    assert client.get("/reports/pending.pdf?lang=fr").status_code == 403


def test_downloads_in_each_language(app, client):
    login(client, "auditor")
    pdf = client.get("/reports/pending.pdf?year=2026&lang=fr")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Recommandations en attente" in words and "743/5Bis" in words
    html = client.get("/reports/pending.html?year=2026&lang=nl")
    assert html.mimetype == "text/html" and "Openstaande aanbevelingen" in text(html)
    assert client.get("/reports/pending.pdf?year=2026&lang=de").status_code == 400
    assert client.get("/reports/pending.docx?year=2026").status_code == 404


@pytest.mark.parametrize(("lang", "heading"), [("nl", "Openstaande aanbevelingen"),
                                               ("fr", "Recommandations en attente")])
def test_the_command_writes_html_and_pdf(app, tmp_path, monkeypatch, lang, heading):
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    year = clock.brussels_date(clock.utcnow()).year
    for suffix in ("html", "pdf"):
        out = tmp_path / f"review.{suffix}"
        result = CliRunner().invoke(cli, ["report", "pending", "--year", str(year),
                                          "--lang", lang, "--output", str(out)])
        assert result.exit_code == 0, result.output
        assert f"review of {year}" in result.output
        if suffix == "pdf":
            assert out.read_bytes().startswith(b"%PDF")
            body = "".join(p.extract_text() for p in PdfReader(str(out)).pages)
        else:
            body = out.read_text()
        assert heading in body and "743/5Bis" in body
    wrong = CliRunner().invoke(cli, ["report", "pending", "--output", str(tmp_path / "x.doc")])
    assert wrong.exit_code != 0 and ".html or .pdf" in wrong.output
