"""The public side: no login, only what the secretariat published; drafts and
unpublished answers never appear, in pages, exports or feeds."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import datetime
from types import SimpleNamespace

import icalendar

from web.csv_export import original
from workflow import history

from .conftest import NL, PDF, SEC, etag

API = "/api/v1"
SECRET_DRAFT = "GEHEIM-CONCEPT-743"
UNPUBLISHED_TEXT = "Antwoord van NL op aanbeveling 731/3."
PUBLIC_URLS = ["/public/", "/public/scoreboard", "/public/scoreboard.json",
               "/public/recommendations/743/5Bis", "/public/recommendations/731/3",
               "/public/feed.atom", "/public/calendar/NL.ics"] + [
    f"/public/export/{kind}.{fmt}" for kind in ("recommendations", "answers", "events")
    for fmt in ("csv", "json")]


def _everything_public(client) -> str:
    out = []
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        out.append(response.get_data(as_text=True))
    return "\n".join(out)


def _write_draft(client, auth):
    h = auth(NL)
    response = client.put(f"{API}/recommendations/743/5Bis/addressees/NL/draft",
                          json={"position": "disagrees", "text_nl": SECRET_DRAFT}, headers=h)
    assert response.status_code == 201
    response = client.post(f"{API}/recommendations/743/5Bis/addressees/NL/draft/attachments",
                           data={"file": (io.BytesIO(PDF), "geheim.pdf", "application/pdf")},
                           headers={**h, "If-Match": response.headers["ETag"]})
    assert response.status_code == 201
    return response.json["id"]


def test_public_pages_need_no_login(client):
    for url in PUBLIC_URLS:
        assert client.get(url).status_code == 200, url


def test_public_recommendation_page_shows_text_addressees_due_dates_state(client):
    page = client.get("/public/recommendations/743/5Bis").get_data(as_text=True)
    assert "Grensoverschrijdende inzet van ambulances" in page
    assert "Intervention transfrontalière des ambulances" in page
    for name in ("Belgian federal government", "Government of the Netherlands",
                 "Government of North Rhine-Westphalia"):
        assert name in page
    assert 'data-addressee="NL" data-due="2024-' in page  # a due date
    assert 'id="rec-state"' in page


def test_drafts_never_public(client, auth):
    attachment_id = _write_draft(client, auth)
    everything = _everything_public(client)
    assert SECRET_DRAFT not in everything
    assert "geheim.pdf" not in everything
    assert client.get(f"/public/attachments/{attachment_id}").status_code == 404


def test_unpublished_answers_never_public_until_published(client, auth):
    everything = _everything_public(client)
    assert UNPUBLISHED_TEXT not in everything
    # the position of the unpublished answer is not shown on the page either
    page = client.get("/public/recommendations/731/3").get_data(as_text=True)
    assert 'id="no-answers"' in page and "agrees" not in page.split('id="public-addressees"')[1]
    events = client.get("/public/export/events.json").json["events"]
    answer_events = [e for e in events if e["doc_number"] == "731/3"
                     and e["action"] == "submit_answer"]
    assert answer_events and all(e["redacted"] for e in answer_events)
    assert all("position" not in e["payload"] and e["reason"] == "" for e in answer_events)
    # the secretariat publishes it: now it is public, and so is its event
    sec = auth(SEC)
    body = client.get(f"{API}/recommendations/731/3", headers=sec).json
    nl_answer = next(a for a in body["answers"] if a["addressee"] == "NL")
    response = client.put(f"{API}/answers/{nl_answer['id']}/published", json={"published": True},
                          headers={**sec, "If-Match": etag(client, "731/3", sec)})
    assert response.status_code == 200
    assert UNPUBLISHED_TEXT in client.get("/public/recommendations/731/3").get_data(as_text=True)
    answers = client.get("/public/export/answers.json").json["answers"]
    assert [a["text_nl"] for a in answers if a["doc_number"] == "731/3"] == [UNPUBLISHED_TEXT]
    events = client.get("/public/export/events.json").json["events"]
    published = [e for e in events if e["payload"].get("answer_id") == nl_answer["id"]
                 and e["action"] == "submit_answer"]
    assert [e["redacted"] for e in published] == [False]
    assert published[0]["payload"]["position"] == "agrees"


def test_unpublished_recommendation_disappears_everywhere(client, auth):
    sec = auth(SEC)
    response = client.put(f"{API}/recommendations/745/1/published", json={"published": False},
                          headers={**sec, "If-Match": etag(client, "745/1", sec)})
    assert response.status_code == 200
    assert client.get("/public/recommendations/745/1").status_code == 404
    everything = _everything_public(client)
    assert "745/1" not in everything
    assert "Versterking van de rol van het Beneluxparlement" not in everything


def events_from_csv(body: str) -> list[dict]:
    """The events of the CSV export as the JSON export gives them: text as typed (the
    quote a formula-like cell carries for spreadsheets removed), numbers, None."""
    events = []
    for row in csv.DictReader(io.StringIO(body)):
        row = {k: original(v) for k, v in row.items()}
        row["payload"] = json.loads(row["payload"])
        row["redacted"] = row["redacted"] == "True"
        for name in ("seq", "recommendation_id"):
            row[name] = int(row[name])
        for name in ("addressee_code", "from_state", "to_state"):
            row[name] = row[name] or None
        events.append(row)
    return events


def recomputed_hash(ev: dict) -> str:
    row = SimpleNamespace(**{**ev, "payload": history.dump_payload(ev["payload"]),
                             "recorded_at": datetime.fromisoformat(ev["recorded_at"]),
                             "effective_at": datetime.fromisoformat(ev["effective_at"])})
    return history.chain_hash(ev["prev_hash"], history.canonical(row))


def test_event_export_hashes_verify_except_redacted(client, auth):
    for fmt in ("json", "csv"):
        response = client.get(f"/public/export/events.{fmt}")
        if fmt == "json":
            events = response.json["events"]
        else:
            events = events_from_csv(response.get_data(as_text=True))
        checked = 0
        for ev in events:
            recomputed = recomputed_hash(ev)
            if ev["redacted"]:
                assert recomputed != ev["hash"]
            else:
                assert recomputed == ev["hash"], (fmt, ev["seq"])
                checked += 1
        assert checked > 20


def test_recommendation_exports_csv_and_json_agree(client):
    recs = client.get("/public/export/recommendations.json").json["recommendations"]
    rows = list(csv.DictReader(io.StringIO(
        client.get("/public/export/recommendations.csv").get_data(as_text=True))))
    assert len(rows) == sum(len(r["addressees"]) for r in recs)
    assert {r["doc_number"] for r in rows} == {r["doc_number"] for r in recs}
    by_pair = {(r["doc_number"], r["addressee"]): r for r in rows}
    for rec in recs:
        for entry in rec["addressees"]:
            row = by_pair[(rec["doc_number"], entry["addressee"])]
            assert row["state"] == rec["state"] and row["answer_state"] == entry["state"]
            assert row["due_date"] == (entry["due_date"] or "")
    filtered = client.get("/public/export/recommendations.json?committee=Duurzame Ontwikkeling")
    assert {r["doc_number"] for r in filtered.json["recommendations"]} == {
        "731/3", "739/2", "747/2"}


def test_icalendar_feed_of_due_dates(client):
    response = client.get("/public/calendar/NL.ics")
    assert response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    events = [c for c in cal.walk("VEVENT")]
    docs = {str(e["summary"]).split("recommendation ")[1].split(" ")[0] for e in events}
    assert "743/5Bis" in docs and "745/1" not in docs  # 745/1 is not addressed to NL
    assert "747/2" not in docs  # not transmitted: no due date yet
    ambulances = next(e for e in events if "743/5Bis" in str(e["summary"]))
    assert ambulances.decoded("dtstart").hour in (15, 16)  # 17:00 Brussels in UTC
    assert client.get("/public/calendar/XX.ics").status_code == 404


def test_atom_feed_of_state_changes(client):
    response = client.get("/public/feed.atom")
    assert response.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.data)  # noqa: S314 - our own feed, in a test
    entries = root.findall("a:entry", ns)
    assert entries
    titles = [e.find("a:title", ns).text for e in entries]
    assert any(t.startswith("726/2: now closed") for t in titles)
    ids = [e.find("a:id", ns).text for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:sha256:") for i in ids)
    # no unpublished positions: 739/2's Flemish answer partly agrees and is not published,
    # 741/4's French Community answer partly agrees and is
    said = {case: " ".join(e.find("a:summary", ns).text or "" for e in entries
                           if e.find("a:title", ns).text.startswith(case))
            for case in ("739/2", "741/4")}
    assert "partly" not in said["739/2"] and "partly" in said["741/4"]


def test_feeds_in_the_language_asked_for(client):
    """A feed reader sends no language: ``?lang=`` chooses it (default English)."""
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for lang, title, closed in [
            ("nl", "Aanbevelingen van het Beneluxparlement", "nu afgesloten"),
            ("fr", "Recommandations du Parlement Benelux", "désormais clôturée"),
            ("en", "Benelux Parliament recommendations", "now closed")]:
        root = ET.fromstring(client.get(f"/public/feed.atom?lang={lang}").data)  # noqa: S314
        assert root.find("a:title", ns).text.startswith(title), lang
        titles = [e.find("a:title", ns).text for e in root.findall("a:entry", ns)]
        assert any(t.startswith(f"726/2: {closed}") for t in titles), (lang, titles[:3])
    cal = icalendar.Calendar.from_ical(client.get("/public/calendar/NL.ics?lang=fr").data)
    assert str(cal["x-wr-calname"]).startswith("Réponses attendues")
    summaries = [str(e["summary"]) for e in cal.walk("VEVENT")]
    assert any(s.startswith("Réponse attendue : recommandation 743/5Bis") for s in summaries)
