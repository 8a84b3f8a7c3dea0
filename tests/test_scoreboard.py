"""The scoreboard: figures from the event history, recomputed here independently
from the exported events (JSON and CSV) and compared with what the site shows."""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.api.conftest import NOW, dispose, frozen, make_app  # noqa: F401 (fixture)
from workflow import db as wdb
from workflow import dispatch
from workflow.actors import Actor
from workflow.answers import replies
from workflow.cases import catalogue, due_dates, registration, transitions
from workflow.importing import importer
from workflow.models import Event
from workflow.publishing import scoreboard

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
BRUSSELS = ZoneInfo("Europe/Brussels")
SEC = Actor("anna", "secretariat", "BNL-PARL")


# ---------------------------------------------------------------------------
# An independent recomputation from exported event records (dicts)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


JUDGED = ("satisfactory", "partly_satisfactory", "unsatisfactory")


def recompute(events: list[dict], now: datetime, year=None, committee=None) -> dict:
    """What the scoreboard documents, written again from its definitions."""
    cases: dict[str, dict] = {}
    for ev in sorted(events, key=lambda e: (_when(e["effective_at"]), int(e["seq"]))):
        case = cases.setdefault(ev["doc_number"], {"pairs": {}, "state": None})
        data, action, code = ev["payload"], ev["action"], ev["addressee_code"]
        if action == "register":
            case["year"] = int(data["adopted_on"][:4])
            case["committee"] = data["committee"]
        if action == "edit" and "committee" in data.get("changes", {}):
            case["committee"] = data["changes"]["committee"]["new"]
        if ev["entity"] == "recommendation" and ev["to_state"]:
            case["state"] = ev["to_state"]
        if action == "transmit":
            sent = date.fromisoformat(data["transmitted_on"])
            for c, due in data["due_at"].items():
                case["pairs"][c] = {"sent": sent, "since": sent, "due": _when(due),
                                    "state": "pending", "stopped": False, "reply": None,
                                    "due_at_reply": None, "waived": False, "judged": {}}
            continue
        pair = case["pairs"].get(code)
        if pair is None:
            continue
        if action == "stop_clock":
            pair["stopped"] = True
        if action == "resume_clock":
            pair["stopped"] = False
        if action in ("grant_extension", "resume_clock", "recompute_due", "ask_again"):
            pair["due"] = _when(data["due_at"][code])
        if action == "ask_again":
            pair["since"] = _when(ev["effective_at"]).astimezone(BRUSSELS).date()
            pair["stopped"] = False
        if action in ("submit_answer", "decline") and pair["reply"] is None \
                and not pair["waived"]:
            pair["reply"], pair["due_at_reply"] = _when(ev["effective_at"]), pair["due"]
            pair["reply_id"] = data.get("answer_id")
        if action == "withdraw_reply":  # recorded by mistake: it does not count
            if pair["reply"] is not None and data["answer_id"] == pair.get("reply_id"):
                pair["reply"] = pair["due_at_reply"] = None
            case["state"] = data["case_state"]
        if action == "waive" and pair["reply"] is None:
            pair["waived"] = True
        if action == "assess_answer":  # the latest judgement of each answer counts
            pair["judged"][data["answer_id"]] = data["judgement"]
        if ev["entity"] == "answer" and ev["to_state"]:
            pair["state"] = ev["to_state"]
    out: dict[str, dict] = {}
    today = now.astimezone(BRUSSELS).date()
    for doc, case in cases.items():
        if (year and case.get("year") != year) or \
                (committee and case.get("committee") != committee):
            continue
        for code, p in case["pairs"].items():
            row = out.setdefault(code, {"received": 0, "answered": 0, "answered_on_time": 0,
                                        "waived": 0, "days": [], "pending": [],
                                        "overdue_now": 0,
                                        "judged": dict.fromkeys(JUDGED, 0)})
            row["received"] += 1
            row["waived"] += p["waived"]
            for judgement in p["judged"].values():
                row["judged"][judgement] += 1
            if p["reply"] is not None:
                row["answered"] += 1
                row["answered_on_time"] += p["reply"] <= p["due_at_reply"]
                row["days"].append((p["reply"].astimezone(BRUSSELS).date() - p["sent"]).days)
            awaited = p["state"] in ("pending", "interim_reply") and case["state"] in (
                "transmitted", "awaiting_answers", "follow_up_requested")
            if awaited:
                row["pending"].append((p["since"], doc))
                row["overdue_now"] += now > p["due"] and not p["stopped"]
    result = {}
    for code, row in out.items():
        days = sorted(row["days"])
        oldest = min(row["pending"]) if row["pending"] else None
        result[code] = {
            "addressee": code, "received": row["received"], "answered": row["answered"],
            "answered_on_time": row["answered_on_time"], "waived": row["waived"],
            "median_days": float(statistics.median(days)) if days else None,
            "p90_days": days[math.ceil(0.9 * len(days)) - 1] if days else None,
            "pending_now": len(row["pending"]), "overdue_now": row["overdue_now"],
            "oldest_pending": None if oldest is None else {
                "doc_number": oldest[1], "since": oldest[0].isoformat(),
                "days": (today - oldest[0]).days},
            "judged": row["judged"],
        }
    return result


def _csv_events(text: str) -> list[dict]:
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        row["payload"] = json.loads(row["payload"])
        for name in ("addressee_code", "from_state", "to_state"):
            row[name] = row[name] or None
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# The sample import, published, as the public sees it


def _judge(session) -> None:
    """The committee judges the final replies in turn, some twice (the latest counts)."""
    from workflow.answers import assessment
    from workflow.models import Answer

    answers = [a for a in session.scalars(select(Answer).order_by(Answer.id))
               if a.is_assessable]
    assert len(answers) > 4
    for n, answer in enumerate(answers):
        assessment.assess_answer(session, SEC, answer, judgement=JUDGED[n % 3], note="nota")
        if n % 4 == 0:
            assessment.assess_answer(session, SEC, answer, judgement=JUDGED[(n + 2) % 3])


@pytest.fixture
def sample_app(db_url, tmp_path, monkeypatch, frozen):  # noqa: F811
    engine = wdb.make_engine(db_url)
    session = wdb.make_session(engine)
    catalogue.sync_addressees(session)
    report = importer.import_file(session, *importer.read_file(SAMPLES / "import-sample.json"))
    assert report.ok, report.problems
    _judge(session)
    session.commit()
    session.close()
    engine.dispose()
    app = make_app(db_url, tmp_path, monkeypatch)
    yield app
    dispose(app)


FILTERS = ["", "?year=2018", "?year=2019", "?committee=Justitie en Veiligheid",
           "?year=2017&committee=Sociale Aangelegenheden", "?year=1990"]


@pytest.mark.parametrize("query", FILTERS)
def test_scoreboard_reproducible_from_exported_events(sample_app, query):
    client = sample_app.test_client()
    shown = client.get(f"/public/scoreboard.json{query}").json
    filters = shown["filters"]
    expected = {row["addressee"]: row for row in shown["addressees"]}
    events_json = client.get(f"/public/export/events.json{query}").json["events"]
    events_csv = _csv_events(client.get(f"/public/export/events.csv{query}")
                             .get_data(as_text=True))
    for events in (events_json, events_csv):
        assert recompute(events, NOW, **filters) == expected
    # the unfiltered export recomputed with the filter gives the same figures
    everything = client.get("/public/export/events.json").json["events"]
    assert recompute(everything, NOW, **filters) == expected
    if not query:  # the committee's judgements are counted (and recomputed) too
        assert sum(sum(row["judged"].values()) for row in expected.values()) > 4


def test_scoreboard_figures_of_the_sample(sample_app):
    client = sample_app.test_client()
    rows = {r["addressee"]: r for r in client.get("/public/scoreboard.json").json["addressees"]}
    # 728/4 is not published: it is not counted
    assert set(rows) == {"BE-FED", "CM", "DE-NW", "LU", "NL"}
    nl = rows["NL"]
    # 712/2 after 133 days (on time), 715/3 164 (on time), 719/2 312 (late), 742/2 450 (late)
    assert (nl["received"], nl["answered"], nl["answered_on_time"]) == (4, 4, 2)
    assert nl["median_days"] == 238.0 and nl["p90_days"] == 450
    assert (nl["pending_now"], nl["overdue_now"], nl["oldest_pending"]) == (0, 0, None)
    be = rows["BE-FED"]
    # 712/2 after 269 days, 715/3 declined after 205, both late; 719/2 and 742/2 unanswered
    assert (be["received"], be["answered"], be["answered_on_time"]) == (4, 2, 0)
    assert be["median_days"] == 237.0 and be["p90_days"] == 269
    assert (be["pending_now"], be["overdue_now"]) == (2, 2)
    assert be["oldest_pending"] == {"doc_number": "719/2", "since": "2019-04-05",
                                    "days": 1854}
    cm = rows["CM"]  # 715/3 late; 724/1 closed as lapsed without answer: not pending
    assert (cm["received"], cm["answered"], cm["answered_on_time"], cm["pending_now"]) == (
        2, 1, 0, 0)
    lu = rows["LU"]  # optional on 715/3 and never answered; the case is answered: not pending
    assert (lu["received"], lu["answered"], lu["pending_now"]) == (3, 2, 0)
    page = client.get("/public/scoreboard").get_data(as_text=True)
    assert 'data-addressee="BE-FED"' in page and "719/2" in page
    assert client.get("/public/scoreboard?year=2019").get_data(as_text=True).count(
        'data-addressee="') == 3


# ---------------------------------------------------------------------------
# Scenarios on live operations: extensions, waivers, follow-ups, stopped clocks


def _events(session) -> list[Event]:
    return list(session.scalars(select(Event).order_by(Event.seq)))


def _as_records(events: list[Event]) -> list[dict]:
    from workflow.publishing.opendata import event_record

    return [event_record(ev) for ev in events]


def test_extension_waiver_follow_up_and_stopped_clock(session):
    t0 = datetime(2023, 1, 9, 10, tzinfo=UTC)
    rec = registration.register_recommendation(
        session, SEC, doc_number="801/1", adopted_on=date(2023, 1, 7),
        addressees={"CM": True, "NL": True, "LU": True, "BE-FED": True, "DE-NW": True},
        title_nl="Scenario", committee="Test", deadline_rule="30 calendar days", now=t0)
    transitions.transmit(session, SEC, rec, now=t0)  # due 2023-02-08 17:00 Brussels
    nl, lu, be, cm, nw = (rec.entry(c) for c in ("NL", "LU", "BE-FED", "CM", "DE-NW"))
    due_dates.grant_extension(session, SEC, lu, reason="more time", days=30,
                              now=t0 + timedelta(days=20))
    replies.submit_reply(session, Actor("jan", "ministry", "NL"), nl, kind="final",
                         position="agrees", text_nl="ja", now=t0 + timedelta(days=10))
    replies.submit_reply(session, Actor("lu", "ministry", "LU"), lu, kind="final",
                         position="agrees", text_fr="oui", now=t0 + timedelta(days=45))
    replies.submit_reply(session, Actor("cm", "ministry", "CM"), cm, kind="final",
                         position="agrees", text_fr="oui", now=t0 + timedelta(days=50))
    replies.waive(session, SEC, be, reason="collective answer", now=t0 + timedelta(days=51))
    due_dates.stop_clock(session, SEC, nw, start=date(2023, 2, 1), reason="waiting for the CM",
                         now=t0 + timedelta(days=23))
    session.flush()
    now = t0 + timedelta(days=100)
    scores = {s.addressee: s for s in scoreboard.compute(_events(session), now)}
    assert (scores["NL"].answered, scores["NL"].answered_on_time) == (1, 1)
    assert scores["NL"].median_days == 10.0
    assert scores["LU"].answered_on_time == 1  # late by the first date, on time by the extension
    assert (scores["CM"].answered, scores["CM"].answered_on_time) == (1, 0)
    assert (scores["BE-FED"].waived, scores["BE-FED"].answered) == (1, 0)
    # the clock of DE-NW is stopped: pending, not overdue
    assert (scores["DE-NW"].pending_now, scores["DE-NW"].overdue_now) == (1, 0)
    assert recompute(_as_records(_events(session)), now) == {
        code: s.as_dict() for code, s in scores.items()}
    # the clock resumes: now it is overdue
    due_dates.resume_clock(session, SEC, nw, end=date(2023, 2, 10), now=t0 + timedelta(days=60))
    scores = {s.addressee: s for s in scoreboard.compute(_events(session), now)}
    assert scores["DE-NW"].overdue_now == 1
    assert scores["DE-NW"].oldest_pending.doc_number == "801/1"
    assert recompute(_as_records(_events(session)), now) == {
        code: s.as_dict() for code, s in scores.items()}


def test_follow_up_makes_an_addressee_pending_again(session):
    t0 = datetime(2023, 3, 6, 10, tzinfo=UTC)
    rec = registration.register_recommendation(session, SEC, doc_number="802/1",
                                               adopted_on=date(2023, 3, 4), addressees=["NL"],
                                               title_nl="Vervolg", deadline_rule="30 calendar days",
                                               now=t0)
    transitions.transmit(session, SEC, rec, now=t0)
    replies.submit_reply(session, Actor("jan", "ministry", "NL"), rec.entry("NL"), kind="final",
                         position="disagrees", text_nl="nee", now=t0 + timedelta(days=5))
    dispatch.fire(session, SEC, rec, "start_assessment", now=t0 + timedelta(days=6))
    transitions.request_follow_up(session, SEC, rec, reason="Waarom?", addressees=["NL"],
                                  now=t0 + timedelta(days=7))
    now = t0 + timedelta(days=60)
    [nl] = scoreboard.compute(_events(session), now)
    assert (nl.received, nl.answered, nl.answered_on_time) == (1, 1, 1)
    assert (nl.pending_now, nl.overdue_now) == (1, 1)
    assert nl.oldest_pending.since == date(2023, 3, 13)
    assert recompute(_as_records(_events(session)), now) == {"NL": nl.as_dict()}


def test_a_withdrawn_reply_does_not_count_and_the_next_one_does(session):
    from workflow.answers import corrections
    from workflow.publishing import figures

    t0 = datetime(2023, 3, 6, 10, tzinfo=UTC)
    rec = registration.register_recommendation(session, SEC, doc_number="803/1",
                                               adopted_on=date(2023, 3, 4),
                                               addressees=["NL", "LU"], title_nl="Vergissing",
                                               deadline_rule="30 calendar days", now=t0)
    registration.set_published(session, SEC, rec, True, now=t0)
    transitions.transmit(session, SEC, rec, now=t0)
    lu = replies.submit_reply(session, SEC, rec.entry("LU"), kind="final", position="agrees",
                              text_nl="ja", received_on=date(2023, 3, 10),
                              now=t0 + timedelta(days=5))
    nl = replies.submit_reply(session, SEC, rec.entry("NL"), kind="final", position="agrees",
                              text_nl="ja", received_on=date(2023, 3, 12),
                              now=t0 + timedelta(days=7))
    assert rec.state == "answered"
    corrections.withdraw_reply(session, SEC, nl, reason="hoort bij 803/2",
                               now=t0 + timedelta(days=8))
    corrections.withdraw_reply(session, SEC, lu, reason="ook", now=t0 + timedelta(days=9))
    replies.submit_reply(session, Actor("jan", "ministry", "NL"), rec.entry("NL"),
                         kind="final", position="disagrees", text_nl="nee",
                         now=t0 + timedelta(days=40))  # late
    session.flush()
    now = t0 + timedelta(days=60)
    scores = {s.addressee: s for s in scoreboard.compute(_events(session), now)}
    assert (scores["NL"].answered, scores["NL"].answered_on_time) == (1, 0)
    assert scores["NL"].median_days == 40.0
    assert (scores["LU"].answered, scores["LU"].pending_now, scores["LU"].overdue_now) == (
        0, 1, 1)
    assert recompute(_as_records(_events(session)), now) == {
        code: s.as_dict() for code, s in scores.items()}
    assert [s.as_dict() for s in figures.scores(session, now)] == [
        scores[code].as_dict() for code in sorted(scores)]


def test_percentile_is_nearest_rank():
    assert scoreboard.percentile_nearest_rank([], 90) is None
    assert scoreboard.percentile_nearest_rank([5], 90) == 5
    assert scoreboard.percentile_nearest_rank(list(range(1, 11)), 90) == 9
    assert scoreboard.percentile_nearest_rank(list(range(1, 12)), 90) == 10


def test_exports_give_the_historic_dates_of_imported_cases(sample_app):
    client = sample_app.test_client()
    recs = {r["doc_number"]: r for r in client.get(
        "/public/export/recommendations.json").json["recommendations"]}
    assert "728/4" not in recs  # not published
    closed = recs["712/2"]
    assert (closed["adopted_on"], closed["transmitted_on"], closed["closed_on"]) == (
        "2017-11-25", "2017-12-08", "2019-03-15")
    assert closed["closed_at"].startswith("2024-05-02")  # when the import recorded it
    nl = next(a for a in closed["addressees"] if a["addressee"] == "NL")
    assert (nl["due_date"], nl["answered_on"], nl["position"]) == (
        "2018-06-08", "2018-04-20", "agrees")
    # the NL answer on 719/2 is not published: its position is not either
    nl = next(a for a in recs["719/2"]["addressees"] if a["addressee"] == "NL")
    assert (nl["state"], nl["position"]) == ("answered", None)
    answers = client.get("/public/export/answers.json").json["answers"]
    assert "privacy" not in json.dumps(answers)


@pytest.mark.parametrize("kind", ["recommendations", "answers", "events"])
@pytest.mark.parametrize("query", ["", "?year=1990"])
def test_exports_are_streamed_and_written_as_one_document(sample_app, kind, query,
                                                           monkeypatch):
    from web.public import routes

    client = sample_app.test_client()
    response = client.get(f"/public/export/{kind}.json{query}")
    assert response.is_streamed
    text = response.get_data(as_text=True)
    # the same text as the whole document dumped at once
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1)
    assert (len(json.loads(text)[kind]) == 0) == bool(query)
    csv_response = client.get(f"/public/export/{kind}.csv{query}")
    assert csv_response.is_streamed
    whole = csv_response.get_data(as_text=True)
    monkeypatch.setattr(routes, "CHUNK_ROWS", 2)  # many chunks: the same text
    assert client.get(f"/public/export/{kind}.csv{query}").get_data(as_text=True) == whole
    assert (len(whole.splitlines()) == 1) == bool(query)


def test_an_export_abandoned_half_way_leaves_nothing_open(sample_app):
    client = sample_app.test_client()
    response = client.get("/public/export/events.csv", buffered=False)
    first = next(iter(response.response))
    assert first.startswith(b"seq,")
    response.close()  # the reader went away: the cursor and the session are released
    assert client.get("/public/scoreboard.json").status_code == 200
